/**
 * cluster-autoscaler's decisions as pure functions over scheduler NodeInfos: which pending pods still need room,
 * how many template nodes a group needs (binpacking with the scheduler's own filters), the least-waste expander,
 * node utilization and whether a node's pods can move elsewhere.
 */
import type { KubeObject } from '../store/types.js';
import {
  assumePod,
  type FilterFailure,
  filterNode,
  type NodeInfo,
  nodeAllocatable,
  podRequest,
  type Resources,
} from './scheduling.js';

/** --expendable-pods-priority-cutoff: pods below it neither trigger scale-up nor block scale-down. */
export const expendablePriorityCutoff = -10;

export type PriorityOf = (pod: KubeObject) => number;

export function emptyNodeInfo(node: KubeObject): NodeInfo {
  return { node, pods: [], requested: { milliCpu: 0, memory: 0 }, nominated: [] };
}

/** Why the pod does not fit the node, or undefined when it does (the scheduler's filters, no spreading). */
export function fitFailure(
  pod: KubeObject,
  info: NodeInfo,
  priorityOf: PriorityOf,
): FilterFailure | undefined {
  return filterNode(pod, info, [], priorityOf(pod), priorityOf);
}

/**
 * Places pods one by one on the first node they fit (`filterOutSchedulable`); returns the ones that fit nowhere.
 * The infos are updated as pods are placed.
 */
export function placeOnExisting(pods: KubeObject[], infos: NodeInfo[], priorityOf: PriorityOf): KubeObject[] {
  const left: KubeObject[] = [];
  for (const pod of pods) {
    const target = infos.find((info) => !fitFailure(pod, info, priorityOf));
    if (target) assumePod(target, pod);
    else left.push(pod);
  }
  return left;
}

/** Larger pods first, as the binpacking estimator orders them (cpu and memory shares of the template node). */
function byDecreasingSize(template: KubeObject): (a: KubeObject, b: KubeObject) => number {
  const alloc = nodeAllocatable(template);
  const score = (p: KubeObject) => {
    const r = podRequest(p);
    return (alloc.milliCpu ? r.milliCpu / alloc.milliCpu : 0) + (alloc.memory ? r.memory / alloc.memory : 0);
  };
  return (a, b) => score(b) - score(a);
}

export interface ScaleUpOption {
  group: string;
  nodes: number;
  pods: KubeObject[];
  /** Requests of the placed pods and the capacity of the added nodes, for the expander. */
  requested: Resources;
  capacity: Resources;
}

/**
 * The binpacking estimator: how many template nodes (at most `maxNew`) it takes to host the pods, and which pods
 * they host. Pods that fit no empty template node are left out.
 */
export function estimate(
  group: string,
  template: KubeObject,
  pods: KubeObject[],
  maxNew: number,
  priorityOf: PriorityOf,
): ScaleUpOption {
  const added: NodeInfo[] = [];
  const placed: KubeObject[] = [];
  for (const pod of [...pods].sort(byDecreasingSize(template))) {
    if (fitFailure(pod, emptyNodeInfo(template), priorityOf)) continue;
    let target = added.find((info) => !fitFailure(pod, info, priorityOf));
    if (!target && added.length < maxNew) {
      target = emptyNodeInfo(template);
      added.push(target);
    }
    if (!target) continue;
    assumePod(target, pod);
    placed.push(pod);
  }
  const alloc = nodeAllocatable(template);
  return {
    group,
    nodes: added.length,
    pods: placed,
    requested: placed
      .map(podRequest)
      .reduce((s, r) => ({ milliCpu: s.milliCpu + r.milliCpu, memory: s.memory + r.memory }), {
        milliCpu: 0,
        memory: 0,
      }),
    capacity: { milliCpu: alloc.milliCpu * added.length, memory: alloc.memory * added.length },
  };
}

/** The least-waste expander: the option leaving the smallest share of idle CPU plus idle memory; ties by name. */
export function leastWaste(options: ScaleUpOption[]): ScaleUpOption | undefined {
  const waste = (o: ScaleUpOption) =>
    (o.capacity.milliCpu ? (o.capacity.milliCpu - o.requested.milliCpu) / o.capacity.milliCpu : 0) +
    (o.capacity.memory ? (o.capacity.memory - o.requested.memory) / o.capacity.memory : 0);
  return options
    .filter((o) => o.pods.length > 0)
    .sort(
      (a, b) => waste(a) - waste(b) || b.pods.length - a.pods.length || a.group.localeCompare(b.group),
    )[0];
}

/** max(Σcpu requests / allocatable, Σmemory requests / allocatable) of the pods on the node. */
export function utilization(info: NodeInfo): number {
  const alloc = nodeAllocatable(info.node);
  const cpu = alloc.milliCpu ? info.requested.milliCpu / alloc.milliCpu : 0;
  const memory = alloc.memory ? info.requested.memory / alloc.memory : 0;
  return Math.max(cpu, memory);
}

function isDaemonSetPod(pod: KubeObject): boolean {
  return (pod.metadata.ownerReferences ?? []).some((r) => r.controller && r.kind === 'DaemonSet');
}

/**
 * Pods a scale-down has to move: not DaemonSet pods, not expendable ones. Returns undefined when one of them
 * blocks the removal (no controller, kube-system, or `safe-to-evict: "false"`), as the drain rules do.
 */
export function podsToMove(info: NodeInfo, priorityOf: PriorityOf): KubeObject[] | undefined {
  const moving: KubeObject[] = [];
  for (const pod of info.pods) {
    if (pod.metadata.deletionTimestamp || isDaemonSetPod(pod) || priorityOf(pod) < expendablePriorityCutoff)
      continue;
    const safe = pod.metadata.annotations?.['cluster-autoscaler.kubernetes.io/safe-to-evict'];
    if (safe === 'false') return undefined;
    const controlled = (pod.metadata.ownerReferences ?? []).some((r) => r.controller);
    if (safe !== 'true' && (!controlled || pod.metadata.namespace === 'kube-system')) return undefined;
    moving.push(pod);
  }
  return moving;
}

/** "1 Insufficient cpu, 2 max node group size reached": why no group could help a pod (NotTriggerScaleUp). */
export function notTriggerMessage(reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const text = [...counts]
    .map(([reason, count]) => `${count} ${reason}`)
    .sort()
    .join(', ');
  return `pod didn't trigger scale-up: ${text}`;
}
