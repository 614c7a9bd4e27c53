import type { V1Deployment, V1PodTemplateSpec } from '@kubernetes/client-node';
import { annotations, labels } from '../kube/labels.js';
import { ScalegateError } from '../util/errors.js';
import {
  deploymentRef,
  type RolloutContext,
  readDeployment,
  recordProgress,
  waitForDeployment,
  withLease,
} from './context.js';
import { mergePatchBetween } from './merge-patch.js';
import { type Progress, readProgress } from './progress.js';
import { removeCanaryWorkload } from './rollback.js';
import { canaryName, routerFor, setWeight } from './routers/index.js';
import { withTrace } from './trace.js';

/** What promote may be told the canary must be: a run promotes only the image it verified. */
export interface PromoteOptions {
  force?: boolean;
  /** The image reference the canary must run (`--image`). */
  image?: string;
  /** The digest the canary's pods must run (`--digest sha256:…`). */
  digest?: string;
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

const scalegateAnnotations = (deployment: V1Deployment) =>
  Object.fromEntries(
    Object.entries(deployment.metadata?.annotations ?? {}).filter(([k]) => k.startsWith('scalegate.dev/')),
  );

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
    if (held.delivery && progress?.image) {
      const rendered = await held.delivery.render('stable', progress.image);
      await held.delivery.deliver(
        'stable',
        withTrace(rendered.objects, progress.image, held.run),
        progress.image,
      );
    } else {
      if (canary) {
        const template = mergePatchBetween(stable.spec?.template, promotedTemplate(canary, stable));
        const verdict =
          canary.metadata?.annotations?.[annotations.verdict] ?? 'promoted without recorded verdict';
        await client.mergePatch(deploymentRef(target.namespace, target.service), {
          metadata: { annotations: { ...scalegateAnnotations(canary), [annotations.verdict]: verdict } },
          ...(template === undefined ? {} : { spec: { template } }),
        });
      }
      await routerFor(target).beforePromotedRollout(client, target, progress?.baseline ?? {});
      await waitForDeployment(held, target.service);
    }
    // Read back what the stable runs now before removing the canary: promote reports what the cluster shows.
    const expected = progress?.image || canary?.spec?.template.spec?.containers[0]?.image;
    const now = (await readDeployment(held, target.service))?.spec?.template.spec?.containers[0]?.image;
    if (expected && now !== expected)
      throw new ScalegateError(`promote: the stable runs ${now}, not the promoted ${expected}`, 1);
    await setWeight(client, target, 0, progress?.baseline ?? {});
    await held.delivery?.retireCanary();
    await removeCanaryWorkload(held);
    return recordProgress(held, {
      phase: 'promoted',
      weight: 0,
      previousStable: undefined,
      message: `promoted ${progress?.image ?? ''}`.trim(),
    });
  });
}
