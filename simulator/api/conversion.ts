import type { ResourceType } from '../store/resources.js';
import type { KubeObject } from '../store/types.js';

/**
 * Conversion between a served version and the stored one, as kube-apiserver converts autoscaling/v1
 * HorizontalPodAutoscalers to and from v2 (`pkg/apis/autoscaling/v1/conversion.go`): v1 carries only a CPU
 * utilization target; everything else travels in the `autoscaling.alpha.kubernetes.io/*` annotations.
 */

// biome-ignore lint/suspicious/noExplicitAny: conversion walks untyped JSON.
type Json = any;

export interface Conversion {
  toStored(object: KubeObject): KubeObject;
  fromStored(object: KubeObject): KubeObject;
}

const metricsAnnotation = 'autoscaling.alpha.kubernetes.io/metrics';
const currentMetricsAnnotation = 'autoscaling.alpha.kubernetes.io/current-metrics';
const conditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions';
const behaviorAnnotation = 'autoscaling.alpha.kubernetes.io/behavior';

const isCpuUtilization = (m: Json) =>
  m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization';

function parsed(annotations: Record<string, string>, key: string): Json {
  const text = annotations[key];
  delete annotations[key];
  return text ? JSON.parse(text) : undefined;
}

function withoutKey(object: Json, key: string): Json {
  const { [key]: _, ...rest } = object;
  return rest;
}

function withAnnotations(metadata: Json, annotations: Record<string, string>): Json {
  const rest = withoutKey(metadata ?? {}, 'annotations');
  return Object.keys(annotations).length ? { ...rest, annotations } : rest;
}

/** What both versions share: the target and the replica bounds. */
function hpaShell(apiVersion: string, hpa: KubeObject, annotations: Record<string, string>) {
  const spec: Json = hpa.spec ?? {};
  return {
    apiVersion,
    kind: 'HorizontalPodAutoscaler',
    metadata: withAnnotations(hpa.metadata, annotations),
    spec: {
      scaleTargetRef: spec.scaleTargetRef,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
    },
  };
}

export function hpaV1FromV2(hpa: KubeObject): KubeObject {
  const spec: Json = hpa.spec ?? {};
  const status: Json = hpa.status;
  const annotations: Record<string, string> = { ...(hpa.metadata.annotations ?? {}) };
  const metrics: Json[] = spec.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  if (others.length) annotations[metricsAnnotation] = JSON.stringify(others);
  if (spec.behavior) annotations[behaviorAnnotation] = JSON.stringify(spec.behavior);
  const currentCpu = (status?.currentMetrics ?? []).find(
    (m: Json) => m.type === 'Resource' && m.resource?.name === 'cpu',
  );
  const otherCurrent = (status?.currentMetrics ?? []).filter((m: Json) => m !== currentCpu);
  if (otherCurrent.length) annotations[currentMetricsAnnotation] = JSON.stringify(otherCurrent);
  if (status?.conditions?.length) annotations[conditionsAnnotation] = JSON.stringify(status.conditions);
  const shell = hpaShell('autoscaling/v1', hpa, annotations);
  return {
    ...shell,
    spec: {
      ...shell.spec,
      ...(cpu ? { targetCPUUtilizationPercentage: cpu.resource.target.averageUtilization } : {}),
    },
    status: {
      ...(status?.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
      ...(status?.lastScaleTime ? { lastScaleTime: status.lastScaleTime } : {}),
      currentReplicas: status?.currentReplicas ?? 0,
      desiredReplicas: status?.desiredReplicas ?? 0,
      ...(currentCpu?.resource?.current?.averageUtilization !== undefined
        ? { currentCPUUtilizationPercentage: currentCpu.resource.current.averageUtilization }
        : {}),
    },
  };
}

export function hpaV2FromV1(hpa: KubeObject): KubeObject {
  const spec: Json = hpa.spec ?? {};
  const status: Json = hpa.status;
  const annotations: Record<string, string> = { ...(hpa.metadata?.annotations ?? {}) };
  const others: Json[] = parsed(annotations, metricsAnnotation) ?? [];
  const behavior = parsed(annotations, behaviorAnnotation);
  const otherCurrent: Json[] = parsed(annotations, currentMetricsAnnotation) ?? [];
  const conditions = parsed(annotations, conditionsAnnotation);
  const cpu =
    spec.targetCPUUtilizationPercentage !== undefined
      ? [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage },
            },
          },
        ]
      : [];
  const currentCpu =
    status?.currentCPUUtilizationPercentage !== undefined
      ? [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              current: { averageUtilization: status.currentCPUUtilizationPercentage },
            },
          },
        ]
      : [];
  const metrics = [...cpu, ...others];
  const current = [...currentCpu, ...otherCurrent];
  const shell = hpaShell('autoscaling/v2', hpa, annotations);
  return {
    ...shell,
    spec: {
      ...shell.spec,
      ...(metrics.length ? { metrics } : {}),
      ...(behavior ? { behavior } : {}),
    },
    ...(status
      ? {
          status: {
            ...withoutKey(status, 'currentCPUUtilizationPercentage'),
            ...(current.length ? { currentMetrics: current } : {}),
            ...(conditions ? { conditions } : {}),
          },
        }
      : {}),
  };
}

const conversions: Record<string, Conversion> = {
  'autoscaling/v1/HorizontalPodAutoscaler': { toStored: hpaV2FromV1, fromStored: hpaV1FromV2 },
};

/** The conversion a served-but-not-stored version needs, if any. */
export function conversionOf(type: ResourceType): Conversion | undefined {
  const stored = type.storedAs;
  if (!stored) return undefined;
  const known = conversions[`${type.group}/${type.version}/${type.kind}`];
  if (known) return known;
  // A custom resource's `conversion: None`: only the apiVersion changes.
  const storedVersion = stored.group ? `${stored.group}/${stored.version}` : stored.version;
  const servedVersion = type.group ? `${type.group}/${type.version}` : type.version;
  return {
    toStored: (object) => ({ ...object, apiVersion: storedVersion }),
    fromStored: (object) => ({ ...object, apiVersion: servedVersion }),
  };
}
