import { type Criterion, criterionBound, meetsCriterion, parseCriterion } from './criteria.js';
import type { History, MeasurementKey, RunRecord } from './history.js';
import { mannWhitney, mean, median, percentile } from './statistics.js';

/** Which change of a figure is bad, how its baseline is aggregated, and the criterion it must meet. */
export interface MetricPolicy {
  criterion: string;
  worseWhen: 'higher' | 'lower';
  aggregate: 'median' | 'mean' | 'p90';
}

export const defaultPolicies: Record<MeasurementKey, MetricPolicy> = {
  timeToScaleOutSeconds: { criterion: '<=+20%', worseWhen: 'higher', aggregate: 'median' },
  peakReplicas: { criterion: '<=+25%', worseWhen: 'higher', aggregate: 'median' },
  peakPendingPods: { criterion: '<=+1', worseWhen: 'higher', aggregate: 'median' },
  longestPendingSeconds: { criterion: '<=+20%', worseWhen: 'higher', aggregate: 'median' },
  p95Seconds: { criterion: '<=+10%', worseWhen: 'higher', aggregate: 'median' },
  p99Seconds: { criterion: '<=+15%', worseWhen: 'higher', aggregate: 'median' },
  errorRate: { criterion: '<=+0.005', worseWhen: 'higher', aggregate: 'median' },
  achievedRate: { criterion: '>=-5%', worseWhen: 'lower', aggregate: 'median' },
};

export interface CompareOptions {
  policies?: Partial<Record<MeasurementKey, MetricPolicy>>;
  /** How many of the newest passing runs form the baseline. */
  baselineRuns?: number;
  /** Samples needed on each side before the rank test is used. */
  minSamples?: number;
  confidence?: number;
}

export interface Finding {
  stage: string;
  metric: MeasurementKey;
  status: 'regression' | 'ok' | 'no-baseline';
  current: number;
  baseline?: number;
  bound?: number;
  changePercent?: number;
  criterion: string;
  method: 'criterion' | 'mann-whitney';
  mannWhitney?: { pValue: number; shift: number; interval: [number, number] };
  reason: string;
}

export interface Comparison {
  baselineRunIds: string[];
  findings: Finding[];
  regressions: Finding[];
}

function aggregate(values: number[], how: MetricPolicy['aggregate']): number {
  if (how === 'mean') return mean(values);
  if (how === 'p90') return percentile(values, 90);
  return median(values);
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}

/**
 * Compares a run with the newest passing runs before it. A figure regresses when it breaks its criterion against the
 * aggregated baseline and, when both sides have enough samples, the Mann–Whitney interval of the shift also lies
 * wholly on the bad side: one noisy run that breaks a criterion by chance is not flagged when the samples say the
 * distributions overlap.
 */
export function compareRun(current: RunRecord, history: History, options: CompareOptions = {}): Comparison {
  const policies = { ...defaultPolicies, ...options.policies };
  const minSamples = options.minSamples ?? 8;
  const baseline = history.runs
    .filter((r) => r.passed && r.runId !== current.runId && r.startedAt < current.startedAt)
    .slice(-(options.baselineRuns ?? 10));
  const findings: Finding[] = [];

  for (const stage of current.stages) {
    for (const [metric, measurement] of Object.entries(stage.measurements) as Array<
      [MeasurementKey, { value: number; samples?: number[] }]
    >) {
      const policy = policies[metric];
      const criterion: Criterion = parseCriterion(policy.criterion);
      const previous = baseline
        .map((r) => r.stages.find((s) => s.name === stage.name)?.measurements[metric])
        .filter(
          (m): m is { value: number; samples?: number[] } => m !== undefined && Number.isFinite(m.value),
        );
      if (previous.length === 0) {
        findings.push({
          stage: stage.name,
          metric,
          status: 'no-baseline',
          current: measurement.value,
          criterion: criterion.text,
          method: 'criterion',
          reason: `no earlier passing run measured ${metric} in stage ${stage.name}`,
        });
        continue;
      }
      const base = aggregate(
        previous.map((m) => m.value),
        policy.aggregate,
      );
      const bound = criterionBound(criterion, base);
      const within = meetsCriterion(criterion, measurement.value, base);
      const changePercent = base !== 0 ? ((measurement.value - base) / Math.abs(base)) * 100 : undefined;
      const baseSamples = previous.flatMap((m) => m.samples ?? []);
      const currentSamples = measurement.samples ?? [];
      const finding: Finding = {
        stage: stage.name,
        metric,
        status: within ? 'ok' : 'regression',
        current: measurement.value,
        baseline: base,
        bound,
        ...(changePercent !== undefined ? { changePercent } : {}),
        criterion: criterion.text,
        method: 'criterion',
        reason: within
          ? `${format(measurement.value)} meets ${criterion.text} against the baseline ${format(base)}`
          : `${format(measurement.value)} breaks ${criterion.text} against the baseline ${format(base)} (bound ${format(bound)})`,
      };
      if (currentSamples.length >= minSamples && baseSamples.length >= minSamples) {
        const test = mannWhitney(currentSamples, baseSamples, options.confidence ?? 0.95);
        const [low, high] = test.interval;
        const shiftedBad = policy.worseWhen === 'higher' ? low > 0 : high < 0;
        finding.method = 'mann-whitney';
        finding.mannWhitney = { pValue: test.pValue, shift: test.shift, interval: test.interval };
        if (!within && !shiftedBad) {
          finding.status = 'ok';
          finding.reason = `${finding.reason}, but the samples do not differ significantly (shift ${format(test.shift)}, ${Math.round(test.confidence * 100)}% interval [${format(low)}, ${format(high)}])`;
        } else if (!within) {
          finding.reason = `${finding.reason}; the samples confirm it (p=${test.pValue.toPrecision(2)}, shift ${format(test.shift)})`;
        }
      }
      findings.push(finding);
    }
  }
  return {
    baselineRunIds: baseline.map((r) => r.runId),
    findings,
    regressions: findings.filter((f) => f.status === 'regression'),
  };
}
