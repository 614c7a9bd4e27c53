/**
 * gateway-api: one HTTPRoute whose backendRefs weigh `<svc>-stable` against `<svc>-canary`. It is rendered with the
 * stable track too (all traffic to stable), since moving weight is part of deploying a canary.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { z } from 'zod';
import type { KubeClient } from '../kube/client.js';
import { ScalegateError } from '../util/errors.js';
import { dnsLabel } from '../util/names.js';
import { canaryName, defineRouter, environmentSelector, type TrackTarget } from './router.js';
import { backendWeights } from './weights.js';

const parentReference = z
  .strictObject({
    group: z.string().optional(),
    kind: z.string().min(1).optional(),
    namespace: dnsLabel('Namespace of the Gateway (default: the route namespace)').optional(),
    name: z.string().min(1).max(253).describe('Gateway name'),
    sectionName: dnsLabel('Listener name').optional(),
    port: z.int().min(1).max(65535).optional(),
  })
  .describe('Gateway API ParentReference');

const gatewayApiSettings = z.strictObject({
  parentRefs: z.array(parentReference).min(1).describe('Gateways the route attaches to'),
  hostnames: z.array(z.string().min(1)).optional(),
  path: z.string().startsWith('/').optional().describe('Path prefix routed (default /)'),
});

interface HttpRoute extends KubernetesObject {
  spec?: { rules?: { backendRefs?: { name: string; weight?: number; [k: string]: unknown }[] }[] };
}

async function findRoute(client: KubeClient, target: TrackTarget): Promise<HttpRoute> {
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

export const gatewayApiRouter = defineRouter({
  method: 'gateway-api',
  settings: {
    key: 'gatewayApi',
    schema: gatewayApiSettings,
    description: 'HTTPRoute settings (method gateway-api)',
  },
  render({ service, port, canaryWeight, tracks, metadata }, settings) {
    const withCanary = tracks.has('canary');
    const weight = withCanary ? canaryWeight : 0;
    const backendRefs = [
      { name: `${service}-stable`, port, weight: 100 - weight },
      ...(withCanary ? [{ name: canaryName(service), port, weight }] : []),
    ];
    return [
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: metadata(service, 'shared'),
        spec: {
          parentRefs: settings.parentRefs,
          ...(settings.hostnames && { hostnames: settings.hostnames }),
          rules: [{ matches: [{ path: { type: 'PathPrefix', value: settings.path ?? '/' } }], backendRefs }],
        },
      },
    ];
  },
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
});
