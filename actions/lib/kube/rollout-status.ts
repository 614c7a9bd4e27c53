import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { ScalegateError } from '../util/errors.js';
import { ExitCode } from '../util/exit-codes.js';
import type { KubeClient } from './client.js';
import { isTerminalProblem, type PodProblem, podProblems, summarizeProblems } from './pod-diagnosis.js';
import { statusCodeOf } from './retry.js';

/** Where a Deployment's rollout stands, as `kubectl rollout status` decides it. */
export type RolloutState =
  | { phase: 'waiting'; message: string }
  | { phase: 'done'; message: string }
  | { phase: 'failed'; message: string };

/** kubectl's DeploymentStatusViewer.Status, step by step (see kubernetes-autoscaling.md §11). */
export function rolloutState(deployment: V1Deployment): RolloutState {
  const name = deployment.metadata?.name ?? '?';
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  if (generation > (status.observedGeneration ?? 0))
    return { phase: 'waiting', message: 'Waiting for deployment spec update to be observed...' };
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return { phase: 'failed', message: `deployment "${name}" exceeded its progress deadline` };
  const wanted = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const replicas = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const prefix = `Waiting for deployment "${name}" rollout to finish:`;
  if (updated < wanted)
    return {
      phase: 'waiting',
      message: `${prefix} ${updated} out of ${wanted} new replicas have been updated...`,
    };
  if (replicas > updated)
    return {
      phase: 'waiting',
      message: `${prefix} ${replicas - updated} old replicas are pending termination...`,
    };
  if (available < updated)
    return {
      phase: 'waiting',
      message: `${prefix} ${available} of ${updated} updated replicas are available...`,
    };
  return { phase: 'done', message: `deployment "${name}" successfully rolled out` };
}

/** A rollout that failed or ran out of time, with the pods' reasons. */
export class RolloutError extends ScalegateError {
  constructor(
    message: string,
    readonly problems: PodProblem[],
  ) {
    super(message, 1);
  }

  /** True when every reason is missing capacity (Unschedulable), i.e. the infrastructure, not the release. */
  get missingCapacity(): boolean {
    return this.problems.length > 0 && this.problems.every((p) => p.cause === 'capacity');
  }
}

export interface WaitOptions {
  namespace?: string;
  name: string;
  /** Give up after this long (kubectl's --timeout). */
  timeoutMs: number;
  /** Stop early when a pod is in ImagePullBackOff / CrashLoopBackOff / OOMKilled: waiting cannot fix it. */
  failFast?: boolean;
  /** How often pods are checked for failFast. */
  podCheckIntervalMs?: number;
  signal?: AbortSignal;
  onMessage?: (message: string) => void;
}

