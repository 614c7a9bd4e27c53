import type {
  KubernetesObject,
  V1Deployment,
  V1Ingress,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { KubeClient } from '../kube/client.js';
import { labels, managedByValue, selectorString } from '../kube/labels.js';
import { ScalegateError } from '../util/errors.js';
import { type Bounds, backendWeights, replicaSplit } from './weights.js';

export type TrafficMethod = 'replica-ratio' | 'gateway-api' | 'nginx-ingress';

/** Which service's tracks a traffic operation addresses. */
export interface TrafficTarget {
  namespace: string;
  environment: string;
  service: string;
  method: TrafficMethod;
}

export const canaryName = (service: string) => `${service}-canary`;
const nginxCanary = 'nginx.ingress.kubernetes.io/canary';
const nginxCanaryWeight = 'nginx.ingress.kubernetes.io/canary-weight';

interface HttpRoute extends KubernetesObject {
  spec?: { rules?: { backendRefs?: { name: string; weight?: number; [k: string]: unknown }[] }[] };
}

function envSelector(environment: string): string {
  return selectorString({ [labels.managedBy]: managedByValue, [labels.environment]: environment });
}

async function findRoute(client: KubeClient, target: TrafficTarget): Promise<HttpRoute> {
  const routes = await client.list<HttpRoute>('gateway.networking.k8s.io/v1', 'HTTPRoute', {
    namespace: target.namespace,
    labelSelector: envSelector(target.environment),
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

async function findCanaryIngress(client: KubeClient, target: TrafficTarget): Promise<V1Ingress | undefined> {
  const ingresses = await client.list<V1Ingress>('networking.k8s.io/v1', 'Ingress', {
    namespace: target.namespace,
    labelSelector: envSelector(target.environment),
  });
  return ingresses.items.find((i) => i.metadata?.annotations?.[nginxCanary] === 'true');
}

/** The autoscaler of a Deployment: the HPA whose scaleTargetRef names it. */
export async function hpaFor(
  client: KubeClient,
  namespace: string,
  deployment: string,
): Promise<V2HorizontalPodAutoscaler | undefined> {
  const hpas = await client.list<V2HorizontalPodAutoscaler>('autoscaling/v2', 'HorizontalPodAutoscaler', {
    namespace,
  });
  return hpas.items.find(
    (h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec.scaleTargetRef.name === deployment,
  );
}

/** A track's current bounds: its HPA's min/max, or its Deployment's replicas when it has no HPA. */
export async function trackBounds(
  client: KubeClient,
  namespace: string,
  deployment: string,
): Promise<Bounds | undefined> {
  const hpa = await hpaFor(client, namespace, deployment);
  if (hpa?.spec) return { min: hpa.spec.minReplicas ?? 1, max: hpa.spec.maxReplicas };
  const d = await client.read<V1Deployment>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: deployment, namespace },
  });
  if (!d) return undefined;
  const replicas = d.spec?.replicas ?? 1;
  return { min: replicas, max: replicas };
}

/**
 * A track's bounds as rendered: its autoscaler's (HPA min/max, or a ScaledObject's replica counts, which KEDA copies
 * to the HPA it creates, at least 1), else its Deployment's replicas. Undefined when `objects` hold no Deployment `deployment`.
 */
export function renderedBounds(objects: KubernetesObject[], deployment: string): Bounds | undefined {
  type Scaler = KubernetesObject & {
    spec?: {
      scaleTargetRef?: { name?: string };
      minReplicas?: number;
      maxReplicas?: number;
      minReplicaCount?: number;
      maxReplicaCount?: number;
    };
  };
  const scaler = (objects as Scaler[]).find(
    (o) =>
      (o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject') &&
      o.spec?.scaleTargetRef?.name === deployment,
  );
  if (scaler?.kind === 'HorizontalPodAutoscaler' && scaler.spec?.maxReplicas !== undefined)
    return { min: scaler.spec.minReplicas ?? 1, max: scaler.spec.maxReplicas };
  if (scaler?.kind === 'ScaledObject' && scaler.spec?.maxReplicaCount !== undefined)
    return { min: Math.max(1, scaler.spec.minReplicaCount ?? 0), max: scaler.spec.maxReplicaCount };
  const target = (objects as V1Deployment[]).find(
    (o) => o.kind === 'Deployment' && o.metadata?.name === deployment,
  );
  if (!target) return undefined;
  const replicas = target.spec?.replicas ?? 1;
  return { min: replicas, max: replicas };
}

/** Sets a track's bounds on its HPA, or its Deployment's replicas when it has no HPA. */
export async function setTrackBounds(
  client: KubeClient,
  namespace: string,
  deployment: string,
  bounds: Bounds,
): Promise<void> {
  const hpa = await hpaFor(client, namespace, deployment);
  if (hpa?.metadata?.name) {
    await client.mergePatch(
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: hpa.metadata.name, namespace },
      },
      { spec: { minReplicas: bounds.min, maxReplicas: bounds.max } },
    );
    return;
  }
  await client.mergePatch(
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: deployment, namespace } },
    { spec: { replicas: bounds.min } },
  );
}

