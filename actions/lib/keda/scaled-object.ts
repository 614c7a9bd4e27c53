/**
 * KEDA's reading of a ScaledObject (keda.sh/v1alpha1), for the parts scalegate's tools and local cluster
 * implement: its defaults, the checks of KEDA's admission webhook (replica bounds, fallback, trigger names,
 * scalingModifiers, cpu/memory-only scale to zero, name lengths) and those its scalers make of their metadata
 * (prometheus, cpu, memory). `scalegate validate` and the local cluster's KEDA operator share it.
 */
import { isQuantity } from '../util/quantity.js';
import type { FieldPath } from '../util/yaml-source.js';
import { compileFormula, type Formula } from './formula.js';

/** Why KEDA refuses a ScaledObject, and the field to blame. */
export class ScaledObjectProblem extends Error {
  constructor(
    readonly path: FieldPath,
    message: string,
  ) {
    super(message);
  }
}

export interface PrometheusTrigger {
  type: 'prometheus';
  /** The trigger's `name`, the formula's variable for it. */
  name: string | undefined;
  /** `s<index>-prometheus`, the external metric KEDA serves it as. */
  metricName: string;
  serverAddress: string;
  query: string;
  threshold: number;
  activationThreshold: number;
  metricType: 'AverageValue' | 'Value';
  /** An empty answer (or NaN/Inf) reads as 0 when true, else it is an error. */
  ignoreNullValues: boolean;
}

interface ResourceTrigger {
  type: 'cpu' | 'memory';
  name: string | undefined;
  metricType: 'Utilization' | 'AverageValue';
  /** A percentage (Utilization) or a quantity (AverageValue), as written. */
  value: string;
  containerName: string | undefined;
}

export type Trigger = PrometheusTrigger | ResourceTrigger;

type FallbackBehavior = 'static' | 'currentReplicas' | 'currentReplicasIfHigher' | 'currentReplicasIfLower';

interface ScalingModifiers {
  formula: Formula;
  target: number;
  activationTarget: number;
  metricType: 'AverageValue' | 'Value';
}

export interface ScaledObjectSpec {
  target: { apiVersion: string; kind: string; name: string };
  pollingIntervalSeconds: number;
  cooldownPeriodSeconds: number;
  minReplicaCount: number;
  maxReplicaCount: number;
  hpaName: string;
  // biome-ignore lint/suspicious/noExplicitAny: autoscaling/v2 behavior, passed to the HPA as written
  behavior: any;
  triggers: Trigger[];
  /** The replica count while no trigger is active (below minReplicaCount), when set or when min is 0. */
  idleReplicaCount: number | undefined;
  /** Seconds after creation before KEDA may first scale the target to its idle count. */
  initialCooldownPeriodSeconds: number;
  /** The pause annotations: scaling stopped, and the target held at `replicas` when given. */
  paused: { replicas?: number } | undefined;
  fallback: { failureThreshold: number; replicas: number; behavior: FallbackBehavior } | undefined;
  scalingModifiers: ScalingModifiers | undefined;
}

const pausedAnnotation = 'autoscaling.keda.sh/paused';
const pausedReplicasAnnotation = 'autoscaling.keda.sh/paused-replicas';
export const compositeMetricName = 'composite-metric';

const maxLabelValueLength = 63;
const fallbackBehaviors = ['static', 'currentReplicas', 'currentReplicasIfHigher', 'currentReplicasIfLower'];

interface RawTrigger {
  type?: string;
  name?: string;
  metricType?: string;
  useCachedMetrics?: boolean;
  metadata?: Record<string, string>;
}

