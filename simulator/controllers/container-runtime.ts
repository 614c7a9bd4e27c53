/**
 * The kubelet's per-container life cycle as a pure state machine: image pull (once per node and image), create,
 * start, readiness after the readiness probe's delay, exits, restarts with CrashLoopBackOff and pull retries with
 * ImagePullBackOff. The kubelet controller feeds it the clock and writes what it reports to the pod.
 *
 * Failing images, so failure paths can be tested (documented in the README):
 * - tag `pull-error`, or a repository containing `does-not-exist` → the pull fails: ErrImagePull, then
 *   ImagePullBackOff, retried with back-off;
 * - tag `crash` or `crashloop` → the container starts, exits with code 1 shortly after (never Ready), and
 *   restarts per restartPolicy (CrashLoopBackOff).
 */

import { goDuration } from '../go-duration.js';

export type ImageBehaviour = 'runs' | 'fails-to-pull' | 'crashes';

/** Splits `registry/repo:tag@digest` into repository and tag (default `latest`). */
export function parseImage(image: string): { repository: string; tag: string } {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastColon = withoutDigest.lastIndexOf(':');
  const lastSlash = withoutDigest.lastIndexOf('/');
  return lastColon > lastSlash
    ? { repository: withoutDigest.slice(0, lastColon), tag: withoutDigest.slice(lastColon + 1) }
    : { repository: withoutDigest, tag: 'latest' };
}

export function imageBehaviour(image: string): ImageBehaviour {
  const { repository, tag } = parseImage(image);
  if (tag === 'pull-error' || repository.includes('does-not-exist')) return 'fails-to-pull';
  if (tag === 'crash' || tag === 'crashloop') return 'crashes';
  return 'runs';
}

/** The back-off cap as a multiple of its start (the kubelet's 10 s → 5 m). */
const backoffCapFactor = 30;

/**
 * Seconds before the n-th restart (n ≥ 1) of a container that keeps exiting: the first restart is immediate,
 * then the back-off starts at `base` and doubles up to 30 × base (10 s … 5 m in the kubelet).
 */
export function restartDelaySeconds(exits: number, base: number): number {
  if (exits <= 1) return 0;
  return Math.min(base * 2 ** (exits - 2), base * backoffCapFactor);
}

/** Seconds before the next pull attempt after the n-th failed pull (n ≥ 1): base, doubling, capped at 30 × base. */
export function pullBackoffSeconds(failures: number, base: number): number {
  return Math.min(base * 2 ** Math.max(0, failures - 1), base * backoffCapFactor);
}

/** When a readiness probe first succeeds after start: the first probe period tick at or after initialDelaySeconds. */
export function readinessDelaySeconds(
  probe: { initialDelaySeconds?: number; periodSeconds?: number } | undefined,
): number {
  if (!probe) return 0;
  const initial = probe.initialDelaySeconds ?? 0;
  const period = probe.periodSeconds ?? 10;
  return period > 0 ? Math.ceil(initial / period) * period : initial;
}

/** Go's time.Duration formatting for the back-off in messages (shared with the protobuf decoder). */
export { goDuration };

export interface Terminated {
  exitCode: number;
  reason: string;
  startedAt: number;
  finishedAt: number;
}

type Step = 'pull' | 'pulled' | 'pull-backoff' | 'start' | 'exit' | 'restart' | 'ready' | 'complete';

export interface ContainerState {
  name: string;
  image: string;
  /** What the container shows now. */
  phase: 'waiting' | 'running' | 'terminated';
  reason?: string;
  message?: string;
  startedAt?: number;
  readyAt?: number;
  terminated?: Terminated;
  lastTerminated?: Terminated;
  restartCount: number;
  exits: number;
  lastExitAt?: number;
  pullFailures: number;
  everStarted: boolean;
  /** The next transition and when it is due (ms). */
  next?: { step: Step; at: number };
  /** How long its command runs before exiting 0 (see container-command.ts); undefined: until stopped. */
  runSeconds?: number;
  completesAt?: number;
}

export interface RuntimeEnvironment {
  now: number;
  imagePresent(image: string): boolean;
  imagePulled(image: string): void;
  pullSeconds: number;
  startSeconds: number;
  backoffSeconds: number;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  readinessSeconds: number;
  /** `<pod>_<namespace>(<uid>)`, as the kubelet names a pod in messages. */
  podRef: string;
}

export interface RuntimeEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export function newContainer(name: string, image: string, now: number, runSeconds?: number): ContainerState {
  return {
    ...(runSeconds !== undefined ? { runSeconds } : {}),
    name,
    image,
    phase: 'waiting',
    reason: 'ContainerCreating',
    restartCount: 0,
    exits: 0,
    pullFailures: 0,
    everStarted: false,
    next: { step: 'pull', at: now },
  };
}

const ms = (seconds: number) => Math.round(seconds * 1000);

function pullErrorMessage(image: string): string {
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;
}

/** Runs every transition that is due at `env.now`; returns the events the kubelet records. */
export function advance(container: ContainerState, env: RuntimeEnvironment): RuntimeEvent[] {
  const events: RuntimeEvent[] = [];
  while (container.next && container.next.at <= env.now) {
    const { step } = container.next;
    container.next = undefined;
    events.push(...runStep(container, step, env));
  }
  return events;
}

