import type { V1Pod } from '@kubernetes/client-node';

/** Why one pod is not serving: `capacity` is the infrastructure's fault, `app` the workload's. */
export interface PodProblem {
  pod: string;
  cause: 'capacity' | 'app';
  reason: string;
  message: string;
}

const backOffReasons = new Set(['ImagePullBackOff', 'CrashLoopBackOff']);
const appWaitingReasons = new Set([
  ...backOffReasons,
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** The problems of one pod, from its conditions and container statuses (nothing for a healthy pod). */
export function podProblems(pod: V1Pod): PodProblem[] {
  const name = pod.metadata?.name ?? '?';
  const problems: PodProblem[] = [];
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    problems.push({
      pod: name,
      cause: 'capacity',
      reason: 'Unschedulable',
      message: scheduled.message ?? 'no node fits the pod',
    });
  }
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const status of statuses) {
    const waiting = status.state?.waiting;
    const lastTerminated = status.lastState?.terminated;
    if (lastTerminated?.reason === 'OOMKilled') {
      problems.push({
        pod: name,
        cause: 'app',
        reason: 'OOMKilled',
        message: `container ${status.name} was OOMKilled (exit ${lastTerminated.exitCode}), restarted ${status.restartCount} times`,
      });
    } else if (waiting?.reason && appWaitingReasons.has(waiting.reason)) {
      problems.push({
        pod: name,
        cause: 'app',
        reason: waiting.reason,
        message: `container ${status.name}: ${waiting.message ?? waiting.reason}`,
      });
    }
  }
  return problems;
}

/** True when a problem will not clear by waiting: the kubelet has already backed off retrying it. */
export function isTerminalProblem(problem: PodProblem): boolean {
  return backOffReasons.has(problem.reason) || problem.reason === 'OOMKilled';
}

/**
 * One line per distinct (reason, message), with how many pods share it. Unschedulable is worded as missing capacity,
 * so a blocked cluster reads as an infrastructure problem, not as a broken release.
 */
export function summarizeProblems(problems: PodProblem[]): string {
  const groups = new Map<string, { problem: PodProblem; pods: string[] }>();
  for (const problem of problems) {
    const key = `${problem.reason}\u0000${problem.message}`;
    const group = groups.get(key) ?? { problem, pods: [] };
    group.pods.push(problem.pod);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ problem, pods }) => {
      const who =
        pods.length === 1 ? `pod ${pods[0]}` : `${pods.length} pods (${pods.slice(0, 3).join(', ')})`;
      if (problem.cause === 'capacity') return `missing capacity: ${who} Unschedulable: ${problem.message}`;
      return `${who} ${problem.reason}: ${problem.message}`;
    })
    .join('; ');
}