interface RawObject {
  metadata: { name?: string; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: a ScaledObject spec as the user wrote it
  spec?: any;
}

function pauseOf(annotations: Record<string, string> | undefined): { replicas?: number } | undefined {
  const replicas = annotations?.[pausedReplicasAnnotation];
  if (replicas !== undefined) {
    const n = Number(replicas);
    if (!Number.isInteger(n) || n < 0)
      throw new ScaledObjectProblem(
        ['metadata', 'annotations', pausedReplicasAnnotation],
        `expected a whole number of replicas, got "${replicas}"`,
      );
    return { replicas: n };
  }
  return annotations?.[pausedAnnotation] === 'true' ? {} : undefined;
}

/** Go's strconv.ParseBool, which KEDA's scalers use for boolean metadata. */
function goBool(text: string, path: FieldPath): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  throw new ScaledObjectProblem(path, `strconv.ParseBool: parsing "${text}": invalid syntax`);
}

function number(text: string | undefined, path: FieldPath, fallback?: number): number {
  if (text === undefined && fallback !== undefined) return fallback;
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value))
    throw new ScaledObjectProblem(path, `expected a number, got "${text ?? ''}"`);
  return value;
}

function prometheusTrigger(trigger: RawTrigger, i: number): PrometheusTrigger {
  const at = (...rest: string[]): FieldPath => ['spec', 'triggers', i, ...rest];
  const metadata = trigger.metadata ?? {};
  for (const field of ['serverAddress', 'query', 'threshold']) {
    if (!metadata[field])
      throw new ScaledObjectProblem(at('metadata', field), 'required by the prometheus scaler');
  }
  const threshold = Number(metadata.threshold);
  if (!Number.isFinite(threshold) || threshold <= 0)
    throw new ScaledObjectProblem(
      at('metadata', 'threshold'),
      `expected a positive number, got "${metadata.threshold}"`,
    );
  const metricType = trigger.metricType ?? 'AverageValue';
  if (metricType !== 'AverageValue' && metricType !== 'Value')
    throw new ScaledObjectProblem(
      at('metricType'),
      `'${metricType}' metric type is unsupported for external metrics, allowed values are 'Value' or 'AverageValue'`,
    );
  return {
    type: 'prometheus',
    name: trigger.name,
    metricName: `s${i}-prometheus`,
    serverAddress: metadata.serverAddress as string,
    query: metadata.query as string,
    threshold,
    activationThreshold: number(metadata.activationThreshold, at('metadata', 'activationThreshold'), 0),
    metricType,
    ignoreNullValues:
      metadata.ignoreNullValues === undefined
        ? true
        : goBool(metadata.ignoreNullValues, at('metadata', 'ignoreNullValues')),
  };
}

function resourceTrigger(trigger: RawTrigger, i: number): ResourceTrigger {
  const type = trigger.type as 'cpu' | 'memory';
  const at = (...rest: string[]): FieldPath => ['spec', 'triggers', i, ...rest];
  if (trigger.useCachedMetrics)
    throw new ScaledObjectProblem(
      at('useCachedMetrics'),
      `property "useCachedMetrics" is not supported for "${type}" scaler`,
    );
  const metadata = trigger.metadata ?? {};
  // `metadata.type` is the deprecated spelling of the trigger's metricType.
  const metricType = trigger.metricType ?? metadata.type;
  if (metricType !== 'Utilization' && metricType !== 'AverageValue')
    throw new ScaledObjectProblem(
      trigger.metricType === undefined && metadata.type !== undefined
        ? at('metadata', 'type')
        : at('metricType'),
      `unknown metric type: ${metricType ?? ''}, allowed values are 'Utilization' or 'AverageValue'`,
    );
  const value = metadata.value;
  if (value === undefined)
    throw new ScaledObjectProblem(at('metadata', 'value'), `required by the ${type} scaler`);
  const valid = metricType === 'Utilization' ? /^[+-]?\d+$/.test(value) : isQuantity(value);
  if (!valid)
    throw new ScaledObjectProblem(
      at('metadata', 'value'),
      metricType === 'Utilization'
        ? `expected a whole percentage, got "${value}"`
        : `expected a quantity, got "${value}"`,
    );
  return { type, name: trigger.name, metricType, value, containerName: metadata.containerName };
}

