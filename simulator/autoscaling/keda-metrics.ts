import {
  compositeMetricName,
  type PrometheusTrigger,
  type ScaledObjectSpec,
} from '../../actions/lib/keda/scaled-object.js';

/**
 * What KEDA's scale handler makes of its scalers' last answers: the value each external metric is served with
 * (the trigger's own, the `fallback` value once a trigger has failed more than `failureThreshold` times in a row,
 * or the scalingModifiers formula over all triggers as `composite-metric`) and whether the ScaledObject is active
 * or in error, as pkg/scaling/scale_handler.go and pkg/fallback decide them.
 */

export interface Sample {
  value?: number;
  error?: string;
}

/** status.health[<metric>] of a ScaledObject with a fallback. */
export interface Health {
  numberOfFailures: number;
  status: 'Happy' | 'Failing';
}

export interface TriggerAnswers {
  samples: ReadonlyMap<string, Sample>;
  health: ReadonlyMap<string, Health>;
}

/** The target's replica counts a fallback reads: spec.replicas, and (counted when asked) its ready pods. */
export interface TargetReplicas {
  current: number;
  ready(): number;
}

function prometheusTriggers(spec: ScaledObjectSpec): PrometheusTrigger[] {
  return spec.triggers.filter((t): t is PrometheusTrigger => t.type === 'prometheus');
}

/** A trigger falls back once it has failed more than failureThreshold polls in a row. */
export function isFallingBack(spec: ScaledObjectSpec, answers: TriggerAnswers, metric: string): boolean {
  const health = answers.health.get(metric);
  return (
    spec.fallback !== undefined &&
    answers.samples.get(metric)?.error !== undefined &&
    health?.status === 'Failing' &&
    health.numberOfFailures > spec.fallback.failureThreshold
  );
}

/** pkg/fallback's doFallback: the value that makes the HPA compute the fallback replica count. */
function fallbackValue(
  spec: ScaledObjectSpec,
  trigger: PrometheusTrigger | undefined,
  replicas: TargetReplicas,
): number {
  const fallback = spec.fallback as NonNullable<ScaledObjectSpec['fallback']>;
  const current = replicas.current;
  const wanted = {
    static: fallback.replicas,
    currentReplicas: current,
    currentReplicasIfHigher: Math.max(current, fallback.replicas),
    currentReplicasIfLower: Math.min(current, fallback.replicas),
  }[fallback.behavior];
  const modifiers = spec.scalingModifiers;
  const metricType = modifiers ? modifiers.metricType : trigger?.metricType;
  let count = wanted;
  if (metricType === 'Value') {
    const ready = replicas.ready();
    if (ready === 0) throw new Error('error performing fallback: readyReplicas is zero');
    count = wanted / ready;
  }
  const normalisation = modifiers ? modifiers.target : (trigger?.threshold ?? 0);
  return Math.trunc(normalisation * 1000 * count) / 1000;
}

function triggerValue(
  spec: ScaledObjectSpec,
  answers: TriggerAnswers,
  trigger: PrometheusTrigger,
  replicas: TargetReplicas,
): number {
  const sample = answers.samples.get(trigger.metricName);
  if (!sample) throw new Error(`no value polled yet for ${trigger.metricName}`);
  if (sample.error === undefined) return sample.value as number;
  if (isFallingBack(spec, answers, trigger.metricName)) return fallbackValue(spec, trigger, replicas);
  throw new Error(sample.error);
}

/** The formula over every trigger's value; nil (from `??`) means fallback.replicas × target, as KEDA does. */
function compositeValue(spec: ScaledObjectSpec, answers: TriggerAnswers, replicas: TargetReplicas): number {
  const modifiers = spec.scalingModifiers as NonNullable<ScaledObjectSpec['scalingModifiers']>;
  const triggers = prometheusTriggers(spec);
  const falling = triggers.find((t) => isFallingBack(spec, answers, t.metricName));
  if (falling) return fallbackValue(spec, falling, replicas);
  const values: Record<string, number> = {};
  for (const t of triggers) {
    const sample = answers.samples.get(t.metricName);
    if (sample?.error !== undefined || sample?.value === undefined)
      throw new Error(`metric:${compositeMetricName} encountered error`);
    if (t.name) values[t.name] = sample.value;
  }
  const result = modifiers.formula.evaluate(values);
  if (result !== null) return result;
  if (!spec.fallback)
    throw new Error('scalingModifiers formula evaluated to nil but no fallback is configured');
  return spec.fallback.replicas * modifiers.target;
}

/**
 * The value external.metrics.k8s.io serves for one of the ScaledObject's metrics; undefined for a metric it
 * does not have. Throws when the metric cannot be given (its trigger fails and no fallback applies yet).
 */
export function metricValue(
  spec: ScaledObjectSpec,
  answers: TriggerAnswers,
  metric: string,
  replicas: TargetReplicas,
): number | undefined {
  if (spec.scalingModifiers)
    return metric === compositeMetricName ? compositeValue(spec, answers, replicas) : undefined;
  const trigger = prometheusTriggers(spec).find((t) => t.metricName === metric);
  return trigger ? triggerValue(spec, answers, trigger, replicas) : undefined;
}

/**
 * Whether any trigger is active (and the metrics that are) and whether any failed (a trigger that falls back counts as active, not failed);
 * with scalingModifiers the formula's value against activationTarget decides, and any failure makes it inactive.
 * A ScaledObject with only cpu/memory triggers is always active: those never scale to zero.
 */
export function activity(
  spec: ScaledObjectSpec,
  answers: TriggerAnswers,
  replicas: TargetReplicas,
): { active: boolean; error: boolean; activeMetrics: string[] } {
  const triggers = prometheusTriggers(spec);
  let activeMetrics: string[] = [];
  let error = false;
  for (const t of triggers) {
    const sample = answers.samples.get(t.metricName);
    if (isFallingBack(spec, answers, t.metricName)) activeMetrics.push(t.metricName);
    else if (sample?.error !== undefined) error = true;
    else if (sample?.value !== undefined && sample.value > t.activationThreshold)
      activeMetrics.push(t.metricName);
  }
  if (spec.scalingModifiers) {
    activeMetrics = [];
    if (!error) {
      try {
        const value = metricValue(spec, answers, compositeMetricName, replicas) as number;
        if (value > spec.scalingModifiers.activationTarget) activeMetrics = [compositeMetricName];
      } catch {
        error = true;
      }
    }
  }
  const active = activeMetrics.length > 0 || (triggers.length === 0 && !error);
  return { active, error, activeMetrics };
}
