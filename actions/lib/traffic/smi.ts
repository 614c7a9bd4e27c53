/**
 * smi: an SMI TrafficSplit (`split.smi-spec.io/v1alpha4`, as Linkerd and Open Service Mesh read it) whose backends
 * weigh `<svc>-stable` against `<svc>-canary` for clients of the root service `<svc>`. Weights are integers whose
 * sum need not be 100 (the spec reads each as a share of the total). Rendered with the stable track too.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/client.js';
import { statusCodeOf } from '../kube/retry.js';
import { ScalegateError } from '../util/errors.js';
import { canaryName, defineRouter, environmentSelector, type TrackTarget } from './router.js';
import { backendWeights } from './weights.js';

const apiVersion = 'split.smi-spec.io/v1alpha4';

interface TrafficSplit extends KubernetesObject {
  spec?: { service?: string; backends?: { service: string; weight: number }[] };
}

async function findSplit(client: KubeClient, target: TrackTarget): Promise<TrafficSplit | undefined> {
  const splits = await client
    .list<TrafficSplit>(apiVersion, 'TrafficSplit', {
      namespace: target.namespace,
      labelSelector: environmentSelector(target.environment),
    })
    // A cluster without the SMI CRDs serves no TrafficSplit at all (404): then there is none.
    .catch((error: unknown) => {
      if (statusCodeOf(error) === 404) return { items: [] as TrafficSplit[] };
      throw error;
    });
  return splits.items.find((s) => s.spec?.backends?.some((b) => b.service === canaryName(target.service)));
}

function backends(service: string, weight: number, withCanary: boolean) {
  const weights = backendWeights(withCanary ? weight : 0);
  return [
    { service: `${service}-stable`, weight: weights.stable },
    ...(withCanary ? [{ service: canaryName(service), weight: weights.canary }] : []),
  ];
}

export const smiRouter = defineRouter({
  method: 'smi',
  settings: undefined,
  render({ service, canaryWeight, tracks, metadata }) {
    return [
      {
        apiVersion,
        kind: 'TrafficSplit',
        metadata: metadata(service, 'shared'),
        spec: { service, backends: backends(service, canaryWeight, tracks.has('canary')) },
      },
    ];
  },
  async setWeight(client, target, weight) {
    const split = await findSplit(client, target);
    if (!split) {
      if (weight === 0) return 0;
      throw new ScalegateError(
        `no TrafficSplit in ${target.namespace} splits to ${canaryName(target.service)} (method smi)`,
        1,
      );
    }
    // backends is a list: a merge patch replaces it whole, which is the split wanted.
    await client.mergePatch(
      {
        apiVersion,
        kind: 'TrafficSplit',
        metadata: { name: split.metadata!.name!, namespace: target.namespace },
      },
      { spec: { backends: backends(target.service, weight, true) } },
    );
    return weight;
  },
  async currentWeight(client, target) {
    const refs = (await findSplit(client, target))?.spec?.backends ?? [];
    const total = refs.reduce((sum, b) => sum + b.weight, 0);
    const canary = refs.find((b) => b.service === canaryName(target.service));
    return canary && total > 0 ? Math.round((100 * canary.weight) / total) : 0;
  },
  async beforePromotedRollout() {},
});
