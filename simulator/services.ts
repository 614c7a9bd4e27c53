/**
 * Contracts between the local cluster's parts that are not Kubernetes objects: what the data plane measures and
 * what the kubelet can be asked to do. Each part registers its implementation in `ControllerContext.services`
 * under the key named here; readers look it up when they need it (it may be absent in tests that run one part).
 */

/** Key `workload-metrics`: usage measured by the data plane (metrics-server's and the app's view of pods). */
export interface WorkloadMetricsSource {
  /**
   * Average usage per container over the last `windowSeconds` ending at `timestamp` (ms since epoch), as
   * metrics.k8s.io reports it; undefined when the pod has no sample yet (not running, or too new).
   */
  podUsage(
    namespace: string,
    pod: string,
  ):
    | {
        timestamp: number;
        windowSeconds: number;
        containers: Record<string, { cpuMillis: number; memoryBytes: number }>;
      }
    | undefined;
  /** A per-pod application metric (e.g. `http_requests_per_second`) as a custom-metrics adapter would serve it. */
  podCustomMetric(namespace: string, pod: string, metric: string): number | undefined;
  /** Σ usage of the pods on a node, for metrics.k8s.io NodeMetrics. */
  nodeUsage(
    node: string,
  ): { timestamp: number; windowSeconds: number; cpuMillis: number; memoryBytes: number } | undefined;
}

/** Key `kubelet-stats`: the kubelet API's view of running containers (/metrics/resource), from the data plane. */
export interface KubeletStatsSource {
  /** Cumulative CPU seconds and current working set of each container; undefined when the pod is not running. */
  containerCounters(
    namespace: string,
    pod: string,
  ): Array<{ name: string; cpuSeconds: number; memoryBytes: number }> | undefined;
}

/** Key `kubelet`: actions the data plane needs from the node agent. */
export interface KubeletControl {
  /** Ends a running container as the kernel/runtime would (e.g. reason `OOMKilled`, exit code 137); it restarts per restartPolicy. */
  killContainer(namespace: string, pod: string, container: string, reason: string, exitCode: number): void;
}

export const serviceKeys = {
  workloadMetrics: 'workload-metrics',
  kubelet: 'kubelet',
  kubeletStats: 'kubelet-stats',
} as const;