function runStep(c: ContainerState, step: Step, env: RuntimeEnvironment): RuntimeEvent[] {
  const { now } = env;
  switch (step) {
    case 'pull':
      if (env.imagePresent(c.image)) {
        c.next = { step: 'start', at: now + ms(env.startSeconds) };
        return [
          {
            type: 'Normal',
            reason: 'Pulled',
            message: `Container image "${c.image}" already present on machine`,
          },
        ];
      }
      c.next = { step: 'pulled', at: now + ms(env.pullSeconds) };
      return [{ type: 'Normal', reason: 'Pulling', message: `Pulling image "${c.image}"` }];
    case 'pulled': {
      if (imageBehaviour(c.image) === 'fails-to-pull') {
        c.pullFailures++;
        c.phase = 'waiting';
        c.reason = 'ErrImagePull';
        c.message = pullErrorMessage(c.image);
        c.next = { step: 'pull-backoff', at: now + ms(env.startSeconds) };
        return [
          { type: 'Warning', reason: 'Failed', message: `Failed to pull image "${c.image}": ${c.message}` },
          { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' },
        ];
      }
      env.imagePulled(c.image);
      const took = goDuration(env.pullSeconds);
      c.next = { step: 'start', at: now + ms(env.startSeconds) };
      return [
        {
          type: 'Normal',
          reason: 'Pulled',
          message: `Successfully pulled image "${c.image}" in ${took} (${took} including waiting). Image size: 0 bytes.`,
        },
      ];
    }
    case 'pull-backoff':
      c.reason = 'ImagePullBackOff';
      c.message = `Back-off pulling image "${c.image}": ErrImagePull: ${pullErrorMessage(c.image)}`;
      c.next = { step: 'pull', at: now + ms(pullBackoffSeconds(c.pullFailures, env.backoffSeconds)) };
      return [
        { type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${c.image}"` },
        { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff' },
      ];
    case 'restart':
      c.restartCount++;
      return startContainer(c, env);
    case 'start':
      return startContainer(c, env);
    case 'ready':
      if (c.completesAt !== undefined) c.next = { step: 'complete', at: c.completesAt };
      return [];
    case 'exit':
      return exitContainer(c, 1, 'Error', env);
    case 'complete':
      return exitContainer(c, 0, 'Completed', env);
  }
}

function startContainer(c: ContainerState, env: RuntimeEnvironment): RuntimeEvent[] {
  const { now } = env;
  if (c.terminated) c.lastTerminated = c.terminated;
  c.terminated = undefined;
  c.phase = 'running';
  c.reason = undefined;
  c.message = undefined;
  c.startedAt = now;
  c.everStarted = true;
  if (imageBehaviour(c.image) === 'crashes') {
    // It exits before the kubelet's first status report or probe could see it ready.
    c.readyAt = undefined;
    c.next = { step: 'exit', at: now + ms(env.startSeconds) };
  } else {
    c.readyAt = now + ms(env.readinessSeconds);
    c.completesAt =
      c.runSeconds === undefined ? undefined : now + ms(Math.max(c.runSeconds, env.startSeconds));
    if (c.completesAt !== undefined && c.completesAt <= c.readyAt)
      c.next = { step: 'complete', at: c.completesAt };
    else c.next = c.readyAt > now ? { step: 'ready', at: c.readyAt } : undefined;
    if (c.next === undefined && c.completesAt !== undefined) c.next = { step: 'complete', at: c.completesAt };
  }
  return [
    { type: 'Normal', reason: 'Created', message: `Created container ${c.name}` },
    { type: 'Normal', reason: 'Started', message: `Started container ${c.name}` },
  ];
}

/** The container's process ended (crash, OOM kill); it restarts per restartPolicy with back-off. */
export function exitContainer(
  c: ContainerState,
  exitCode: number,
  reason: string,
  env: RuntimeEnvironment,
): RuntimeEvent[] {
  if (c.phase !== 'running') return [];
  const { now } = env;
  // The kubelet forgets a back-off not touched for twice its cap: a container that ran that long starts afresh.
  if (c.lastExitAt !== undefined && now - c.lastExitAt > ms(2 * backoffCapFactor * env.backoffSeconds))
    c.exits = 0;
  c.exits++;
  c.lastExitAt = now;
  c.terminated = { exitCode, reason, startedAt: c.startedAt ?? now, finishedAt: now };
  c.phase = 'terminated';
  c.reason = reason;
  c.readyAt = undefined;
  const restarts = env.restartPolicy === 'Always' || (env.restartPolicy === 'OnFailure' && exitCode !== 0);
  if (!restarts) {
    c.next = undefined;
    return [];
  }
  const delay = restartDelaySeconds(c.exits, env.backoffSeconds);
  if (delay === 0) {
    c.next = { step: 'restart', at: now + ms(env.startSeconds) };
    return [];
  }
  c.lastTerminated = c.terminated;
  c.terminated = undefined;
  c.phase = 'waiting';
  c.reason = 'CrashLoopBackOff';
  c.message = `back-off ${goDuration(delay)} restarting failed container=${c.name} pod=${env.podRef}`;
  c.next = { step: 'restart', at: now + ms(delay) };
  return [
    {
      type: 'Warning',
      reason: 'BackOff',
      message: `Back-off restarting failed container ${c.name} in pod ${env.podRef}`,
    },
  ];
}

export function isContainerReady(c: ContainerState, now: number): boolean {
  return c.phase === 'running' && c.readyAt !== undefined && c.readyAt <= now;
}
