import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import type { Delivery } from '../delivery/delivery.js';
import { ensureNamespace } from '../kube/apply.js';
import type { KubeClient } from '../kube/client.js';
import { acquireLease } from '../kube/lease.js';
import { deploymentRef } from '../kube/object.js';
import type { TrafficTarget } from '../traffic/index.js';
import { type Progress, updateProgress } from './progress.js';
import type { RunInfo } from './trace.js';

/** What every rollout operation on one environment needs. */
export interface RolloutContext {
  client: KubeClient;
  target: TrafficTarget;
  run: RunInfo;
  /** Lease timing: how long a holder's claim lasts without renewal, how long a second run waits. */
  lease: { durationSeconds: number; waitMs: number };
  /** Time limit of each wait for a track to run its revision (`kubectl rollout status`, or a GitOps sync). */
  rolloutTimeoutMs: number;
  signal: AbortSignal;
  log: (line: string) => void;
  /** How rendered objects reach the cluster: applied, or committed for a GitOps tool (settings' cluster.delivery). */
  delivery: Delivery;
}

/** One track's rendered objects and their content digest (the revision a re-run compares). */
export interface RenderedTrack {
  objects: KubernetesObject[];
  digest: string;
}

export { deploymentRef };

export function readDeployment(context: RolloutContext, name: string): Promise<V1Deployment | undefined> {
  return context.client.read<V1Deployment>(deploymentRef(context.target.namespace, name));
}

/**
 * Lease name: one rollout at a time per service and namespace, however many settings files name that service.
 * The service name is made a valid object name (lower case, `-` for anything else).
 */
export function leaseName(target: Pick<TrafficTarget, 'service'>): string {
  const service = target.service
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `scalegate-${service}`.slice(0, 253);
}

/**
 * Runs `body` holding the service's Lease, with a context whose client refuses to write once the Lease is lost
 * (renewal found another holder, or this run was paused past the expiry): the run stops before any further write.
 */
export async function withLease<T>(
  context: RolloutContext,
  body: (held: RolloutContext) => Promise<T>,
): Promise<T> {
  // The first deploy to an environment creates its namespace: the lease lives there.
  await ensureNamespace(context.client, context.target.namespace);
  const lease = await acquireLease(context.client, {
    namespace: context.target.namespace,
    name: leaseName(context.target),
    holder: context.run.runId,
    durationSeconds: context.lease.durationSeconds,
    waitMs: context.lease.waitMs,
    signal: context.signal,
    log: context.log,
  });
  try {
    const result = await body({ ...context, client: context.client.guarded(() => lease.assertHeld()) });
    lease.assertHeld();
    return result;
  } catch (error) {
    // Whatever failed, a lost lease is the cause worth reporting: the run stopped because of it.
    throw lease.lost ?? error;
  } finally {
    await lease.release().catch((error: Error) => context.log(`releasing the lease: ${error.message}`));
  }
}

/** Read-modify-write of the progress record, starting from an empty one when there is none. */
export function recordProgress(context: RolloutContext, change: Partial<Progress>): Promise<Progress> {
  const { client, target } = context;
  return updateProgress(client, target.namespace, target.service, (p) => ({
    ...(p ?? emptyProgress(target.environment, context.run.runId)),
    ...change,
  }));
}

function emptyProgress(environment: string, runId: string): Progress {
  return {
    phase: 'rolled-back',
    environment,
    image: '',
    revision: '',
    step: 0,
    weight: 0,
    runId,
    steps: [],
    message: '',
    updatedAt: '',
  };
}