function readTriggers(spec: RawObject['spec']): Trigger[] {
  const triggers = (spec.triggers ?? []) as RawTrigger[];
  if (triggers.length === 0)
    throw new ScaledObjectProblem(['spec', 'triggers'], 'no triggers defined in the ScaledObject/ScaledJob');
  const names = new Set<string>();
  return triggers.map((trigger, i) => {
    if (trigger.name !== undefined && trigger.name !== '') {
      if (names.has(trigger.name))
        throw new ScaledObjectProblem(
          ['spec', 'triggers', i, 'name'],
          `triggerName "${trigger.name}" is defined multiple times in the ScaledObject/ScaledJob, but it must be unique`,
        );
      names.add(trigger.name);
    }
    if (trigger.type === 'prometheus') return prometheusTrigger(trigger, i);
    if (trigger.type === 'cpu' || trigger.type === 'memory') return resourceTrigger(trigger, i);
    throw new ScaledObjectProblem(
      ['spec', 'triggers', i, 'type'],
      `only the prometheus, cpu and memory scalers are supported, got "${trigger.type}"`,
    );
  });
}

/** KEDA's ValidateAndCompileScalingModifiers, each error joined to its context on one line. */
function readScalingModifiers(spec: RawObject['spec'], triggers: Trigger[]): ScalingModifiers | undefined {
  const raw = spec.advanced?.scalingModifiers;
  if (!raw || Object.keys(raw).length === 0) return undefined;
  const at = (field: string): FieldPath => ['spec', 'advanced', 'scalingModifiers', field];
  if (!raw.formula)
    throw new ScaledObjectProblem(at('formula'), 'error ScalingModifiers.Formula is mandatory');
  if (!raw.target)
    throw new ScaledObjectProblem(
      at('target'),
      'error validating formula in ScalingModifiers: formula is given but target is empty',
    );
  let formula: Formula;
  try {
    formula = compileFormula(
      raw.formula,
      triggers.flatMap((t) => (t.type === 'prometheus' && t.name ? [t.name] : [])),
    );
  } catch (error) {
    throw new ScaledObjectProblem(
      at('formula'),
      `error validating formula in ScalingModifiers: ${(error as Error).message}`,
    );
  }
  const target = Number(raw.target);
  if (!Number.isFinite(target) || target <= 0)
    throw new ScaledObjectProblem(
      at('target'),
      `error validating target in ScalingModifiers: error converting target for scalingModifiers (string->float) to valid target: "${raw.target}"`,
    );
  const metricType = raw.metricType ?? 'AverageValue';
  if (metricType !== 'AverageValue' && metricType !== 'Value')
    throw new ScaledObjectProblem(
      at('metricType'),
      'error validating target in ScalingModifiers: error trigger type is Utilization, but it needs to be AverageValue or Value for external metrics',
    );
  return {
    formula,
    target,
    activationTarget: number(raw.activationTarget, at('activationTarget'), 0),
    metricType,
  };
}

function readFallback(
  spec: RawObject['spec'],
  triggers: Trigger[],
  modifiers: boolean,
): ScaledObjectSpec['fallback'] {
  const raw = spec.fallback;
  if (raw === undefined || raw === null) return undefined;
  const failureThreshold = raw.failureThreshold;
  const replicas = raw.replicas;
  for (const [field, value] of [
    ['failureThreshold', failureThreshold],
    ['replicas', replicas],
  ] as const) {
    if (!Number.isInteger(value) || value < 0)
      throw new ScaledObjectProblem(
        ['spec', 'fallback', field],
        `FailureThreshold=${failureThreshold} & Replicas=${replicas} must both be greater than or equal to 0`,
      );
  }
  const behavior = raw.behavior ?? 'static';
  if (!fallbackBehaviors.includes(behavior))
    throw new ScaledObjectProblem(
      ['spec', 'fallback', 'behavior'],
      `Unsupported value: "${behavior}": supported values: ${fallbackBehaviors.map((b) => `"${b}"`).join(', ')}`,
    );
  if (!modifiers && triggers.every((t) => t.type !== 'prometheus'))
    throw new ScaledObjectProblem(
      ['spec', 'fallback'],
      'at least one trigger (that is not cpu or memory) has to have the `AverageValue` type for the fallback to be enabled',
    );
  return { failureThreshold, replicas, behavior };
}