/**
 * Sends `weight` percent of the traffic to the canary by the environment's method; returns the weight achieved
 * (replica-ratio can only approximate it). `baseline` holds the tracks' rendered bounds for replica-ratio.
 */
export async function setWeight(
  client: KubeClient,
  target: TrafficTarget,
  weight: number,
  baseline: { stable?: Bounds; canary?: Bounds },
): Promise<number> {
  const { namespace, service } = target;
  if (target.method === 'gateway-api') {
    const route = await findRoute(client, target);
    const weights = backendWeights(weight);
    const rules = (route.spec?.rules ?? []).map((rule) => ({
      ...rule,
      backendRefs: rule.backendRefs?.map((b) =>
        b.name === canaryName(service) ? { ...b, weight: weights.canary } : { ...b, weight: weights.stable },
      ),
    }));
    await client.mergePatch(
      {
        apiVersion: route.apiVersion!,
        kind: 'HTTPRoute',
        metadata: { name: route.metadata!.name!, namespace },
      },
      { spec: { rules } },
    );
    return weight;
  }
  if (target.method === 'nginx-ingress') {
    const ingress = await findCanaryIngress(client, target);
    if (!ingress) {
      if (weight === 0) return 0;
      throw new ScalegateError(`no canary Ingress (annotation ${nginxCanary}: "true") in ${namespace}`, 1);
    }
    await client.mergePatch(
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: ingress.metadata!.name!, namespace },
      },
      { metadata: { annotations: { [nginxCanaryWeight]: String(weight) } } },
    );
    return weight;
  }
  const stable = baseline.stable ?? (await trackBounds(client, namespace, service));
  const canary = baseline.canary ?? (await trackBounds(client, namespace, canaryName(service)));
  if (!stable || !canary) {
    if (weight === 0) return 0;
    throw new ScalegateError(`replica-ratio needs both Deployments ${service} and ${canaryName(service)}`, 1);
  }
  const split = replicaSplit(weight, stable, canary);
  if (weight === 0) {
    // Traffic back to stable: restore its bounds; the canary is about to be removed.
    await setTrackBounds(client, namespace, service, stable);
    return 0;
  }
  await setTrackBounds(client, namespace, service, split.stable);
  await setTrackBounds(client, namespace, canaryName(service), split.canary);
  return split.achievedWeight;
}

/** The weight the cluster currently sends to the canary, as far as it can be read. */
export async function currentWeight(client: KubeClient, target: TrafficTarget): Promise<number | undefined> {
  if (target.method === 'gateway-api') {
    const route = await findRoute(client, target).catch(() => undefined);
    const refs = route?.spec?.rules?.[0]?.backendRefs ?? [];
    const total = refs.reduce((sum, b) => sum + (b.weight ?? 1), 0);
    const canary = refs.find((b) => b.name === canaryName(target.service));
    return canary && total > 0 ? Math.round((100 * (canary.weight ?? 1)) / total) : 0;
  }
  if (target.method === 'nginx-ingress') {
    const ingress = await findCanaryIngress(client, target);
    return ingress ? Number(ingress.metadata?.annotations?.[nginxCanaryWeight] ?? 0) : 0;
  }
  const read = (name: string) =>
    client.read<V1Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: target.namespace },
    });
  const [stable, canary] = await Promise.all([read(target.service), read(canaryName(target.service))]);
  const s = stable?.status?.readyReplicas ?? 0;
  const c = canary?.status?.readyReplicas ?? 0;
  return s + c === 0 ? undefined : Math.round((100 * c) / (s + c));
}
