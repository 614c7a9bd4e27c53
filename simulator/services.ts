/**
 * Contracts between the local cluster's parts that are not Kubernetes objects: what the data plane measures, what
 * the kubelet can be asked to do, which handlers serve the gateway and metrics listeners. Each part sets its member
 * of the cluster's one `SimulatorServices` when it starts and withdraws it when it stops; readers look it up when
 * they need it (it may be absent in tests that run one part).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricsApiProvider } from './api/metrics-api.js';
import type { PodLogSource } from './api/pod-log.js';
import type { ExternalMetricsSource } from './autoscaling/external-metrics.js';
import type { NodeGroupSpec } from './nodes.js';

/** Usage measured by the data plane (metrics-server's and the app's view of pods). */
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

/** The kubelet API's view of running containers (/metrics/resource), from the data plane. */
export interface KubeletStatsSource {
  /** Cumulative CPU seconds and current working set of each container; undefined when the pod is not running. */
  containerCounters(
    namespace: string,
    pod: string,
  ): Array<{ name: string; cpuSeconds: number; memoryBytes: number }> | undefined;
}

/** Actions the data plane needs from the node agent. */
export interface KubeletControl {
  /** Ends a running container as the kernel/runtime would (e.g. reason `OOMKilled`, exit code 137); it restarts per restartPolicy. */
  killContainer(namespace: string, pod: string, container: string, reason: string, exitCode: number): void;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The services of one started cluster, by name; each member is set by the part named in its comment. */
export interface SimulatorServices {
  /** The node groups the cluster was started with (cluster.ts), for the cluster-autoscaler. */
  nodeGroups?: NodeGroupSpec[];
  /** The node agent (Kubelet controller). */
  kubelet?: KubeletControl;
  /** Pod and node usage, from the data plane. */
  workloadMetrics?: WorkloadMetricsSource;
  /** Container counters and logs for the kubelet API, from the data plane. */
  kubeletStats?: KubeletStatsSource;
  /** metrics.k8s.io objects, from the data plane. */
  metricsApi?: MetricsApiProvider;
  /** pods/log lines, from the data plane. */
  podLogs?: PodLogSource;
  /** external.metrics.k8s.io values, from the KEDA operator. */
  externalMetrics?: ExternalMetricsSource;
  /** The gateway listener's handler, from the data plane. */
  gateway?: RequestHandler;
  /** The metrics listener's handler, from the data plane. */
  metricsEndpoint?: RequestHandler;
}

/** Removes a part's registration unless another part has replaced it since (a restarted controller, a test double). */
export function withdraw<K extends keyof SimulatorServices>(
  services: SimulatorServices,
  key: K,
  owner: SimulatorServices[K],
): void {
  if (services[key] === owner) delete services[key];
}