/** Reads and checks a ScaledObject as KEDA's webhook and operator do; throws a ScaledObjectProblem. */
export function readScaledObject(object: RawObject): ScaledObjectSpec {
  const name = object.metadata.name ?? '';
  const spec = object.spec ?? {};
  const ref = spec.scaleTargetRef;
  if (!ref?.name) throw new ScaledObjectProblem(['spec', 'scaleTargetRef', 'name'], 'required');
  if (name.length > maxLabelValueLength)
    throw new ScaledObjectProblem(
      ['metadata', 'name'],
      `scaledobject name "${name}" is ${name.length} characters long; must be no more than ${maxLabelValueLength} characters because it is used as the "scaledobject.keda.sh/name" label value`,
    );
  const hpaName: string = spec.advanced?.horizontalPodAutoscalerConfig?.name || `keda-hpa-${name}`;
  if (hpaName.length > maxLabelValueLength)
    throw new ScaledObjectProblem(
      ['metadata', 'name'],
      `HPA name "${hpaName}" derived from scaledobject is ${hpaName.length} characters long; must be no more than ${maxLabelValueLength} characters; set spec.advanced.horizontalPodAutoscalerConfig.name to a shorter name or shorten the scaledobject name`,
    );
  const triggers = readTriggers(spec);
  const minSet: number | undefined = spec.minReplicaCount ?? undefined;
  const minReplicaCount = minSet ?? 0;
  const maxReplicaCount: number = spec.maxReplicaCount ?? 100;
  // The webhook compares against the HPA's minimum: a minReplicaCount of 0 counts as 1 there.
  const hpaMin = minSet === undefined ? 0 : Math.max(minSet, 1);
  if (hpaMin > maxReplicaCount)
    throw new ScaledObjectProblem(
      ['spec', 'minReplicaCount'],
      `MinReplicaCount=${hpaMin} must be less than MaxReplicaCount=${maxReplicaCount}`,
    );
  const idle: number | undefined = spec.idleReplicaCount ?? undefined;
  if (idle !== undefined && idle >= hpaMin)
    throw new ScaledObjectProblem(
      ['spec', 'idleReplicaCount'],
      `IdleReplicaCount=${idle} must be less than MinReplicaCount=${hpaMin}`,
    );
  if (triggers.every((t) => t.type !== 'prometheus') && minReplicaCount === 0)
    throw new ScaledObjectProblem(
      ['spec', 'minReplicaCount'],
      "scaledobject has only cpu/memory triggers AND minReplica is 0 (scale to zero doesn't work in this case)",
    );
  const scalingModifiers = readScalingModifiers(spec, triggers);
  return {
    target: { apiVersion: ref.apiVersion ?? 'apps/v1', kind: ref.kind ?? 'Deployment', name: ref.name },
    pollingIntervalSeconds: spec.pollingInterval ?? 30,
    cooldownPeriodSeconds: spec.cooldownPeriod ?? 300,
    minReplicaCount,
    maxReplicaCount,
    hpaName,
    behavior: spec.advanced?.horizontalPodAutoscalerConfig?.behavior,
    triggers,
    idleReplicaCount: idle ?? (minReplicaCount === 0 ? 0 : undefined),
    initialCooldownPeriodSeconds: spec.initialCooldownPeriod ?? 0,
    paused: pauseOf(object.metadata.annotations),
    fallback: readFallback(spec, triggers, scalingModifiers !== undefined),
    scalingModifiers,
  };
}
