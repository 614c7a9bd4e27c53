import type { KubeObject } from '../store/types.js';

/**
 * Prometheus scrape configurations for the local cluster with kube-prometheus-stack's job names and target labels,
 * so that upstream rules and dashboards (kubernetes-mixin) select the same series as on a real cluster:
 * `job="kube-state-metrics"`, `job="kubelet"` with `metrics_path="/metrics/cadvisor"`, `"/metrics/resource"` or
 * `"/metrics"`, `node` and `instance` per node.
 */

const kubeletPaths = {
  '/metrics': 'kubelet',
  '/metrics/cadvisor': 'cadvisor',
  '/metrics/resource': 'resource',
} as const;

type KubeletPath = keyof typeof kubeletPaths;

/** The HTTP service discovery document of one kubelet endpoint kind: a target per node. */
export function kubeletTargets(nodes: KubeObject[], host: string, path: string): unknown[] {
  const endpoint = kubeletPaths[path as KubeletPath] ?? 'kubelet';
  return nodes.map((node) => {
    const name = node.metadata.name as string;
    const ip =
      (node.status?.addresses as Array<{ type: string; address: string }> | undefined)?.find(
        (a) => a.type === 'InternalIP',
      )?.address ?? name;
    return {
      targets: [host],
      labels: {
        __metrics_path__: `/metrics/nodes/${encodeURIComponent(name)}/${endpoint}`,
        instance: `${ip}:10250`,
        node: name,
        metrics_path: path in kubeletPaths ? path : '/metrics',
        service: 'kube-prometheus-stack-kubelet',
        namespace: 'kube-system',
        endpoint: 'https-metrics',
      },
    };
  });
}

/**
 * The scrape_configs entries for a local cluster whose metrics listener is `metricsUrl`; `kubeStateMetrics` is the
 * URL of a real kube-state-metrics when one runs (the real control plane), else the built-in one's path is used.
 */
export function clusterScrapeConfigs(
  metricsUrl: string,
  options: { kubeStateMetrics?: string | undefined; refreshSeconds?: number } = {},
): Record<string, unknown>[] {
  const url = new URL(metricsUrl);
  const ksm = new URL(options.kubeStateMetrics ?? `${url.origin}/metrics/kube-state-metrics`);
  const refreshSeconds = options.refreshSeconds ?? 5;
  const scheme = url.protocol.replace(':', '');
  const kubelet = (path: KubeletPath, jobName: string) => ({
    job_name: jobName,
    honor_labels: true,
    scheme,
    http_sd_configs: [
      {
        url: `${url.origin}/sd/kubelet?path=${encodeURIComponent(path)}`,
        refresh_interval: `${refreshSeconds}s`,
      },
    ],
    relabel_configs: [{ target_label: 'job', replacement: 'kubelet', action: 'replace' }],
  });
  return [
    {
      job_name: 'kube-state-metrics',
      honor_labels: true,
      scheme: ksm.protocol.replace(':', ''),
      metrics_path: ksm.pathname,
      static_configs: [
        {
          targets: [ksm.host],
          labels: {
            service: 'kube-state-metrics',
            endpoint: 'http',
            namespace: 'kube-system',
            container: 'kube-state-metrics',
          },
        },
      ],
    },
    kubelet('/metrics', 'kubelet'),
    kubelet('/metrics/cadvisor', 'kubelet-cadvisor'),
    kubelet('/metrics/resource', 'kubelet-resource'),
    {
      job_name: 'scalegate-pods',
      honor_labels: true,
      scheme,
      metrics_path: '/metrics/pods',
      static_configs: [{ targets: [url.host] }],
    },
  ];
}
