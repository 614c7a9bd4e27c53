/** nginx-ingress: a canary Ingress whose `canary-weight` annotation takes its share of the stable Ingress' host. */
import type { V1Ingress } from '@kubernetes/client-node';
import type { KubeClient } from '../../kube/client.js';
import { ScalegateError } from '../../util/errors.js';
import { environmentSelector, type TrafficRouter, type TrafficTarget } from './router.js';

const nginxCanary = 'nginx.ingress.kubernetes.io/canary';
const nginxCanaryWeight = 'nginx.ingress.kubernetes.io/canary-weight';

async function findCanaryIngress(client: KubeClient, target: TrafficTarget): Promise<V1Ingress | undefined> {
  const ingresses = await client.list<V1Ingress>('networking.k8s.io/v1', 'Ingress', {
    namespace: target.namespace,
    labelSelector: environmentSelector(target.environment),
  });
  return ingresses.items.find((i) => i.metadata?.annotations?.[nginxCanary] === 'true');
}

export const nginxIngressRouter: TrafficRouter = {
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
};
