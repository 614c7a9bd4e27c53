import { createHash } from 'node:crypto';
import { type KubeletControl, withdraw } from '../services.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import { commandRunSeconds } from './container-command.js';
import {
  advance,
  type ContainerState,
  exitContainer,
  isContainerReady,
  newContainer,
  parseImage,
  type RuntimeEnvironment,
  type RuntimeEvent,
  readinessDelaySeconds,
  type Terminated,
} from './container-runtime.js';
import { findCondition, isType, splitKey, withCondition } from './objects.js';
import { QueueController } from './queue-controller.js';

const source = 'kubelet';

interface PodRuntime {
  uid: string;
  node: string;
  hostIP: string;
  containers: ContainerState[];
  podIP: string;
  startTime: string;
  timer?: NodeJS.Timeout;
  stopAt?: number;
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const digest = (text: string) => createHash('sha256').update(text).digest('hex');

function terminatedState(t: Terminated, containerId: string) {
  return {
    terminated: {
      exitCode: t.exitCode,
      reason: t.reason,
      startedAt: iso(t.startedAt),
      finishedAt: iso(t.finishedAt),
      containerID: containerId,
    },
  };
}

/**
 * The node agent of every simulated node: runs the containers of pods bound to its nodes through the
 * container-runtime state machine (pull, start, readiness, exits, CrashLoopBackOff, ImagePullBackOff), writes pod
 * status (phase, conditions, containerStatuses, IPs, startTime), and finishes graceful deletions by removing the
 * pod after min(grace period, a short stop time). Registered as the `kubelet` service so the data plane can kill
 * containers (OOMKilled).
 */
export class Kubelet extends QueueController implements KubeletControl {
  readonly name = 'kubelet';
  private readonly runtimes = new Map<string, PodRuntime>();
  private readonly images = new Map<string, Set<string>>();
  private readonly nodeIndex = new Map<string, number>();
  private readonly nextHost = new Map<string, number>();

  protected override begin(): void {
    this.context.services.kubelet = this;
    for (const pod of this.context.store.list(this.types.pods).items) {
      if (pod.spec?.nodeName) this.queue.add(`${pod.metadata.namespace}/${pod.metadata.name}`);
    }
  }

  override async stop(): Promise<void> {
    await super.stop();
    for (const runtime of this.runtimes.values()) clearTimeout(runtime.timer);
    this.runtimes.clear();
    if (this.context) withdraw(this.context.services, 'kubelet', this);
  }

  killContainer(namespace: string, pod: string, container: string, reason: string, exitCode: number): void {
    const key = `${namespace}/${pod}`;
    const runtime = this.runtimes.get(key);
    const state = runtime?.containers.find((c) => c.name === container);
    const object = this.context.store.tryGet(this.types.pods, namespace, pod);
    if (!runtime || !state || !object) return;
    const events = exitContainer(state, exitCode, reason, this.environment(object, runtime, state));
    this.record(object, events);
    this.queue.add(key);
  }

  protected override onEvent(event: StoreEvent): void {
    const { object } = event;
    if (isType(event.resource, this.types.pods)) {
      const key = `${object.metadata.namespace}/${object.metadata.name}`;
      if (event.type === 'DELETED') this.forget(key, object.metadata.uid);
      else if (object.spec?.nodeName) this.queue.add(key);
    } else if (isType(event.resource, this.types.nodes) && event.type === 'DELETED') {
      this.images.delete(object.metadata.name as string);
    }
  }

  private forget(key: string, uid: string | undefined): void {
    const runtime = this.runtimes.get(key);
    if (runtime && (!uid || runtime.uid === uid)) {
      clearTimeout(runtime.timer);
      this.runtimes.delete(key);
    }
  }

