import type { KubernetesObject, V1Deployment, V1PodTemplateSpec } from '@kubernetes/client-node';
import { type ApplyResult, applyObjects, ensureNamespace, InvalidObjectsError } from '../kube/apply.js';
import { describe, type KubeClient } from '../kube/client.js';
import { annotations, labels, trackSelector } from '../kube/labels.js';
import { acquireLease, type HeldLease } from '../kube/lease.js';
import { RolloutError, waitForRollout } from '../kube/rollout-status.js';
import type { CanaryStep } from '../settings/schema.js';
import { ScalegateError } from '../util/errors.js';
import type { Delivery } from './gitops-delivery.js';
import { mergePatchBetween } from './merge-patch.js';
import { type Progress, readProgress, updateProgress } from './progress.js';
import { runSteps, type StepChecks } from './steps.js';
import { type RunInfo, withTrace } from './trace.js';
import { canaryName, setTrackBounds, setWeight, type TrafficTarget, trackBounds } from './traffic.js';

/** What every rollout operation on one environment needs. */
export interface RolloutContext {
  client: KubeClient;
  target: TrafficTarget;
  run: RunInfo;
  /** Lease timing: how long a holder's claim lasts without renewal, how long a second run waits. */
  lease: { durationSeconds: number; waitMs: number };
  /** Time limit of each `kubectl rollout status`-style wait. */
  rolloutTimeoutMs: number;
  signal: AbortSignal;
  log: (line: string) => void;
  /** GitOps: commit manifests and wait for the sync instead of applying them. */
  delivery?: Delivery;
}

/** One track's rendered objects and their content digest (the revision a re-run compares). */
export interface RenderedTrack {
  objects: KubernetesObject[];
  digest: string;
}

const deploymentRef = (namespace: string, name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
});

/** Lease name: one promotion per environment. */
export const leaseName = (environment: string) => `scalegate-${environment}`;

/** Runs `body` holding the environment's Lease; fails if the lease is lost midway. */
export async function withLease<T>(
  context: RolloutContext,
  body: (lease: HeldLease) => Promise<T>,
): Promise<T> {
  // The first deploy to an environment creates its namespace: the lease lives there.
  await ensureNamespace(context.client, context.target.namespace);
  const lease = await acquireLease(context.client, {
    namespace: context.target.namespace,
    name: leaseName(context.target.environment),
    holder: context.run.runId,
    durationSeconds: context.lease.durationSeconds,
    waitMs: context.lease.waitMs,
    signal: context.signal,
    log: context.log,
  });
  try {
    const result = await body(lease);
    if (lease.lost) throw lease.lost;
    return result;
  } finally {
    await lease.release().catch((error: Error) => context.log(`releasing the lease: ${error.message}`));
  }
}

function wait(context: RolloutContext, name: string, signal = context.signal) {
  return waitForRollout(context.client, {
    namespace: context.target.namespace,
    name,
    timeoutMs: context.rolloutTimeoutMs,
    signal,
    onMessage: context.log,
  });
}

/** Deploys the stable track: apply (with prune) and wait for its rollout. */
export async function deployStable(
  context: RolloutContext,
  rendered: RenderedTrack,
  image: string,
): Promise<ApplyResult> {
  const { target } = context;
  return withLease(context, async () => {
    const objects = withTrace(rendered.objects, image, context.run);
    if (context.delivery) {
      await context.delivery.deliver('stable', objects, image);
      return { applied: objects.map(describe), pruned: [], createdNamespace: false };
    }
    const result = await applyObjects(
      context.client,
      objects,
      {
        namespace: target.namespace,
        environment: target.environment,
        track: 'stable',
      },
      { log: context.log },
    );
    await wait(context, target.service);
    return result;
  });
}

/** Options of a canary run beyond the context. */
export interface CanaryOptions {
  steps: CanaryStep[];
  checks: StepChecks;
  approvalPollMs?: number;
  approvalTimeoutMs?: number;
}

/**
 * Deploys the canary track and walks its steps. A re-run with the same revision resumes where the recorded progress
 * stopped; a failed rollout, a failed gate, a cancellation or a fault rolls the canary back (traffic to stable,
 * canary removed) before the error is rethrown. Ends in phase `ready`: waiting for `promote`.
 */
