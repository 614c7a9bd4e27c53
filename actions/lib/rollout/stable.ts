import type { ApplyResult } from '../kube/apply.js';
import { type RenderedTrack, type RolloutContext, withLease } from './context.js';
import { withTrace } from './trace.js';

/** Deploys the stable track: delivered (applied with prune, or committed) and awaited. */
export async function deployStable(
  context: RolloutContext,
  rendered: RenderedTrack,
  image: string,
): Promise<ApplyResult> {
  return withLease(context, async (held) => {
    const result = await held.delivery.deliver(
      held,
      'stable',
      withTrace(rendered.objects, image, held.run),
      image,
    );
    await held.delivery.awaitTrack(held, 'stable', image);
    return result;
  });
}
