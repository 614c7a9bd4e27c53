import { type ApplyResult, applyObjects } from '../kube/apply.js';
import { describe } from '../kube/client.js';
import { type RenderedTrack, type RolloutContext, waitForDeployment, withLease } from './context.js';
import { withTrace } from './trace.js';

/** Deploys the stable track: apply (with prune) and wait for its rollout. */
export async function deployStable(
  context: RolloutContext,
  rendered: RenderedTrack,
  image: string,
): Promise<ApplyResult> {
  return withLease(context, async (held) => {
    const { target } = held;
    const objects = withTrace(rendered.objects, image, held.run);
    if (held.delivery) {
      await held.delivery.deliver('stable', objects, image);
      return { applied: objects.map(describe), pruned: [], createdNamespace: false };
    }
    const result = await applyObjects(
      held.client,
      objects,
      { namespace: target.namespace, environment: target.environment, track: 'stable' },
      { log: held.log },
    );
    await waitForDeployment(held, target.service);
    return result;
  });
}
