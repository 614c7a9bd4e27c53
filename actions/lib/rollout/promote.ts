import type { V1Deployment } from '@kubernetes/client-node';
import { scalegateAnnotations } from '../kube/labels.js';
import { canaryName, routerFor, setWeight } from '../traffic/index.js';
import { ScalegateError } from '../util/errors.js';
import { type RolloutContext, readDeployment, recordProgress, withLease } from './context.js';
import { type Progress, readProgress } from './progress.js';
import { removeCanaryWorkload } from './rollback.js';

/** What promote may be told the canary must be: a run promotes only the image it verified. */
export interface PromoteOptions {
  force?: boolean;
  /** The image reference the canary must run (`--image`). */
  image?: string;
  /** The digest the canary's pods must run (`--digest sha256:…`). */
  digest?: string;
}

/** Refuses a promotion of anything but the canary this caller verified. */
function checkIdentity(
  progress: Progress | undefined,
  canary: V1Deployment | undefined,
  options: PromoteOptions,
) {
  const running = canary?.spec?.template.spec?.containers[0]?.image ?? progress?.image;
  const who = `the canary runs ${running ?? 'nothing'}${progress?.digest ? ` (${progress.digest})` : ''}, deployed by ${progress?.runId ?? 'an unknown run'}`;
  if (options.image !== undefined && (options.image !== progress?.image || options.image !== running))
    throw new ScalegateError(`refusing to promote: ${who}, not ${options.image}`, 1);
  if (options.digest !== undefined && options.digest !== progress?.digest)
    throw new ScalegateError(`refusing to promote: ${who}, not ${options.digest}`, 1);
}

/**
 * Promote: the stable Deployment takes the canary's pod template, its rollout is awaited, then traffic returns
 * fully to stable and the canary goes away. Refuses a canary that has not passed its steps unless `force`, and one
 * that is not the image or digest asked for. The stable as it was is recorded first, so a promotion that stops
 * midway can be rolled back; a re-run after a crash continues from the recorded phase.
 */
export async function promote(context: RolloutContext, options: PromoteOptions = {}): Promise<Progress> {
  return withLease(context, async (held) => {
    const { client, target } = held;
    const progress = await readProgress(client, target.namespace, target.service);
    const canary = await readDeployment(held, canaryName(target.service));
    if (progress?.phase === 'promoted' && !canary) {
      checkIdentity(progress, canary, options);
      held.log(`${progress.image} is already promoted`);
      return progress;
    }
    if (!canary && progress?.phase !== 'promoting')
      throw new ScalegateError(`no canary of ${target.service} in ${target.namespace} to promote`, 1);
    checkIdentity(progress, canary, options);
    if (!options.force && progress?.phase !== 'ready' && progress?.phase !== 'promoting') {
      const where = progress
        ? `phase ${progress.phase}, step ${progress.step} of its steps`
        : 'no recorded progress';
      throw new ScalegateError(
        `canary of ${target.service} has not passed its steps (${where}); use --force to promote anyway`,
        1,
      );
    }
    const stable = await readDeployment(held, target.service);
    if (!stable)
      throw new ScalegateError(`deployment ${target.namespace}/${target.service} does not exist`, 1);
    // Recorded once, before anything changes: a re-run finds the stable possibly half-changed already.
    const previousStable =
      progress?.phase === 'promoting'
        ? progress.previousStable
        : {
            image: stable.spec?.template.spec?.containers[0]?.image ?? '',
            template: stable.spec!.template,
            annotations: scalegateAnnotations(stable),
          };
    await recordProgress(held, {
      phase: 'promoting',
      previousStable,
      message: 'stable takes the canary template',
    });
    const expected = progress?.image || canary?.spec?.template.spec?.containers[0]?.image || '';
    await held.delivery.promoteStable(held, { image: expected, stable, ...(canary ? { canary } : {}) });
    await routerFor(target).beforePromotedRollout(client, target, progress?.baseline ?? {});
    await held.delivery.awaitTrack(held, 'stable', expected);
    // Read back what the stable runs now before removing the canary: promote reports what the cluster shows.
    const now = (await readDeployment(held, target.service))?.spec?.template.spec?.containers[0]?.image;
    if (expected && now !== expected)
      throw new ScalegateError(`promote: the stable runs ${now}, not the promoted ${expected}`, 1);
    await setWeight(client, target, 0, progress?.baseline ?? {});
    await held.delivery.retireCanary(held);
    await removeCanaryWorkload(held);
    return recordProgress(held, {
      phase: 'promoted',
      weight: 0,
      previousStable: undefined,
      message: `promoted ${progress?.image ?? ''}`.trim(),
    });
  });
}