  private environment(pod: KubeObject, runtime: PodRuntime, container: ContainerState): RuntimeEnvironment {
    const { profile } = this.context;
    const spec = (pod.spec?.containers ?? []).find((c: { name: string }) => c.name === container.name);
    let cache = this.images.get(runtime.node);
    if (!cache) {
      cache = new Set();
      this.images.set(runtime.node, cache);
    }
    const images = cache;
    return {
      now: this.context.store.clock.now(),
      imagePresent: (image) => images.has(image),
      imagePulled: (image) => images.add(image),
      pullSeconds: profile.imagePullSeconds,
      startSeconds: profile.containerStartSeconds,
      backoffSeconds: profile.containerBackoffSeconds,
      restartPolicy: pod.spec?.restartPolicy ?? 'Always',
      readinessSeconds: readinessDelaySeconds(spec?.readinessProbe),
      podRef: `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
    };
  }

  private podIP(node: string): string {
    let index = this.nodeIndex.get(node);
    if (index === undefined) {
      index = (this.nodeIndex.size % 250) + 1;
      this.nodeIndex.set(node, index);
    }
    const host = this.nextHost.get(node) ?? 2;
    this.nextHost.set(node, host >= 254 ? 2 : host + 1);
    return `10.244.${index}.${host}`;
  }

  protected sync(key: string): void {
    const { store } = this.context;
    const { namespace, name } = splitKey(key);
    const pod = store.tryGet(this.types.pods, namespace, name);
    if (!pod?.spec?.nodeName) return;
    let runtime = this.runtimes.get(key);
    if (runtime && runtime.uid !== pod.metadata.uid) {
      this.forget(key, undefined);
      runtime = undefined;
    }
    const phase = pod.status?.phase;
    if (!runtime && (phase === 'Succeeded' || phase === 'Failed')) return;
    const now = store.clock.now();
    if (!runtime) {
      const node = store.tryGet(this.types.nodes, undefined, pod.spec.nodeName);
      if (!node) return;
      runtime = {
        hostIP:
          node.status?.addresses?.find((a: { type: string }) => a.type === 'InternalIP')?.address ??
          '10.0.0.1',
        uid: pod.metadata.uid as string,
        node: pod.spec.nodeName,
        containers: (pod.spec.containers ?? []).map(
          (c: { name: string; image: string; command?: string[]; args?: string[] }) =>
            newContainer(c.name, c.image, now, commandRunSeconds(c, pod.spec.restartPolicy)),
        ),
        podIP: this.podIP(pod.spec.nodeName),
        startTime: iso(now),
      };
      this.runtimes.set(key, runtime);
    }
    if (pod.metadata.deletionTimestamp) {
      this.terminate(key, pod, runtime, now);
      return;
    }
    for (const container of runtime.containers) {
      this.record(pod, advance(container, this.environment(pod, runtime, container)));
    }
    const status = this.render(pod, runtime, now);
    if (JSON.stringify(status) !== JSON.stringify(pod.status ?? {})) {
      store.update(this.types.pods, { ...pod, status }, { subresource: 'status' });
    }
    const due = Math.min(...runtime.containers.map((c) => c.next?.at ?? Number.POSITIVE_INFINITY));
    this.wakeAt(key, runtime, due);
  }

  private wakeAt(key: string, runtime: PodRuntime, at: number): void {
    clearTimeout(runtime.timer);
    runtime.timer = undefined;
    if (!Number.isFinite(at)) return;
    runtime.timer = setTimeout(() => this.queue.add(key), Math.max(0, at - this.context.store.clock.now()));
    runtime.timer.unref();
  }

  /** Graceful deletion: stop the containers (SIGTERM), then remove the pod once stopped or the grace period ends. */
  private terminate(key: string, pod: KubeObject, runtime: PodRuntime, now: number): void {
    if (runtime.stopAt === undefined) {
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
      runtime.stopAt = now + Math.min(grace, this.context.profile.containerStartSeconds) * 1000;
      for (const c of runtime.containers) {
        if (c.phase === 'running') {
          this.record(pod, [{ type: 'Normal', reason: 'Killing', message: `Stopping container ${c.name}` }]);
        }
      }
    }
    if (now >= runtime.stopAt) {
      this.forget(key, runtime.uid);
      this.context.store.remove(this.types.pods, pod.metadata.namespace, pod.metadata.name as string);
      return;
    }
    this.wakeAt(key, runtime, runtime.stopAt);
  }

  private record(pod: KubeObject, events: RuntimeEvent[]): void {
    for (const e of events) this.context.recordEvent(pod, e.type, e.reason, e.message, source);
  }

  private render(pod: KubeObject, runtime: PodRuntime, now: number): Record<string, unknown> {
    const nowIso = iso(now);
    const containers = runtime.containers;
    const finished = containers.every((c) => c.phase === 'terminated' && !c.next);
    const phase = finished
      ? containers.every((c) => c.terminated?.exitCode === 0)
        ? 'Succeeded'
        : 'Failed'
      : containers.some((c) => c.everStarted)
        ? 'Running'
        : 'Pending';
    const unready = containers.filter((c) => !isContainerReady(c, now)).map((c) => c.name);
    const ready = unready.length === 0;
    const readiness = ready
      ? { status: 'True' as const }
      : {
          status: 'False' as const,
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${unready.join(' ')}]`,
        };
    let conditions = pod.status?.conditions ?? [];
    conditions = withCondition(conditions, { type: 'PodReadyToStartContainers', status: 'True' }, nowIso);
    conditions = withCondition(conditions, { type: 'Initialized', status: 'True' }, nowIso);
    conditions = withCondition(conditions, { type: 'Ready', ...readiness }, nowIso);
    conditions = withCondition(conditions, { type: 'ContainersReady', ...readiness }, nowIso);
    if (!findCondition(conditions, 'PodScheduled')) {
      conditions = withCondition(conditions, { type: 'PodScheduled', status: 'True' }, nowIso);
    }
    const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
    conditions = [...conditions].sort((a, b) => {
      const ia = order.indexOf(a.type);
      const ib = order.indexOf(b.type);
      return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib);
    });
    const { hostIP } = runtime;
    return {
      ...pod.status,
      phase,
      conditions,
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP: runtime.podIP,
      podIPs: [{ ip: runtime.podIP }],
      startTime: runtime.startTime,
      containerStatuses: containers.map((c) => this.containerStatus(runtime, c, now)),
    };
  }

  private containerStatus(runtime: PodRuntime, c: ContainerState, now: number): Record<string, unknown> {
    const id = (restart: number) =>
      `containerd://${digest(`${runtime.uid}/${c.name}/${restart}`).slice(0, 64)}`;
    const containerID = c.everStarted ? id(c.restartCount) : undefined;
    let state: Record<string, unknown>;
    if (c.phase === 'running') state = { running: { startedAt: iso(c.startedAt ?? now) } };
    else if (c.phase === 'terminated' && c.terminated)
      state = terminatedState(c.terminated, containerID ?? '');
    else
      state = {
        waiting: { reason: c.reason ?? 'ContainerCreating', ...(c.message ? { message: c.message } : {}) },
      };
    return {
      name: c.name,
      image: c.image,
      imageID: c.everStarted ? `${parseImage(c.image).repository}@sha256:${digest(c.image)}` : '',
      ...(containerID ? { containerID } : {}),
      ready: isContainerReady(c, now),
      started: c.phase === 'running',
      restartCount: c.restartCount,
      state,
      lastState: c.lastTerminated
        ? terminatedState(c.lastTerminated, id(Math.max(0, c.restartCount - 1)))
        : {},
    };
  }
}
