import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventRecorder } from './api/events.js';
import { startApiServer } from './api/server.js';
import { nodeLease, systemObjects } from './api/system-objects.js';
import type { Controller, ControllerContext } from './controllers/controller.js';
import { defaultControllers } from './controllers/index.js';
import { writeKubeconfig } from './kubeconfig.js';
import { type NodeGroupSpec, nodeGroupsServiceKey, nodeObject, zoneLabel } from './nodes.js';
import { type ClusterProfile, profiles } from './profile.js';
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
}

export interface RunningCluster {
  apiServer: string;
  kubeconfig: string;
  metrics: string;
  gateway: string;
  store: ObjectStore;
  registry: ResourceRegistry;
  context: ControllerContext;
  stop(): Promise<void>;
}

export const gatewayHandlerKey = 'gateway.handler';
export const metricsHandlerKey = 'metrics.handler';

const zones = ['a', 'b', 'c'];

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A listener whose handler is looked up per request, so the part that serves it may start (or stop) any time. */
async function delegatingListener(
  services: Map<string, unknown>,
  key: string,
  what: string,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const handler = services.get(key) as Handler | undefined;
    if (handler) return handler(req, res);
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`scalegate local cluster: no ${what} is running (no controller registered "${key}")\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

function closeServer(server: Server): Promise<void> {
  server.closeIdleConnections();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
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
  const cpu = options.nodeCpu ?? '2';
  const memory = options.nodeMemory ?? '8Gi';
  for (let i = 0; i < (options.nodes ?? 3); i++) {
    store.create(
      nodes,
      nodeObject({
        name: `node-${i + 1}`,
        cpu,
        memory,
        labels: { [zoneLabel]: zones[i % zones.length] as string },
      }),
    );
  }
  const leases = typeOf(registry, 'coordination.k8s.io/v1', 'Lease');
  for (const node of store.list(nodes).items)
    store.create(leases, nodeLease(node.metadata.name as string, store.nowIso()));
  for (const g of groups) {
    for (let i = 0; i < g.min; i++) {
      store.create(
        nodes,
        nodeObject({
          name: `${g.name}-${i + 1}`,
          cpu: g.cpu,
          memory: g.memory,
          group: g.name,
          labels: { [zoneLabel]: zones[i % zones.length] as string },
        }),
      );
    }
  }
}

/**
 * Starts the local cluster: store, initial nodes and namespaces, the API server, the gateway and metrics listeners
 * (served by whichever controller registers their handlers), the controllers, and a kubeconfig.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<RunningCluster> {
  const registry = new ResourceRegistry();
  const store = new ObjectStore(registry);
  const profile = profiles[options.profile ?? 'fast'];
  const groups: NodeGroupSpec[] = (options.nodeGroups ?? []).map((g) => ({
    ...g,
    cpu: options.nodeCpu ?? '2',
    memory: options.nodeMemory ?? '8Gi',
  }));
  seed(store, registry, options, groups);
  const services = new Map<string, unknown>([[nodeGroupsServiceKey, groups]]);
  const context: ControllerContext = {
    store,
    registry,
    profile,
    recordEvent: eventRecorder(store, registry),
    services,
  };
  const api = await startApiServer({ store, registry, services, port: options.port ?? 0 });
  const gateway = await delegatingListener(services, gatewayHandlerKey, 'gateway');
  const metrics = await delegatingListener(services, metricsHandlerKey, 'metrics endpoint');
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
