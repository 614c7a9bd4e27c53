import { eventRecorder } from '../../simulator/api/events.js';
import type { Controller, ControllerContext } from '../../simulator/controllers/controller.js';
import { DeploymentController } from '../../simulator/controllers/deployment.js';
import { GarbageCollector } from '../../simulator/controllers/gc.js';
import { Kubelet } from '../../simulator/controllers/kubelet.js';
import { coreTypes } from '../../simulator/controllers/objects.js';
import { ReplicaSetController } from '../../simulator/controllers/replicaset.js';
import { Scheduler } from '../../simulator/controllers/scheduler.js';
import { type NodeGroupSpec, nodeObject } from '../../simulator/nodes.js';
import { type ClusterProfile, profiles } from '../../simulator/profile.js';
import { ResourceRegistry } from '../../simulator/store/resources.js';
import { ObjectStore, type StoreEvent } from '../../simulator/store/store.js';
import type { KubeObject } from '../../simulator/store/types.js';

/** An ObjectStore with the core controllers under test running against it, on a profile faster than `fast`. */

export const registry = new ResourceRegistry();
export const types = coreTypes(registry);
export const eventType = registry.byKind('v1', 'Event')!;

export const testProfile: ClusterProfile = {
  ...profiles.fast,
  imagePullSeconds: 0.1,
  containerStartSeconds: 0.05,
  containerBackoffSeconds: 0.3,
  schedulerBackoffSeconds: 0.3,
  deploymentResyncSeconds: 0.1,
  clusterAutoscalerScanSeconds: 0.2,
  nodeProvisionSeconds: 0.5,
  scaleDownUnneededSeconds: 1,
  scaleDownDelayAfterAddSeconds: 1,
};

export interface Harness {
  store: ObjectStore;
  context: ControllerContext;
  /** Every change committed so far, in order. */
  changes: StoreEvent[];
  stop(): Promise<void>;
}

const running = new Set<Harness>();

/** Stops every harness started by the current test (for afterEach). */
export async function stopHarnesses(): Promise<void> {
  for (const h of running) await h.stop();
  running.clear();
}

/** Deployments → ReplicaSets → scheduled, running pods, with garbage collection. */
export function coreControllers(): Controller[] {
  return [
    new DeploymentController(),
    new ReplicaSetController(),
    new Scheduler(),
    new Kubelet(),
    new GarbageCollector(),
  ];
}

export function startControllers(
  controllers: Controller[],
  options: { nodes?: KubeObject[]; groups?: NodeGroupSpec[]; profile?: Partial<ClusterProfile> } = {},
): Harness {
  const store = new ObjectStore(registry);
  const changes: StoreEvent[] = [];
  store.subscribe((e) => changes.push(e));
  for (const name of ['default', 'kube-system']) {
    store.create(types.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  for (const node of options.nodes ?? []) store.create(types.nodes, node);
  const context: ControllerContext = {
    store,
    registry,
    profile: { ...testProfile, ...options.profile },
    recordEvent: eventRecorder(store, registry),
    services: options.groups ? { nodeGroups: options.groups } : {},
  };
  for (const c of controllers) c.start(context);
  const harness: Harness = {
    store,
    context,
    changes,
    stop: async () => {
      for (const c of [...controllers].reverse()) await c.stop();
    },
  };
  running.add(harness);
  return harness;
}

export function node(
  name: string,
  cpu = '2',
  memory = '4Gi',
  extra: Partial<Parameters<typeof nodeObject>[0]> = {},
) {
  return nodeObject({ name, cpu, memory, ...extra });
}

export interface PodTemplateOptions {
  image?: string;
  cpu?: string;
  memory?: string;
  readinessDelay?: number;
  labels?: Record<string, string>;
  priorityClassName?: string;
  spec?: Record<string, unknown>;
}

export function podTemplate(app: string, o: PodTemplateOptions = {}) {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    metadata: { labels: { app, ...o.labels } },
    spec: {
      containers: [
        {
          name: 'app',
          image: o.image ?? 'registry.local/app:1.0',
          resources: { requests },
          ...(o.readinessDelay !== undefined
            ? {
                readinessProbe: {
                  httpGet: { path: '/', port: 8080 },
                  initialDelaySeconds: o.readinessDelay,
                  periodSeconds: 1,
                },
              }
            : {}),
        },
      ],
      ...(o.priorityClassName ? { priorityClassName: o.priorityClassName } : {}),
      terminationGracePeriodSeconds: 1,
      ...o.spec,
    },
  };
}

export function deployment(
  name: string,
  replicas: number,
  template = podTemplate(name),
  spec: Record<string, unknown> = {},
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template, ...spec },
  };
}

export function pod(name: string, template = podTemplate(name)): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...template.metadata },
    spec: { ...template.spec },
    status: { phase: 'Pending' },
  };
}

export function podsOf(store: ObjectStore, app: string): KubeObject[] {
  return store.list(types.pods, { namespace: 'default' }).items.filter((p) => p.metadata.labels?.app === app);
}

export function eventsFor(store: ObjectStore, name: string, reason?: string): KubeObject[] {
  return store
    .list(eventType)
    .items.filter(
      (e) =>
        (e.involvedObject as { name: string }).name === name && (reason === undefined || e.reason === reason),
    );
}

/** Reasons of the Events about an object, in the order they were first recorded. */
export function eventReasons(h: Harness, name: string): string[] {
  return h.changes
    .filter(
      (c) =>
        c.type === 'ADDED' &&
        c.resource.plural === 'events' &&
        (c.object.involvedObject as { name: string }).name === name,
    )
    .map((c) => c.object.reason as string);
}

export function condition(object: KubeObject | undefined, type: string) {
  return (object?.status?.conditions ?? []).find((c: { type: string }) => c.type === type);
}
