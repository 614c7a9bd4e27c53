/** A track's replica bounds: read from its autoscaler (or Deployment), set on it, or taken from rendered objects. */
import type { KubernetesObject, V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/client.js';
import { deploymentRef } from '../kube/object.js';
import type { Bounds } from './weights.js';

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
  const d = await client.read<V1Deployment>(deploymentRef(namespace, deployment));
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
  await client.mergePatch(deploymentRef(namespace, deployment), { spec: { replicas: bounds.min } });
}
