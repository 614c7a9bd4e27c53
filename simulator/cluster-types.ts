/**
 * The shape of a started local cluster and its options, apart from cluster.ts so that each control plane's start-up
 * (built-in here, real in kubernetes/cluster.ts) depends on the shape without depending on the other.
 */
import type { Controller, ControllerContext } from './controllers/controller.js';
import type { PrometheusAdapterOptions } from './kubernetes/prometheus-adapter.js';
import type { ClusterProfile } from './profile.js';
import type { ClusterClient } from './store/client.js';
import type { ResourceRegistry } from './store/resources.js';

export interface ClusterOptions {
  /** API server port; 0 (default) picks a free one. */
  port?: number;
  profile?: ClusterProfile['name'];
  /** Nodes outside any node group (default 3), zones a/b/c round-robin. */
  nodes?: number;
  nodeCpu?: string;
  nodeMemory?: string;
  nodeGroups?: Array<{ name: string; min: number; max: number; provisionSeconds: number }>;
  /** The control loops to run (default: `defaultControllers()`); `[]` runs the API server alone. */
  controllers?: Controller[];
  /** Where to write the kubeconfig; by default a temporary file removed by stop(). */
  kubeconfigPath?: string;
  /**
   * `builtin` (default): the embedded API server and controllers. `kubernetes`: the real control plane built by
   * `npm run build:kube`, with scalegate's node agent simulating only nodes and pods.
   */
  controlPlane?: ControlPlaneKind;
}

export const controlPlanes = ['builtin', 'kubernetes'] as const;
export type ControlPlaneKind = (typeof controlPlanes)[number];

/** A started cluster; `S` is its store: the built-in ObjectStore, or any ClusterClient when the control plane may be real. */
export interface RunningCluster<S extends ClusterClient = ClusterClient> {
  apiServer: string;
  kubeconfig: string;
  metrics: string;
  gateway: string;
  /** kube-state-metrics' /metrics when the real control plane runs (the built-in one serves its series in `metrics`). */
  kubeStateMetrics?: string;
  /**
   * Kubernetes control plane only (the built-in one authenticates nobody): applies an RBAC manifest such as
   * manifests/rbac/scalegate-ci.yaml into `namespace` and returns a kubeconfig holding its ServiceAccount's token.
   */
  serviceAccountKubeconfig?: (manifestFile: string, namespace: string) => Promise<string>;
  /**
   * Kubernetes control plane only: once a Prometheus scrapes the cluster, hands `custom.metrics.k8s.io` to the real
   * prometheus-adapter with rules for the given HPA metrics (until then the node agent serves it). Resolves false,
   * starting nothing, when none of them is a Pods or Object metric.
   */
  startPrometheusAdapter?: (options: PrometheusAdapterOptions) => Promise<boolean>;
  store: S;
  registry: ResourceRegistry;
  context: ControllerContext;
  stop(): Promise<void>;
}
