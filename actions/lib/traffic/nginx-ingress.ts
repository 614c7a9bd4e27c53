/**
 * nginx-ingress: an Ingress for `<svc>-stable` plus a canary Ingress for `<svc>-canary` whose `canary-weight`
 * annotation takes its share of the stable Ingress' host.
 */
import type { V1Ingress } from '@kubernetes/client-node';
import { z } from 'zod';
import type { KubeClient } from '../kube/client.js';
import { ScalegateError } from '../util/errors.js';
import { defineRouter, environmentSelector, type TrackTarget } from './router.js';

const nginxIngressSettings = z.strictObject({
  host: z.string().min(1).describe('Host the Ingresses serve'),
  ingressClassName: z.string().min(1).optional().describe('Ingress class (default nginx)'),
  path: z.string().startsWith('/').optional().describe('Path prefix routed (default /)'),
});

const nginxCanary = 'nginx.ingress.kubernetes.io/canary';
const nginxCanaryWeight = 'nginx.ingress.kubernetes.io/canary-weight';

async function findCanaryIngress(client: KubeClient, target: TrackTarget): Promise<V1Ingress | undefined> {
  const ingresses = await client.list<V1Ingress>('networking.k8s.io/v1', 'Ingress', {
    namespace: target.namespace,
    labelSelector: environmentSelector(target.environment),
  });
  return ingresses.items.find((i) => i.metadata?.annotations?.[nginxCanary] === 'true');
}

export const nginxIngressRouter = defineRouter({
  method: 'nginx-ingress',
  settings: {
    key: 'nginxIngress',
    schema: nginxIngressSettings,
    description: 'Ingress settings (method nginx-ingress)',
  },
  render({ service, port, canaryWeight, tracks, metadata }, settings) {
    return [...tracks].sort().map((track) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata:
        track === 'canary'
          ? metadata(`${service}-canary`, 'canary', {
              [nginxCanary]: 'true',
              [nginxCanaryWeight]: String(canaryWeight),
            })
          : metadata(service, 'shared'),
      spec: {
        ingressClassName: settings.ingressClassName ?? 'nginx',
        rules: [
          {
            host: settings.host,
            http: {
              paths: [
                {
                  path: settings.path ?? '/',
                  pathType: 'Prefix',
                  backend: { service: { name: `${service}-${track}`, port: { number: port } } },
                },
              ],
            },
          },
        ],
      },
    }));
  },
  async setWeight(client, target, weight) {
    const ingress = await findCanaryIngress(client, target);
    if (!ingress) {
      if (weight === 0) return 0;
      throw new ScalegateError(
        `no canary Ingress (annotation ${nginxCanary}: "true") in ${target.namespace}`,
        1,
      );
    }
    await client.mergePatch(
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: ingress.metadata!.name!, namespace: target.namespace },
      },
      { metadata: { annotations: { [nginxCanaryWeight]: String(weight) } } },
    );
    return weight;
  },
  async currentWeight(client, target) {
    const ingress = await findCanaryIngress(client, target);
    return ingress ? Number(ingress.metadata?.annotations?.[nginxCanaryWeight] ?? 0) : 0;
  },
  async beforePromotedRollout() {},
});
