import { Agent, request } from 'undici';
import type { ControllerContext } from '../../simulator/controllers/controller.js';
import { DataPlaneController } from '../../simulator/dataplane/controller.js';
import { closeServer, delegatingListener } from '../../simulator/listener.js';
import { profiles } from '../../simulator/profile.js';
import type { SimulatorServices } from '../../simulator/services.js';
import { ResourceRegistry } from '../../simulator/store/resources.js';
import { ObjectStore } from '../../simulator/store/store.js';
import type { KubeObject } from '../../simulator/store/types.js';

/** A store, the data plane controller and plain HTTP servers in front of its handlers, as cluster.ts runs them. */

export const registry = new ResourceRegistry();
export const types = {
  pods: registry.byKind('v1', 'Pod')!,
  services: registry.byKind('v1', 'Service')!,
  nodes: registry.byKind('v1', 'Node')!,
  deployments: registry.byKind('apps/v1', 'Deployment')!,
  hpas: registry.byKind('autoscaling/v2', 'HorizontalPodAutoscaler')!,
  ingresses: registry.byKind('networking.k8s.io/v1', 'Ingress')!,
  httproutes: registry.byKind('gateway.networking.k8s.io/v1', 'HTTPRoute')!,
};

export interface Harness {
  store: ObjectStore;
  context: ControllerContext;
  events: Array<{ reason: string; message: string }>;
  gatewayUrl: string;
  metricsUrl: string;
  close(): Promise<void>;
}

export async function startHarness(services: SimulatorServices = {}): Promise<Harness> {
  const store = new ObjectStore(registry);
  const events: Harness['events'] = [];
  const context: ControllerContext = {
    store,
    registry,
    profile: profiles.fast,
    recordEvent: (_involved, _type, reason, message) => events.push({ reason, message }),
    services,
  };
  const controller = new DataPlaneController();
  controller.start(context);
  const gateway = await delegatingListener(services, 'gateway', 'gateway');
  const metrics = await delegatingListener(services, 'metricsEndpoint', 'metrics endpoint');
  return {
    store,
    context,
    events,
    gatewayUrl: gateway.url,
    metricsUrl: `${metrics.url}/metrics`,
    close: async () => {
      await controller.stop();
      await closeServer(gateway.server);
      await closeServer(metrics.server);
    },
  };
}

export interface PodOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  node?: string;
  ready?: boolean;
  cpuLimit?: string;
  memoryLimit?: string;
  readySince?: string;
}

/** Creates a pod and sets its status directly, as the kubelet would once it runs and passes readiness. */
export function createPod(store: ObjectStore, name: string, options: PodOptions = {}): KubeObject {
  const limits: Record<string, string> = {};
  if (options.cpuLimit) limits.cpu = options.cpuLimit;
  if (options.memoryLimit) limits.memory = options.memoryLimit;
  const created = store.create(types.pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      labels: options.labels ?? {},
      annotations: options.annotations ?? {},
    },
    spec: {
      nodeName: options.node ?? 'node-1',
      containers: [{ name: 'app', image: 'shop/web:1.0', resources: { requests: { cpu: '100m' }, limits } }],
    },
  });
  const now = options.readySince ?? new Date().toISOString();
  return store.update(
    types.pods,
    {
      ...created,
      status: {
        phase: 'Running',
        hostIP: '10.0.0.1',
        podIP: '10.1.0.1',
        startTime: now,
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
          { type: 'Ready', status: options.ready === false ? 'False' : 'True', lastTransitionTime: now },
        ],
        containerStatuses: [
          {
            name: 'app',
            image: 'shop/web:1.0',
            containerID: `containerd://${name}-0001`,
            restartCount: 0,
            ready: options.ready !== false,
            state: { running: { startedAt: now } },
          },
        ],
      },
    },
    { subresource: 'status' },
  );
}

export function createService(store: ObjectStore, name: string, selector: Record<string, string>): void {
  store.create(types.services, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'shop' },
    spec: { selector, ports: [{ port: 80, targetPort: 8080 }] },
  });
}

export interface Reply {
  status: number;
  pod: string | undefined;
  track: string | undefined;
  seconds: number;
}

const agent = new Agent({ connections: 256, keepAliveTimeout: 1000 });

export async function send(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  const started = performance.now();
  const res = await request(url, { headers, dispatcher: agent });
  await res.body.dump();
  const header = (name: string) => res.headers[name] as string | undefined;
  return {
    status: res.statusCode,
    pod: header('x-scalegate-pod'),
    track: header('x-scalegate-track'),
    seconds: (performance.now() - started) / 1000,
  };
}

/** `total` requests from `concurrency` closed-loop clients. */
export async function load(
  url: string,
  total: number,
  concurrency: number,
  headers: Record<string, string> = {},
): Promise<Reply[]> {
  const replies: Reply[] = [];
  let issued = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < total) {
        issued++;
        replies.push(await send(url, headers));
      }
    }),
  );
  return replies;
}

/** Closed-loop clients that keep requests in flight until `stop` is called. */
export function keepBusy(url: string, concurrency: number): { stop: () => Promise<void> } {
  let running = true;
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) await send(url);
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

export function countBy<T>(items: T[], key: (item: T) => string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item) ?? '';
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
