import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { stringify } from 'yaml';
import { localPort } from '../../actions/lib/util/local-port.js';
import type { ApiClient } from './api-client.js';
import { conditionTrue, registerLocalApi, until } from './control-plane.js';
import { type Component, startComponent } from './process.js';

/** An autoscaling/v2 MetricSpec, as far as the adapter's rules need it. */
export interface HpaMetricSpec {
  type: string;
  pods?: { metric: { name: string } };
  object?: { metric: { name: string }; describedObject: { apiVersion?: string; kind: string } };
}

/** The aggregated API versions prometheus-adapter serves, as APIService registrations name them. */
export const customMetricsApis = [
  { group: 'custom.metrics.k8s.io', version: 'v1beta1' },
  { group: 'custom.metrics.k8s.io', version: 'v1beta2' },
];

/** The Service (in kube-system) the custom metrics APIServices point at when the real adapter serves them. */
export const prometheusAdapterService = 'prometheus-adapter';

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The describedObject's kind as an adapter resource override (`resource`, and `group` outside the core group). */
function objectResource(describedObject: { apiVersion?: string; kind: string }) {
  const slash = describedObject.apiVersion?.indexOf('/') ?? -1;
  const group = slash > 0 ? (describedObject.apiVersion as string).slice(0, slash) : undefined;
  return { resource: describedObject.kind.toLowerCase(), ...(group ? { group } : {}) };
}

/**
 * prometheus-adapter's discovery rules (docs/config.md) for the Pods and Object metrics of the environment's HPAs:
 * a metric named `<base>_per_second` is the rate of the counter `<base>_total` over `rateWindowSeconds` (the rule
 * README gives for `http_requests_per_second`); any other name is the gauge of that name. Series are associated with
 * their namespace and pod, and with an Object metric's described object by the label named after its kind
 * (e.g. `service`). One rule per metric name, so rules never overlap.
 */
export function prometheusAdapterConfig(metrics: HpaMetricSpec[], rateWindowSeconds: number) {
  const byName = new Map<string, Record<string, { resource: string; group?: string }>>();
  for (const spec of metrics) {
    const name =
      spec.type === 'Pods'
        ? spec.pods?.metric.name
        : spec.type === 'Object'
          ? spec.object?.metric.name
          : undefined;
    if (!name) continue;
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name))
      throw new Error(
        `HPA metric "${name}" is not a Prometheus metric name: prometheus-adapter has no rule for it`,
      );
    const overrides = byName.get(name) ?? { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } };
    if (spec.type === 'Object' && spec.object) {
      const resource = objectResource(spec.object.describedObject);
      overrides[resource.resource] = resource;
    }
    byName.set(name, overrides);
  }
  const rules = [...byName].map(([name, overrides]) => {
    const base = /^(.+)_per_second$/.exec(name)?.[1];
    const series = base ? `${base}_total` : name;
    const selection = '<<.Series>>{<<.LabelMatchers>>}';
    return {
      seriesQuery: `${series}{namespace!=""}`,
      resources: { overrides },
      name: { matches: `^${escapeRegex(series)}$`, as: name },
      metricsQuery: base
        ? `sum(rate(${selection}[${rateWindowSeconds}s])) by (<<.GroupBy>>)`
        : `sum(${selection}) by (<<.GroupBy>>)`,
    };
  });
  return { rules };
}

export interface PrometheusAdapterOptions {
  prometheusUrl: string;
  /** The HPA metrics to serve; the adapter starts only when one of them is a Pods or Object metric. */
  metrics: HpaMetricSpec[];
  /** Prometheus' scrape interval: a rate spans four of them (Prometheus' advice for rate windows). */
  scrapeIntervalSeconds: number;
}

/**
 * Starts sigs.k8s.io/prometheus-adapter beside the real control plane, with its serving certificate made at start
 * in `dir` (as metrics-server's), the admin kubeconfig for listing, authentication and authorization, and rules
 * generated from `options.metrics`; then points the `custom.metrics.k8s.io` APIServices at it (taking them over from
 * the node agent) and waits until the API server reports them Available. Undefined when no metric needs it.
 */
export async function startPrometheusAdapter(
  plane: { dir: string; binary: string; kubeconfig: string; admin: ApiClient },
  options: PrometheusAdapterOptions,
): Promise<Component | undefined> {
  const config = prometheusAdapterConfig(options.metrics, 4 * options.scrapeIntervalSeconds);
  if (config.rules.length === 0) return undefined;
  const home = join(plane.dir, 'prometheus-adapter');
  await mkdir(home, { recursive: true });
  const configFile = join(home, 'config.yaml');
  await writeFile(configFile, stringify(config));
  const port = await localPort();
  const adapter = startComponent(plane.dir, 'prometheus-adapter', plane.binary, [
    `--prometheus-url=${options.prometheusUrl}`,
    `--config=${configFile}`,
    `--lister-kubeconfig=${plane.kubeconfig}`,
    `--authentication-kubeconfig=${plane.kubeconfig}`,
    `--authorization-kubeconfig=${plane.kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${join(home, 'certs')}`,
    // Series appear only once the workload is deployed and scraped: relist often so a new metric is served within
    // seconds, not the default 10 minutes.
    `--metrics-relist-interval=${Math.max(2, options.scrapeIntervalSeconds)}s`,
    '--metrics-max-age=5m',
  ]);
  try {
    // Its own readiness first, so the APIServices never point at a server that cannot answer yet.
    const insecure = new Agent({ connect: { rejectUnauthorized: false } });
    try {
      await until('prometheus-adapter /readyz', [adapter], async () => {
        const response = await request(`https://127.0.0.1:${port}/readyz`, { dispatcher: insecure });
        await response.body.text();
        return response.statusCode === 200;
      });
    } finally {
      await insecure.close();
    }
    await registerLocalApi(plane.admin, prometheusAdapterService, customMetricsApis, port);
    for (const { group, version } of customMetricsApis) {
      await until(`APIService ${version}.${group} Available`, [adapter], async () => {
        const { body } = await plane.admin.call(
          'GET',
          `/apis/apiregistration.k8s.io/v1/apiservices/${version}.${group}`,
        );
        return conditionTrue(body, 'Available');
      });
    }
  } catch (error) {
    await adapter.stop();
    throw error;
  }
  return adapter;
}