function selectorOf(deployment: V1Deployment): string {
  const labels = deployment.spec?.selector?.matchLabels ?? {};
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The Deployment's pods (those its selector matches), terminating ones included. */
export async function deploymentPods(client: KubeClient, deployment: V1Deployment): Promise<V1Pod[]> {
  const pods = await client.list<V1Pod>('v1', 'Pod', {
    namespace: deployment.metadata?.namespace,
    labelSelector: selectorOf(deployment),
  });
  return pods.items;
}

/** The problems of the Deployment's pods. */
export async function deploymentPodProblems(
  client: KubeClient,
  deployment: V1Deployment,
): Promise<PodProblem[]> {
  return (await deploymentPods(client, deployment))
    .filter((p) => !p.metadata?.deletionTimestamp)
    .flatMap(podProblems);
}

function failure(name: string, headline: string, problems: PodProblem[]): RolloutError {
  const detail = problems.length > 0 ? `: ${summarizeProblems(problems)}` : '';
  return new RolloutError(`rollout of deployment "${name}" failed: ${headline}${detail}`, problems);
}

/**
 * Waits for a Deployment's rollout exactly as `kubectl rollout status` does, by watch: list to get a
 * resourceVersion, watch from it, re-watch from the last version seen when the stream ends (client-node's 30 s
 * inactivity timeout, a dropped connection) and re-list after 410 Gone. Resolves with the final message; throws
 * RolloutError (with the pods' reasons) on ProgressDeadlineExceeded, deletion, the time limit, or a stuck pod.
 */
export async function waitForRollout(client: KubeClient, options: WaitOptions): Promise<string> {
  const namespace = options.namespace ?? client.namespace;
  const { name } = options;
  const path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments`;
  const deadline = Date.now() + options.timeoutMs;
  const say = options.onMessage ?? (() => {});
  let latest: V1Deployment | undefined;
  let lastMessage = '';

  const fail = async (headline: string): Promise<never> => {
    const problems = latest ? await deploymentPodProblems(client, latest).catch(() => []) : [];
    throw failure(name, headline, problems);
  };
  const evaluate = (deployment: V1Deployment): RolloutState => {
    latest = deployment;
    const state = rolloutState(deployment);
    if (state.message !== lastMessage) say(state.message);
    lastMessage = state.message;
    return state;
  };

  let podTimer: NodeJS.Timeout | undefined;
  let finished = false;
  const stuckPods = new Promise<PodProblem[]>((resolve) => {
    if (options.failFast === false) return;
    const interval = options.podCheckIntervalMs ?? 2000;
    const check = async () => {
      if (latest) {
        const problems = await deploymentPodProblems(client, latest).catch(() => []);
        if (problems.some(isTerminalProblem)) return resolve(problems);
      }
      if (!finished) podTimer = setTimeout(check, interval);
    };
    podTimer = setTimeout(check, interval);
  });

  try {
    let resourceVersion: string | undefined;
    for (;;) {
      if (options.signal?.aborted)
        throw new ScalegateError(`waiting for deployment "${name}" was cancelled`, ExitCode.interrupted);
      if (Date.now() >= deadline)
        return await fail(`timed out after ${Math.round(options.timeoutMs / 1000)}s`);
      if (resourceVersion === undefined) {
        const list = await client.list<V1Deployment>('apps/v1', 'Deployment', {
          namespace,
          fieldSelector: `metadata.name=${name}`,
        });
        const found = list.items[0];
        if (!found) return await fail('the deployment does not exist');
        found.metadata = { ...found.metadata, namespace };
        const state = evaluate(found);
        if (state.phase === 'done') return state.message;
        if (state.phase === 'failed') return await fail(state.message);
        resourceVersion = list.metadata?.resourceVersion ?? found.metadata?.resourceVersion;
      }
      const started = Date.now();
      const outcome = await watchOnce(
        client,
        path,
        name,
        resourceVersion!,
        deadline,
        options.signal,
        stuckPods,
        (d) => evaluate(d),
      );
      if (outcome.kind === 'terminal') {
        if (outcome.state.phase === 'done') return outcome.state.message;
        return await fail(outcome.state.message);
      }
      if (outcome.kind === 'stuck') throw failure(name, 'pods cannot start', outcome.problems);
      if (outcome.kind === 'deleted') return await fail('the deployment was deleted');
      resourceVersion = outcome.kind === 'gone' ? undefined : outcome.resourceVersion;
      // A stream that ends at once (server unreachable) must not turn into a busy loop.
      if (Date.now() - started < 1000) await sleep(500);
    }
  } finally {
    finished = true;
    clearTimeout(podTimer);
  }
}

type WatchOutcome =
  | { kind: 'terminal'; state: RolloutState }
  | { kind: 'stuck'; problems: PodProblem[] }
  | { kind: 'deleted' }
  | { kind: 'gone' }
  | { kind: 'ended'; resourceVersion: string };

/** One watch request; resolves when it ends, with what the caller should do next. */
function watchOnce(
  client: KubeClient,
  path: string,
  name: string,
  fromVersion: string,
  deadline: number,
  signal: AbortSignal | undefined,
  stuckPods: Promise<PodProblem[]>,
  evaluate: (deployment: V1Deployment) => RolloutState,
): Promise<WatchOutcome> {
  return new Promise((resolve) => {
    let resourceVersion = fromVersion;
    let controller: AbortController | undefined;
    let settled = false;
    const finish = (outcome: WatchOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      controller?.abort();
      resolve(outcome);
    };
    const onAbort = () => finish({ kind: 'ended', resourceVersion });
    const timer = setTimeout(
      () => finish({ kind: 'ended', resourceVersion }),
      Math.max(0, deadline - Date.now()),
    );
    signal?.addEventListener('abort', onAbort);
    stuckPods.then((problems) => finish({ kind: 'stuck', problems }));
    client
      .watch(
        path,
        {
          fieldSelector: `metadata.name=${name}`,
          resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: 60,
        },
        (type, object) => {
          const obj = object as V1Deployment & { code?: number };
          if (type === 'ERROR') {
            finish(obj.code === 410 ? { kind: 'gone' } : { kind: 'ended', resourceVersion });
            return;
          }
          if (obj.metadata?.resourceVersion) resourceVersion = obj.metadata.resourceVersion;
          if (type === 'BOOKMARK') return;
          if (type === 'DELETED') return finish({ kind: 'deleted' });
          const state = evaluate(obj);
          if (state.phase !== 'waiting') finish({ kind: 'terminal', state });
        },
        (error) =>
          finish(statusCodeOf(error) === 410 ? { kind: 'gone' } : { kind: 'ended', resourceVersion }),
      )
      .then(
        (c) => {
          controller = c;
          if (settled) c.abort();
        },
        () => finish({ kind: 'ended', resourceVersion }),
      );
  });
}