export async function deployCanary(
  context: RolloutContext,
  rendered: RenderedTrack,
  image: string,
  options: CanaryOptions,
): Promise<Progress> {
  const { client, target } = context;
  return withLease(context, async () => {
    const stable = await client.read<V1Deployment>(deploymentRef(target.namespace, target.service));
    if (!stable)
      throw new ScalegateError(
        `deployment ${target.namespace}/${target.service} does not exist: deploy the stable track first`,
        1,
      );
    const previous = await readProgress(client, target.namespace, target.service);
    if (previous?.phase === 'promoting')
      throw new ScalegateError(
        `a promotion of ${previous.image} is unfinished: run scalegate promote (or rollback) first`,
        1,
      );
    const sameRevision = previous?.revision === rendered.digest && previous.image === image;
    if (sameRevision && previous.phase === 'ready') {
      context.log(`canary ${image} already passed its steps; waiting for promote`);
      return previous;
    }
    const resume = sameRevision && previous.phase === 'canary';
    // A canary still in flight has moved the stable's bounds: its recorded baseline is the true one.
    const stableBaseline =
      previous?.phase === 'canary' && previous.baseline?.stable
        ? previous.baseline.stable
        : await trackBounds(client, target.namespace, target.service);

    try {
      const objects = withTrace(rendered.objects, image, context.run);
      if (context.delivery) await context.delivery.deliver('canary', objects, image);
      else
        await applyObjects(
          client,
          objects,
          {
            namespace: target.namespace,
            environment: target.environment,
            track: 'canary',
          },
          { log: context.log },
        );
      const canaryBaseline = await trackBounds(client, target.namespace, canaryName(target.service));
      let progress = await updateProgress(client, target.namespace, target.service, (p) =>
        resume && p
          ? { ...p, runId: context.run.runId, message: `resumed at step ${p.step + 1}` }
          : {
              phase: 'canary',
              environment: target.environment,
              image,
              revision: rendered.digest,
              step: 0,
              weight: 0,
              baseline: { stable: stableBaseline, canary: canaryBaseline },
              runId: context.run.runId,
              steps: [],
              message: 'canary deployed',
              updatedAt: '',
            },
      );
      if (resume) context.log(`resuming canary ${image} at step ${progress.step + 1}`);
      if (!context.delivery) await wait(context, canaryName(target.service));
      progress = await runSteps(
        {
          client,
          target,
          steps: options.steps,
          checks: options.checks,
          signal: context.signal,
          log: context.log,
          approvalPollMs: options.approvalPollMs,
          approvalTimeoutMs: options.approvalTimeoutMs,
        },
        progress,
      );
      await client.mergePatch(deploymentRef(target.namespace, canaryName(target.service)), {
        metadata: { annotations: { [annotations.verdict]: `passed ${options.steps.length} steps` } },
      });
      return progress;
    } catch (error) {
      // Bad input applied nothing: the cluster, and any canary already running, stay as they were.
      if (error instanceof InvalidObjectsError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      context.log(`canary failed: ${reason}; rolling back`);
      await rollbackHeld(context, `rolled back: ${reason}`);
      if (error instanceof RolloutError || error instanceof ScalegateError)
        throw Object.assign(error, { message: `${error.message} (canary rolled back)` });
      throw error;
    }
  });
}

/** Deletes the canary's workload (Deployment, autoscaler, disruption budget); Services and routes stay. */
async function removeCanaryWorkload(context: RolloutContext): Promise<void> {
  const { client, target } = context;
  const selector = trackSelector(target.environment, 'canary');
  for (const [apiVersion, kind] of [
    ['autoscaling/v2', 'HorizontalPodAutoscaler'],
    ['keda.sh/v1alpha1', 'ScaledObject'],
    ['policy/v1', 'PodDisruptionBudget'],
    ['apps/v1', 'Deployment'],
  ] as const) {
    const items = await client
      .list(apiVersion, kind, { namespace: target.namespace, labelSelector: selector })
      .then((l) => l.items)
      .catch(() => []);
    for (const item of items)
      await client.delete({
        apiVersion,
        kind,
        metadata: { name: item.metadata!.name!, namespace: target.namespace },
      });
  }
  // A canary Deployment applied by hand or by an older version carries no labels: remove it by name too.
  await client.delete(deploymentRef(target.namespace, canaryName(target.service)));
}

async function rollbackHeld(context: RolloutContext, message: string): Promise<Progress | undefined> {
  const { client, target } = context;
  const progress = await readProgress(client, target.namespace, target.service);
  if (progress?.phase === 'rolled-back' || progress?.phase === 'promoted') {
    if (!(await client.read(deploymentRef(target.namespace, canaryName(target.service))))) return progress;
  }
  const record = (change: Partial<Progress>) =>
    updateProgress(client, target.namespace, target.service, (p) => ({
      ...(p ?? emptyProgress(target.environment, context.run.runId)),
      ...change,
    }));
  await record({ phase: 'rolling-back', message });
  await setWeight(client, target, 0, progress?.baseline ?? {});
  await context.delivery?.retireCanary();
  await removeCanaryWorkload(context);
  return record({ phase: 'rolled-back', weight: 0, message });
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

/** Roll back: traffic to stable, canary removed. Idempotent; safe after a crash at any point. */
export async function rollback(
  context: RolloutContext,
  reason = 'rolled back on request',
): Promise<Progress | undefined> {
  return withLease(context, () => rollbackHeld(context, reason));
}

/**
 * The stable's new pod template: the canary's, with the labels the stable's selector and track need. Everything else
 * (containers, annotations with image and git sha) comes from the canary.
 */
export function promotedTemplate(canary: V1Deployment, stable: V1Deployment): V1PodTemplateSpec {
  const template = structuredClone(canary.spec!.template);
  const stableLabels = stable.spec?.template?.metadata?.labels ?? {};
  const keep = new Set([...Object.keys(stable.spec?.selector?.matchLabels ?? {}), labels.track, 'track']);
  const merged = { ...template.metadata?.labels };
  for (const key of keep) if (stableLabels[key] !== undefined) merged[key] = stableLabels[key];
  template.metadata = { ...template.metadata, labels: merged };
  return template;
}

/**
 * Promote: the stable Deployment takes the canary's pod template, its rollout is awaited, then traffic returns
 * fully to stable and the canary goes away. Refuses a canary that has not passed its steps unless `force`.
 * Idempotent: a re-run after a crash continues from the recorded phase.
 */
export async function promote(context: RolloutContext, options: { force?: boolean } = {}): Promise<Progress> {
  const { client, target } = context;
  return withLease(context, async () => {
    const progress = await readProgress(client, target.namespace, target.service);
    const canary = await client.read<V1Deployment>(
      deploymentRef(target.namespace, canaryName(target.service)),
    );
    if (progress?.phase === 'promoted' && !canary) {
      context.log(`${progress.image} is already promoted`);
      return progress;
    }
    if (!canary && progress?.phase !== 'promoting')
      throw new ScalegateError(`no canary of ${target.service} in ${target.namespace} to promote`, 1);
    if (
      progress &&
      ['rolled-back', 'rolling-back', 'failed'].includes(progress.phase) &&
      canary === undefined
    )
      throw new ScalegateError(`the canary was rolled back: ${progress.message}`, 1);
    if (!options.force && progress?.phase !== 'ready' && progress?.phase !== 'promoting') {
      const where = progress
        ? `phase ${progress.phase}, step ${progress.step} of its steps`
        : 'no recorded progress';
      throw new ScalegateError(
        `canary of ${target.service} has not passed its steps (${where}); use --force to promote anyway`,
        1,
      );
    }
    const record = (change: Partial<Progress>) =>
      updateProgress(client, target.namespace, target.service, (p) => ({
        ...(p ?? emptyProgress(target.environment, context.run.runId)),
        ...change,
      }));
    await record({ phase: 'promoting', message: 'stable takes the canary template' });
    if (context.delivery && progress?.image) {
      const stable = await context.delivery.render('stable', progress.image);
      await context.delivery.deliver(
        'stable',
        withTrace(stable.objects, progress.image, context.run),
        progress.image,
      );
    } else {
      if (canary) {
        const stable = await client.read<V1Deployment>(deploymentRef(target.namespace, target.service));
        if (!stable)
          throw new ScalegateError(`deployment ${target.namespace}/${target.service} does not exist`, 1);
        const template = mergePatchBetween(stable.spec?.template, promotedTemplate(canary, stable));
        const verdict =
          canary.metadata?.annotations?.[annotations.verdict] ?? 'promoted without recorded verdict';
        const trace = Object.fromEntries(
          Object.entries(canary.metadata?.annotations ?? {}).filter(([k]) => k.startsWith('scalegate.dev/')),
        );
        await client.mergePatch(deploymentRef(target.namespace, target.service), {
          metadata: { annotations: { ...trace, [annotations.verdict]: verdict } },
          ...(template === undefined ? {} : { spec: { template } }),
        });
      }
      // Replica-ratio: the stable gets its own bounds back before the wait, so it is at full size when done.
      const stableBounds = progress?.baseline?.stable;
      if (target.method === 'replica-ratio' && stableBounds)
        await setTrackBounds(client, target.namespace, target.service, stableBounds);
      await wait(context, target.service);
    }
    await setWeight(client, target, 0, progress?.baseline ?? {});
    await context.delivery?.retireCanary();
    await removeCanaryWorkload(context);
    return record({ phase: 'promoted', weight: 0, message: `promoted ${progress?.image ?? ''}`.trim() });
  });
}

/**
 * What a cancelled or crashed run leaves to clean up (the deploy action's post step): rolls back a canary this run
 * started and did not finish. A canary that passed its steps, or one another run owns, is left alone.
 */
export async function rollbackIfUnfinished(context: RolloutContext): Promise<Progress | undefined> {
  const progress = await readProgress(context.client, context.target.namespace, context.target.service);
  if (!progress || progress.runId !== context.run.runId) return undefined;
  if (progress.phase !== 'canary' && progress.phase !== 'rolling-back') return undefined;
  return rollback(context, `rolled back: run ${context.run.runId} ended before the canary finished`);
}
