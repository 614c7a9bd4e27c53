/**
 * DefaultPreemption as pure functions: per node, remove every lower-priority pod, check the preemptor fits, then
 * reprieve victims from the most important down while it still fits; pick the node whose victims matter least.
 */
import type { KubeObject } from '../store/types.js';
import { assumePod, type FilterFailure, type NodeInfo } from './scheduling.js';

export interface PreemptionCandidate {
  node: string;
  victims: KubeObject[];
}

function startTime(pod: KubeObject): number {
  return Date.parse(pod.status?.startTime ?? pod.metadata.creationTimestamp ?? '') || 0;
}

/** `SelectVictimsOnNode`. `fits` runs the Filter plugins against a trial NodeInfo. */
export function selectVictims(
  preemptorPriority: number,
  info: NodeInfo,
  priorityOf: (pod: KubeObject) => number,
  fits: (trial: NodeInfo) => boolean,
): KubeObject[] | undefined {
  const lower = info.pods.filter((p) => !p.metadata.deletionTimestamp && priorityOf(p) < preemptorPriority);
  if (lower.length === 0) return undefined;
  const lowerUids = new Set(lower.map((p) => p.metadata.uid));
  const trial: NodeInfo = {
    node: info.node,
    pods: [],
    requested: { milliCpu: 0, memory: 0 },
    nominated: info.nominated,
  };
  for (const pod of info.pods) if (!lowerUids.has(pod.metadata.uid)) assumePod(trial, pod);
  if (!fits(trial)) return undefined;
  // MoreImportantPod: higher priority first, then the one running longer.
  const byImportance = [...lower].sort(
    (a, b) => priorityOf(b) - priorityOf(a) || startTime(a) - startTime(b),
  );
  const victims: KubeObject[] = [];
  for (const pod of byImportance) {
    const withPod: NodeInfo = { ...trial, pods: [...trial.pods], requested: { ...trial.requested } };
    assumePod(withPod, pod);
    if (fits(withPod)) Object.assign(trial, withPod);
    else victims.push(pod);
  }
  return victims;
}

/**
 * `pickOneNodeForPreemption`: lowest highest-victim priority, then lowest sum of victim priorities, then fewest
 * victims, then the node name for a stable choice.
 */
export function pickPreemptionNode(
  candidates: PreemptionCandidate[],
  priorityOf: (pod: KubeObject) => number,
): PreemptionCandidate | undefined {
  const highest = (c: PreemptionCandidate) => Math.max(...c.victims.map(priorityOf));
  const sum = (c: PreemptionCandidate) => c.victims.reduce((s, p) => s + priorityOf(p), 0);
  return [...candidates].sort(
    (a, b) =>
      highest(a) - highest(b) ||
      sum(a) - sum(b) ||
      a.victims.length - b.victims.length ||
      a.node.localeCompare(b.node),
  )[0];
}

/** Nodes where removing pods could help: those that failed with a resolvable status. */
export function preemptionMightHelp(failure: FilterFailure): boolean {
  return failure.code === 'Unschedulable';
}
