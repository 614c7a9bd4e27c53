import { InvalidObjectsError } from '../kube/apply.js';
import { annotations } from '../kube/labels.js';
import { RolloutError } from '../kube/rollout-status.js';
import type { CanaryStep } from '../settings/schema.js';
import { canaryName, renderedBounds, trackBounds } from '../traffic/index.js';
import { ScalegateError } from '../util/errors.js';
import {
  deploymentRef,
  type RenderedTrack,
  type RolloutContext,
  readDeployment,
  withLease,
} from './context.js';
import { runningDigest } from './digest.js';
import { type Progress, readProgress, updateProgress } from './progress.js';
import { rollbackHeld } from './rollback.js';
import type { JudgedStep, StepChecks } from './step-pipeline.js';
import { runSteps } from './steps.js';
import { withTrace } from './trace.js';

/** Options of a canary run beyond the context. */
export interface CanaryOptions {
  steps: CanaryStep[];
  checks: StepChecks;
  /** Receives each judged step's outcome (verify keeps them as the evidence of its report). */
  onStep?: (step: JudgedStep) => void;
  approvalPollMs?: number;
  approvalTimeoutMs?: number;
  /** Replace a canary that passed its steps and waits for promote (`--replace`); refused otherwise. */
  replace?: boolean;
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
  return withLease(context, async (held) => {
    const { client, target } = held;
    const stable = await readDeployment(held, target.service);
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
      held.log(`canary ${image} already passed its steps; waiting for promote`);
      return previous;
    }
    if (
      previous?.phase === 'ready' &&
      !options.replace &&
      (await readDeployment(held, canaryName(target.service)))
    )
      throw new ScalegateError(
        `canary ${previous.image} (run ${previous.runId}) is ready and waiting for promote: promote or roll it back first, or deploy with --replace`,
        1,
      );
    const resume = sameRevision && previous.phase === 'canary';
    // Both tracks render from the same autoscaling settings: those bounds are the baseline, never the cluster's
    // (a canary in flight or waiting for promote has moved the stable's).
    const rendersBounds = renderedBounds(rendered.objects, canaryName(target.service));
    const stableBaseline = rendersBounds ?? (await trackBounds(client, target.namespace, target.service));

    try {
      const objects = withTrace(rendered.objects, image, held.run);
      await held.delivery.deliver(held, 'canary', objects, image);
      const canaryBaseline =
        rendersBounds ?? (await trackBounds(client, target.namespace, canaryName(target.service)));
      let progress = await updateProgress(client, target.namespace, target.service, (p) =>
        resume && p
          ? { ...p, runId: held.run.runId, message: `resumed at step ${p.step + 1}` }
          : {
              phase: 'canary',
              environment: target.environment,
              image,
              revision: rendered.digest,
              step: 0,
              weight: 0,
              baseline: { stable: stableBaseline, canary: canaryBaseline },
              runId: held.run.runId,
              steps: [],
              message: 'canary deployed',
              updatedAt: '',
            },
      );
      if (resume) held.log(`resuming canary ${image} at step ${progress.step + 1}`);
      await held.delivery.awaitTrack(held, 'canary', image);
      const running = await readDeployment(held, canaryName(target.service));
      const digest = running && (await runningDigest(client, running));
      if (digest && digest !== progress.digest)
        progress = await updateProgress(client, target.namespace, target.service, (p) => ({ ...p!, digest }));
      progress = await runSteps(
        {
          client,
          target,
          steps: options.steps,
          checks: options.checks,
          signal: held.signal,
          log: held.log,
          approvalPollMs: options.approvalPollMs,
          approvalTimeoutMs: options.approvalTimeoutMs,
          ...(options.onStep ? { onStep: options.onStep } : {}),
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
      held.log(`canary failed: ${reason}; rolling back`);
      await rollbackHeld(held, `rolled back: ${reason}`);
      if (error instanceof RolloutError || error instanceof ScalegateError)
        throw Object.assign(error, { message: `${error.message} (canary rolled back)` });
      throw error;
    }
  });
}
