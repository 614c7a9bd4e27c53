import { trackSelector } from '../kube/labels.js';
import { canaryName, setWeight } from '../traffic/index.js';
import { ScalegateError } from '../util/errors.js';
import { deploymentRef, type RolloutContext, readDeployment, recordProgress, withLease } from './context.js';
import { type Progress, readProgress } from './progress.js';

/** Deletes the canary's workload (Deployment, autoscaler, disruption budget); Services and routes stay. */
export async function removeCanaryWorkload(context: RolloutContext): Promise<void> {
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

const firstImage = (template: { spec?: { containers?: { image?: string }[] } } | undefined) =>
  template?.spec?.containers?.[0]?.image ?? '';

/**
 * A promotion that stopped midway may have handed the stable the canary's template: put back the template recorded
 * before promote began, and wait for it. Without that record the stable's state is unknown: refuse, saying why.
 */
async function restoreStable(context: RolloutContext, progress: Progress): Promise<string> {
  const previous = progress.previousStable;
  if (!previous)
    throw new ScalegateError(
      `cannot roll back: the promotion of ${progress.image} stopped midway and the stable's previous template was not recorded; re-run scalegate promote to finish it, or deploy the previous image to the stable track`,
      1,
    );
  await context.delivery.restoreStable(context, previous);
  await context.delivery.awaitTrack(context, 'stable', previous.image);
  // Read back what the stable runs now: a rollback reports what the cluster shows, not what it asked for.
  const now = firstImage((await readDeployment(context, context.target.service))?.spec?.template);
  if (now !== previous.image)
    throw new ScalegateError(`rollback: the stable runs ${now}, not the restored ${previous.image}`, 1);
  return `stable restored to ${previous.image}`;
}

/** Rolls back while holding the Lease: see `rollback`. */
export async function rollbackHeld(context: RolloutContext, message: string): Promise<Progress | undefined> {
  const { client, target } = context;
  const progress = await readProgress(client, target.namespace, target.service);
  const canary = await readDeployment(context, canaryName(target.service));
  if ((progress?.phase === 'rolled-back' || progress?.phase === 'promoted') && !canary) {
    context.log(`nothing to roll back: ${target.service} is ${progress.phase} (${progress.message})`);
    return progress;
  }
  // A promotion that began (or a rollback of one that was interrupted) must put the stable back first.
  const promotionStarted =
    progress?.phase === 'promoting' || (progress?.phase === 'rolling-back' && progress.previousStable);
  await recordProgress(context, { phase: 'rolling-back', message });
  const restored = promotionStarted && progress ? `; ${await restoreStable(context, progress)}` : '';
  await setWeight(client, target, 0, progress?.baseline ?? {});
  await context.delivery.retireCanary(context);
  await removeCanaryWorkload(context);
  if (await readDeployment(context, canaryName(target.service)))
    throw new ScalegateError(`rollback: the canary ${canaryName(target.service)} is still there`, 1);
  return recordProgress(context, {
    phase: 'rolled-back',
    weight: 0,
    previousStable: undefined,
    message: `${message}${restored}`,
  });
}

/**
 * Roll back: the stable back to what it ran before (when a promotion stopped midway), traffic to stable, canary
 * removed. Idempotent; safe after a crash at any point.
 */
export async function rollback(
  context: RolloutContext,
  reason = 'rolled back on request',
): Promise<Progress | undefined> {
  return withLease(context, (held) => rollbackHeld(held, reason));
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
