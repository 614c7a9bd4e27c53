import { ownerReferenceTo } from '../controllers/objects.js';
import type { KubeObject } from '../store/types.js';
import { formatMilliDecimal, milliValue } from './hpa/quantity.js';
import type { Behavior, Hpa, LabelSelector } from './hpa/types.js';

/**
 * The parts of KEDA's ScaledObject (keda.sh/v1alpha1) the local cluster implements, validated, and the HPA that
 * KEDA's operator derives from it: `keda-hpa-<name>` with one External metric per trigger, named `s<i>-<type>`,
 * selected by the `scaledobject.keda.sh/name` label, targeting the trigger's threshold per pod (AverageValue).
 */

export interface PrometheusTrigger {
  metricName: string;
  serverAddress: string;
  query: string;
  threshold: string;
  activationThreshold: number;
  metricType: 'AverageValue' | 'Value';
}

export interface ScaledObjectSpec {
  target: { apiVersion: string; kind: string; name: string };
  pollingIntervalSeconds: number;
  cooldownPeriodSeconds: number;
  minReplicaCount: number;
  maxReplicaCount: number;
  hpaName: string;
  behavior: Behavior | undefined;
  triggers: PrometheusTrigger[];
  /** The replica count while no trigger is active (below minReplicaCount), when set or when min is 0. */
  idleReplicaCount: number | undefined;
  /** Seconds after creation before KEDA may first scale the target to its idle count. */
  initialCooldownPeriodSeconds: number;
  /** The pause annotations: scaling stopped, and the target held at `replicas` when given. */
  paused: { replicas?: number } | undefined;
}

export const pausedAnnotation = 'autoscaling.keda.sh/paused';
export const pausedReplicasAnnotation = 'autoscaling.keda.sh/paused-replicas';

function pauseOf(annotations: Record<string, string> | undefined): { replicas?: number } | undefined {
  const replicas = annotations?.[pausedReplicasAnnotation];
  if (replicas !== undefined) {
    const n = Number(replicas);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`${pausedReplicasAnnotation}: expected a whole number of replicas, got "${replicas}"`);
    return { replicas: n };
  }
  return annotations?.[pausedAnnotation] === 'true' ? {} : undefined;
}

export const scaledObjectNameLabel = 'scaledobject.keda.sh/name';

/** Reads and checks a ScaledObject's spec with KEDA's defaults; throws the reason it cannot be scaled. */
export function readScaledObject(object: KubeObject): ScaledObjectSpec {
  const name = object.metadata.name as string;
  const spec = object.spec ?? {};
  const ref = spec.scaleTargetRef;
  if (!ref?.name) throw new Error('spec.scaleTargetRef.name is required');
  const triggers = (spec.triggers ?? []) as Array<{
    type?: string;
    metricType?: string;
    metadata?: Record<string, string>;
  }>;
  if (triggers.length === 0) throw new Error('no triggers defined in the ScaledObject');
  const parsed = triggers.map((trigger, i): PrometheusTrigger => {
    if (trigger.type !== 'prometheus') {
      throw new Error(`triggers[${i}].type: only the prometheus scaler is supported, got "${trigger.type}"`);
    }
    const metadata = trigger.metadata ?? {};
    for (const field of ['serverAddress', 'query', 'threshold']) {
      if (!metadata[field])
        throw new Error(`triggers[${i}].metadata.${field}: required by the prometheus scaler`);
    }
    const threshold = Number(metadata.threshold);
    const activation = Number(metadata.activationThreshold ?? 0);
    if (!Number.isFinite(threshold) || threshold <= 0) {
      throw new Error(
        `triggers[${i}].metadata.threshold: expected a positive number, got "${metadata.threshold}"`,
      );
    }
    if (!Number.isFinite(activation)) {
      throw new Error(
        `triggers[${i}].metadata.activationThreshold: expected a number, got "${metadata.activationThreshold}"`,
      );
    }
    return {
      metricName: `s${i}-prometheus`,
      serverAddress: metadata.serverAddress as string,
      query: metadata.query as string,
      // KEDA hands the HPA resource.NewMilliQuantity(threshold × 1000).
      threshold: formatMilliDecimal(milliValue(String(threshold))),
      activationThreshold: activation,
      metricType: trigger.metricType === 'Value' ? 'Value' : 'AverageValue',
    };
  });
  const minReplicaCount = spec.minReplicaCount ?? 0;
  const maxReplicaCount = spec.maxReplicaCount ?? 100;
  if (minReplicaCount > maxReplicaCount) {
    throw new Error(
      `minReplicaCount (${minReplicaCount}) must be less than or equal to maxReplicaCount (${maxReplicaCount})`,
    );
  }
  const idle: number | undefined = spec.idleReplicaCount;
  if (idle !== undefined && idle >= minReplicaCount) {
    throw new Error(`IdleReplicaCount=${idle} must be less than MinReplicaCount=${minReplicaCount}`);
  }
  return {
    target: { apiVersion: ref.apiVersion ?? 'apps/v1', kind: ref.kind ?? 'Deployment', name: ref.name },
    pollingIntervalSeconds: spec.pollingInterval ?? 30,
    cooldownPeriodSeconds: spec.cooldownPeriod ?? 300,
    minReplicaCount,
    maxReplicaCount,
    hpaName: spec.advanced?.horizontalPodAutoscalerConfig?.name ?? `keda-hpa-${name}`,
    behavior: spec.advanced?.horizontalPodAutoscalerConfig?.behavior,
    triggers: parsed,
    idleReplicaCount: idle ?? (minReplicaCount === 0 ? 0 : undefined),
    initialCooldownPeriodSeconds: spec.initialCooldownPeriod ?? 0,
    paused: pauseOf(object.metadata.annotations),
  };
}

export function metricSelector(scaledObject: string): LabelSelector {
  return { matchLabels: { [scaledObjectNameLabel]: scaledObject } };
}

/** The HPA KEDA's operator creates for a ScaledObject (owned by it, so it goes when the ScaledObject goes). */
export function hpaFor(
  object: KubeObject,
  spec: ScaledObjectSpec,
): Hpa & { metadata: KubeObject['metadata'] } {
  const name = object.metadata.name as string;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: spec.hpaName,
      namespace: object.metadata.namespace,
      labels: {
        'app.kubernetes.io/managed-by': 'keda-operator',
        'app.kubernetes.io/name': spec.hpaName,
        'app.kubernetes.io/part-of': name,
        [scaledObjectNameLabel]: name,
      },
      ownerReferences: [ownerReferenceTo(object)],
    },
    spec: {
      scaleTargetRef: spec.target,
      // The HPA cannot go below one replica; KEDA itself handles 0 ↔ 1 (activation).
      minReplicas: Math.max(spec.minReplicaCount, 1),
      maxReplicas: spec.maxReplicaCount,
      metrics: spec.triggers.map((t) => ({
        type: 'External',
        external: {
          metric: { name: t.metricName, selector: metricSelector(name) },
          target:
            t.metricType === 'Value'
              ? { type: 'Value', value: t.threshold }
              : { type: 'AverageValue', averageValue: t.threshold },
        },
      })),
      ...(spec.behavior ? { behavior: spec.behavior } : {}),
    },
  };
}
