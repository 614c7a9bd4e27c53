import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { kedaQuantity } from '../autoscaling/external-metrics.js';
import type { LabelSelector } from '../autoscaling/hpa/types.js';
import type { ControllerContext } from '../controllers/controller.js';
import { coreTypes } from '../controllers/objects.js';
import { matchesRequirements, parseLabelSelector } from '../store/selectors.js';

/** The aggregated APIs this adapter serves, as APIService registrations name them. */
export const adapterApis = [
  { group: 'external.metrics.k8s.io', version: 'v1beta1' },
  { group: 'custom.metrics.k8s.io', version: 'v1beta2' },
];

const quantity = (value: number) => `${Math.round(value * 1000)}m`;
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function selectorOf(text: string | null): LabelSelector | undefined {
  if (!text) return undefined;
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<LabelSelector['matchExpressions']> = [];
  for (const r of parseLabelSelector(text)) {
    if (r.operator === 'In' && r.values?.length === 1) matchLabels[r.key] = r.values[0] as string;
    else
      matchExpressions.push({ key: r.key, operator: r.operator, ...(r.values ? { values: r.values } : {}) });
  }
  return { matchLabels, ...(matchExpressions.length ? { matchExpressions } : {}) };
}

type Answer = { status: number; body: unknown };

const notFound = (what: string): Answer => ({
  status: 404,
  body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: what },
});

/**
 * On the kubernetes control plane, the metrics APIs an HPA reads beyond metrics.k8s.io, served as one aggregated
 * API server on 127.0.0.1 from the node agent's parts: `external.metrics.k8s.io` from the KEDA controller (KEDA's
 * metrics server), and `custom.metrics.k8s.io` per-pod metrics from the workload model until a Prometheus
 * scrapes the cluster and the real prometheus-adapter takes that API over (prometheus-adapter.ts).
 */
export async function startMetricsAdapter(
  context: ControllerContext,
  tls: { cert: string; key: string },
): Promise<{ port: number; close(): Promise<void> }> {
  const pods = coreTypes(context.registry).pods;
  const answer = (url: URL): Answer => {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const [, group, version, ...rest] = parts;
    const api = adapterApis.find((a) => a.group === group && a.version === version);
    if (parts[0] !== 'apis' || !api) return notFound(url.pathname);
    if (rest.length === 0)
      return {
        status: 200,
        body: {
          kind: 'APIResourceList',
          apiVersion: 'v1',
          groupVersion: `${group}/${version}`,
          resources: [],
        },
      };
    const selector = url.searchParams.get('labelSelector');
    if (group === 'external.metrics.k8s.io' && rest[0] === 'namespaces' && rest.length === 3) {
      const [, namespace, metric] = rest as [string, string, string];
      const source = context.services.externalMetrics;
      let values: number[] | undefined;
      try {
        values = source?.values(namespace, metric, selectorOf(selector));
      } catch (error) {
        return {
          status: 500,
          body: {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            code: 500,
            message: (error as Error).message,
          },
        };
      }
      if (!values) return notFound(`external metric ${metric} in ${namespace}`);
      const items = values.map((v) => ({
        metricName: metric,
        metricLabels: {},
        timestamp: now(),
        value: kedaQuantity(v),
      }));
      return {
        status: 200,
        body: { kind: 'ExternalMetricValueList', apiVersion: `${group}/${version}`, metadata: {}, items },
      };
    }
    if (
      group === 'custom.metrics.k8s.io' &&
      rest[0] === 'namespaces' &&
      rest[2] === 'pods' &&
      rest.length === 5
    ) {
      const [, namespace, , name, metric] = rest as [string, string, string, string, string];
      const workload = context.services.workloadMetrics;
      const requirements = selector ? parseLabelSelector(selector) : [];
      const items = context.store
        .list(pods, { namespace })
        .items.filter((p) =>
          name === '*' ? matchesRequirements(p.metadata.labels, requirements) : p.metadata.name === name,
        )
        .flatMap((p) => {
          const value = workload?.podCustomMetric(namespace, p.metadata.name as string, metric);
          if (value === undefined) return [];
          return [
            {
              describedObject: { kind: 'Pod', namespace, name: p.metadata.name, apiVersion: '/v1' },
              metric: { name: metric },
              timestamp: now(),
              value: quantity(value),
            },
          ];
        });
      if (items.length === 0) return notFound(`custom metric ${metric} for pods ${name} in ${namespace}`);
      return {
        status: 200,
        body: { kind: 'MetricValueList', apiVersion: `${group}/${version}`, metadata: {}, items },
      };
    }
    return notFound(url.pathname);
  };
  const server = createServer(tls, (req, res) => {
    const { status, body } = answer(new URL(req.url ?? '/', 'https://adapter'));
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
