import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventRecorder } from './api/events.js';
import { startApiServer } from './api/server.js';
import { nodeLease, systemObjects } from './api/system-objects.js';
import type { Controller, ControllerContext } from './controllers/controller.js';
import { defaultControllers } from './controllers/index.js';
import { writeKubeconfig } from './kubeconfig.js';
import { startKubernetesCluster } from './kubernetes/cluster.js';
import type { PrometheusAdapterOptions } from './kubernetes/prometheus-adapter.js';
import { closeServer, delegatingListener } from './listener.js';
import { initialNodes, type NodeGroupSpec, nodeGroupSpecs } from './nodes.js';
import { type ClusterProfile, profiles } from './profile.js';
import type { SimulatorServices } from './services.js';
import type { ClusterClient } from './store/client.js';
import { ResourceRegistry, type ResourceType } from './store/resources.js';
import { ObjectStore } from './store/store.js';

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

function typeOf(registry: ResourceRegistry, apiVersion: string, kind: string): ResourceType {
  const found = registry.byKind(apiVersion, kind);
  if (!found) throw new Error(`the resource table has no ${apiVersion} ${kind}`);
  return found;
}

function seed(
  store: ObjectStore,
  registry: ResourceRegistry,
  options: ClusterOptions,
  groups: NodeGroupSpec[],
): void {
  const namespaces = typeOf(registry, 'v1', 'Namespace');
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    store.create(namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }
  for (const { type, object } of systemObjects(registry)) store.create(type, object);
  store.create(typeOf(registry, 'v1', 'Service'), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.0.1',
      clusterIPs: ['10.96.0.1'],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    },
  });
  const nodes = typeOf(registry, 'v1', 'Node');
  for (const node of initialNodes(options, groups)) store.create(nodes, node);
  const leases = typeOf(registry, 'coordination.k8s.io/v1', 'Lease');
  for (const node of store.list(nodes).items)
    store.create(leases, nodeLease(node.metadata.name as string, store.nowIso()));
}

/**
 * Starts the local cluster: store, initial nodes and namespaces, the API server, the gateway and metrics listeners
 * (served by whichever controller registers their handlers), the controllers, and a kubeconfig.
 */
export async function startCluster(
  options?: ClusterOptions & { controlPlane?: 'builtin' },
): Promise<RunningCluster<ObjectStore>>;
export async function startCluster(options: ClusterOptions): Promise<RunningCluster>;
export async function startCluster(options: ClusterOptions = {}): Promise<RunningCluster> {
  if (options.controlPlane === 'kubernetes') return startKubernetesCluster(options);
  const registry = new ResourceRegistry();
  const store = new ObjectStore(registry);
  const profile = profiles[options.profile ?? 'fast'];
  const groups = nodeGroupSpecs(options);
  seed(store, registry, options, groups);
  const services: SimulatorServices = { nodeGroups: groups };
  const context: ControllerContext = {
    store,
    registry,
    profile,
    recordEvent: eventRecorder(store, registry),
    services,
  };
  const api = await startApiServer({ store, registry, services, port: options.port ?? 0 });
  const gateway = await delegatingListener(services, 'gateway', 'gateway');
  const metrics = await delegatingListener(services, 'metricsEndpoint', 'metrics endpoint');
  const dir = options.kubeconfigPath ? undefined : await mkdtemp(join(tmpdir(), 'scalegate-sim-'));
  const kubeconfig = options.kubeconfigPath ?? join(dir as string, 'kubeconfig');
  await writeKubeconfig(kubeconfig, api.url);
  const controllers = options.controllers ?? defaultControllers();
  const started: Controller[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Every part is stopped even when one fails, so that nothing keeps the process alive; the first failure is rethrown.
    const results = [];
    for (const c of [...started].reverse()) results.push(...(await Promise.allSettled([c.stop()])));
    results.push(
      ...(await Promise.allSettled([api.close(), closeServer(gateway.server), closeServer(metrics.server)])),
    );
    if (dir) await rm(dir, { recursive: true, force: true });
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  };
  try {
    for (const c of controllers) {
      c.start(context);
      started.push(c);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    apiServer: api.url,
    kubeconfig,
    metrics: metrics.url,
    gateway: gateway.url,
    store,
    registry,
    context,
    stop,
  };
}
