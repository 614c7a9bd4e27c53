import {
  compositeMetricName,
  type ScaledObjectSpec,
  type Trigger,
} from '../../actions/lib/keda/scaled-object.js';
import { ownerReferenceTo } from '../controllers/objects.js';
import type { KubeObject } from '../store/types.js';
import { kedaQuantity } from './external-metrics.js';
import type { Hpa, LabelSelector, MetricSpec } from './hpa/types.js';

/**
 * The HPA that KEDA's operator derives from a ScaledObject (read by actions/lib/keda): `keda-hpa-<name>` with one
 * External metric per prometheus trigger, named `s<i>-prometheus` and selected by the `scaledobject.keda.sh/name`
 * label, or the single `composite-metric` when scalingModifiers are set; cpu/memory triggers become Resource
 * (ContainerResource with a containerName) metrics, as KEDA's cpu/memory scaler hands them to the HPA.
 */

export const scaledObjectNameLabel = 'scaledobject.keda.sh/name';

function metricSelector(scaledObject: string): LabelSelector {
  return { matchLabels: { [scaledObjectNameLabel]: scaledObject } };
}

function externalMetric(name: string, owner: string, metricType: 'AverageValue' | 'Value', value: number) {
  const quantity = kedaQuantity(value);
  return {
    type: 'External',
    external: {
      metric: { name, selector: metricSelector(owner) },
      target:
        metricType === 'Value'
          ? { type: 'Value', value: quantity }
          : { type: 'AverageValue', averageValue: quantity },
    },
  };
}

function resourceMetric(trigger: Trigger & { type: 'cpu' | 'memory' }) {
  const target =
    trigger.metricType === 'Utilization'
      ? { type: 'Utilization', averageUtilization: Number(trigger.value) }
      : { type: 'AverageValue', averageValue: trigger.value };
  return trigger.containerName
    ? {
        type: 'ContainerResource',
        containerResource: { name: trigger.type, container: trigger.containerName, target },
      }
    : { type: 'Resource', resource: { name: trigger.type, target } };
}

/** The HPA's metrics in KEDA's order: External before Resource (sorted by type), the composite metric last. */
function hpaMetrics(owner: string, spec: ScaledObjectSpec): MetricSpec[] {
  const external = spec.triggers.flatMap((t) =>
    t.type === 'prometheus' ? [externalMetric(t.metricName, owner, t.metricType, t.threshold)] : [],
  );
  const resource = spec.triggers.flatMap((t) => (t.type === 'prometheus' ? [] : [resourceMetric(t)]));
  const modifiers = spec.scalingModifiers;
  const metrics = modifiers
    ? [...resource, externalMetric(compositeMetricName, owner, modifiers.metricType, modifiers.target)]
    : [...external, ...resource];
  return metrics as MetricSpec[];
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
      metrics: hpaMetrics(name, spec),
      ...(spec.behavior ? { behavior: spec.behavior } : {}),
    },
  };
}
