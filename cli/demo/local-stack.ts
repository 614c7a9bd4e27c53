/**
 * The local stack `verify` runs against on one machine: the simulator (fast profile) and a real Prometheus scraping
 * its metrics endpoint every second (and, on the kubernetes control plane, the real prometheus-adapter over it when
 * the environments' HPAs use Pods or Object metrics). Used by `scalegate demo` and the end-to-end tests; stop() ends
 * them all.
 */
import { resolve } from 'node:path';
import { hpaMetric } from '../../actions/lib/render/autoscaling.js';
import { loadEnvironment } from '../../actions/lib/settings/index.js';
import { type ClusterOptions, type RunningCluster, startCluster } from '../../simulator/cluster.js';
import { clusterScrapeConfigs } from '../../simulator/dataplane/scrape-config.js';
import type { HpaMetricSpec } from '../../simulator/kubernetes/prometheus-adapter.js';
import { type PrometheusServer, startPrometheus } from '../local/prometheus-server.js';

/** The least-privilege RBAC a user gives scalegate's CI identity. */
export const ciServiceAccountManifest = resolve(
  import.meta.dirname,
  '../../manifests/rbac/scalegate-ci.yaml',
);

export interface LocalStack {
  cluster: RunningCluster;
  prometheus: PrometheusServer;
  /** The gateway URL that reaches Service `service` in `namespace` (path-based routing: `/<ns>/<svc>/...`). */
  serviceUrl(namespace: string, service: string, path?: string): string;
  /**
   * The kubeconfig scalegate runs with for `namespace`: on the kubernetes control plane, a token of the
   * ServiceAccount in manifests/rbac/scalegate-ci.yaml (moved to that namespace), so real RBAC enforces its
   * least-privilege Role; the built-in control plane authenticates nobody, so there it is the cluster's own.
   */
  scalegateKubeconfig(namespace: string): Promise<string>;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  cluster?: Omit<ClusterOptions, 'profile'>;
  /**
   * The settings files `verify` will run on this stack (names or paths, resolved against `cwd`): on the kubernetes
   * control plane, their HPAs' Pods metrics are served by the real prometheus-adapter from this Prometheus.
   */
  environments?: string[];
  cwd?: string;
  /** Install Prometheus from the distribution's package when it is missing (root or sudo, apt). */
  installPrometheus?: boolean;
  log?: (line: string) => void;
}

/** The autoscaling/v2 metrics of the HPAs the given environments render. */
async function environmentHpaMetrics(environments: string[], cwd: string): Promise<HpaMetricSpec[]> {
  const loaded = await Promise.all(environments.map((env) => loadEnvironment(env, { cwd })));
  return loaded.flatMap((env) => env.settings.autoscaling?.hpa?.metrics.map(hpaMetric) ?? []);
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const cluster = await startCluster({ ...options.cluster, profile: 'fast' });
  log(`local cluster: API server ${cluster.apiServer}, gateway ${cluster.gateway}`);
  let prometheus: PrometheusServer;
  try {
    prometheus = await startPrometheus({
      // kube-prometheus-stack's layout, so upstream rules and dashboards select the same series as on a real cluster.
      targets: [],
      scrapeConfigs: clusterScrapeConfigs(cluster.metrics, { kubeStateMetrics: cluster.kubeStateMetrics }),
      scrapeIntervalSeconds: 1,
      install: options.installPrometheus ?? false,
    });
    log(`prometheus: ${prometheus.url}, waiting for the first scrape`);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  try {
    await prometheus.waitForSample('kube_node_info');
    // Only the kubernetes control plane runs the real adapter; the built-in HPA reads the workload model itself.
    if (cluster.startPrometheusAdapter) {
      const started = await cluster.startPrometheusAdapter({
        prometheusUrl: prometheus.url,
        metrics: await environmentHpaMetrics(options.environments ?? [], options.cwd ?? process.cwd()),
        scrapeIntervalSeconds: prometheus.scrapeIntervalSeconds,
      });
      if (started) log('prometheus-adapter: serving custom.metrics.k8s.io from Prometheus');
    }
  } catch (error) {
    await Promise.allSettled([prometheus.stop(), cluster.stop()]);
    throw error;
  }
  let stopped = false;
  return {
    cluster,
    prometheus,
    scalegateKubeconfig: async (namespace) =>
      cluster.serviceAccountKubeconfig
        ? cluster.serviceAccountKubeconfig(ciServiceAccountManifest, namespace)
        : cluster.kubeconfig,
    serviceUrl: (namespace, service, path = '/') =>
      `${cluster.gateway}/${encodeURIComponent(namespace)}/${encodeURIComponent(service)}${path}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      const results = await Promise.allSettled([prometheus.stop(), cluster.stop()]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
