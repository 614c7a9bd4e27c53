/** gateway-api: the HTTPRoute's backendRefs weigh `<svc>-stable` against `<svc>-canary`. */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from '../../kube/client.js';
import { ScalegateError } from '../../util/errors.js';
import { backendWeights } from '../weights.js';
import { canaryName, environmentSelector, type TrafficRouter, type TrafficTarget } from './router.js';

interface HttpRoute extends KubernetesObject {
  spec?: { rules?: { backendRefs?: { name: string; weight?: number; [k: string]: unknown }[] }[] };
}

async function findRoute(client: KubeClient, target: TrafficTarget): Promise<HttpRoute> {
  const routes = await client.list<HttpRoute>('gateway.networking.k8s.io/v1', 'HTTPRoute', {
    namespace: target.namespace,
    labelSelector: environmentSelector(target.environment),
  });
  const route = routes.items.find((r) =>
    r.spec?.rules?.some((rule) => rule.backendRefs?.some((b) => b.name === canaryName(target.service))),
  );
  if (!route)
    throw new ScalegateError(
      `no HTTPRoute in ${target.namespace} routes to ${canaryName(target.service)} (method gateway-api)`,
      1,
    );
  return route;
}

export const gatewayApiRouter: TrafficRouter = {
  async setWeight(client, target, weight) {
    const route = await findRoute(client, target);
    const weights = backendWeights(weight);
    const rules = (route.spec?.rules ?? []).map((rule) => ({
      ...rule,
      backendRefs: rule.backendRefs?.map((b) =>
        b.name === canaryName(target.service)
          ? { ...b, weight: weights.canary }
          : { ...b, weight: weights.stable },
      ),
    }));
    await client.mergePatch(
      {
        apiVersion: route.apiVersion!,
        kind: 'HTTPRoute',
        metadata: { name: route.metadata!.name!, namespace: target.namespace },
      },
      { spec: { rules } },
    );
    return weight;
  },
  async currentWeight(client, target) {
    const route = await findRoute(client, target).catch(() => undefined);
    const refs = route?.spec?.rules?.[0]?.backendRefs ?? [];
    const total = refs.reduce((sum, b) => sum + (b.weight ?? 1), 0);
    const canary = refs.find((b) => b.name === canaryName(target.service));
    return canary && total > 0 ? Math.round((100 * (canary.weight ?? 1)) / total) : 0;
  },
  async beforePromotedRollout() {},
};
