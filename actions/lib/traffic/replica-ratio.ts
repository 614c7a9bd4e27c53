/**
 * replica-ratio: one Service selects both tracks, so each pod gets an equal share; the canary's share is set by
 * the tracks' replica bounds (their HPAs' min/max, or their replicas).
 */
import type { V1Deployment } from '@kubernetes/client-node';
import { deploymentRef } from '../kube/object.js';
import { ScalegateError } from '../util/errors.js';
import { setTrackBounds, trackBounds } from './bounds.js';
import { canaryName, defineRouter } from './router.js';
import { replicaSplit } from './weights.js';

export const replicaRatioRouter = defineRouter({
  method: 'replica-ratio',
  settings: undefined,
  // The `<svc>` Service spans both tracks: there is no split object.
  render: () => [],
  async setWeight(client, target, weight, baseline) {
    const { namespace, service } = target;
    const stable = baseline.stable ?? (await trackBounds(client, namespace, service));
    const canary = baseline.canary ?? (await trackBounds(client, namespace, canaryName(service)));
    if (!stable || !canary) {
      if (weight === 0) return 0;
      throw new ScalegateError(
        `replica-ratio needs both Deployments ${service} and ${canaryName(service)}`,
        1,
      );
    }
    if (weight === 0) {
      // Traffic back to stable: restore its bounds; the canary is about to be removed.
      await setTrackBounds(client, namespace, service, stable);
      return 0;
    }
    const split = replicaSplit(weight, stable, canary);
    await setTrackBounds(client, namespace, service, split.stable);
    await setTrackBounds(client, namespace, canaryName(service), split.canary);
    return split.achievedWeight;
  },
  async currentWeight(client, target) {
    const read = (name: string) => client.read<V1Deployment>(deploymentRef(target.namespace, name));
    const [stable, canary] = await Promise.all([read(target.service), read(canaryName(target.service))]);
    const s = stable?.status?.readyReplicas ?? 0;
    const c = canary?.status?.readyReplicas ?? 0;
    return s + c === 0 ? undefined : Math.round((100 * c) / (s + c));
  },
  // The stable gets its own bounds back before the wait, so it is at full size when its rollout is done.
  async beforePromotedRollout(client, target, baseline) {
    if (baseline.stable) await setTrackBounds(client, target.namespace, target.service, baseline.stable);
  },
});
