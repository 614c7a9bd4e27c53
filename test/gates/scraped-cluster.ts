/**
 * What the Prometheus-backed gate tests run against: a local cluster (either control plane) with a `shop` namespace,
 * scraped every second by a real Prometheus (the real control plane's kube-state-metrics apart; the built-in one's
 * series are in `metrics`), and a client of it.
 */
import { PrometheusClient } from '../../actions/lib/prometheus/client.js';
import { type PrometheusServer, startPrometheus } from '../../cli/local/prometheus-server.js';
import { type ClusterOptions, type RunningCluster, startCluster } from '../../simulator/cluster.js';
import type { KubeObject } from '../../simulator/store/types.js';

export interface ScrapedCluster {
  cluster: RunningCluster;
  prometheus: PrometheusServer;
  client: PrometheusClient;
  /** Creates an object of the kind its apiVersion and kind name. */
  create(object: KubeObject): void;
  stop(): Promise<void>;
}

export async function startScrapedCluster(options: ClusterOptions): Promise<ScrapedCluster> {
  const cluster = await startCluster(options);
  const create = (object: KubeObject) =>
    cluster.store.create(cluster.registry.byKind(object.apiVersion, object.kind)!, object);
  create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  let prometheus: PrometheusServer | undefined;
  try {
    prometheus = await startPrometheus({
      targets: [
        { job: 'scalegate', url: `${cluster.metrics}/metrics` },
        ...(cluster.kubeStateMetrics ? [{ job: 'kube-state-metrics', url: cluster.kubeStateMetrics }] : []),
      ],
      scrapeIntervalSeconds: 1,
    });
    await prometheus.waitForSample('kube_node_info');
  } catch (error) {
    await prometheus?.stop();
    await cluster.stop();
    throw error;
  }
  const client = new PrometheusClient({ url: prometheus.url, retries: 1, backoffMs: 100 });
  return {
    cluster,
    prometheus,
    client,
    create,
    async stop() {
      await client.close();
      await prometheus.stop();
      await cluster.stop();
    },
  };
}
