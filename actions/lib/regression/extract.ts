/**
 * A scaling-regression run's record, measured in Prometheus over each load stage's own window: time to scale out,
 * peak replicas, peak pending pods, longest pending time, p95 and p99, error rate and achieved request rate, with
 * per-step samples of the rate-based figures for the rank test. The figures come from the same PromQL the gates use.
 */
import { errorRatioQuery, quantileQuery, requestRateQuery } from '../gates/app-queries.js';
import { hpaMatchers, replicasQuery } from '../gates/hpa-scale-out.js';
import { pendingQuery } from '../gates/pending-pods.js';
import type { LoadWindows } from '../load/types.js';
import type { PrometheusClient, RangeSeries } from '../prometheus/client.js';
import { type LabelMatcher, promDuration } from '../prometheus/promql.js';
import type { Measurement, MeasurementKey, RunRecord, StageRecord } from './history.js';

export interface StageWindow {
  name: string;
  start: Date;
  end: Date;
}

/** Every ramping stage as `<scenario>:<index>`; a scenario without stages (constant executors) as itself. */
export function stageWindows(windows: LoadWindows): StageWindow[] {
  return windows.scenarios.flatMap((scenario) =>
    scenario.stages.length === 0
      ? [{ name: scenario.name, start: new Date(scenario.start), end: new Date(scenario.end) }]
      : scenario.stages.map((stage) => ({
          name: `${scenario.name}:${stage.index}`,
          start: new Date(stage.start),
          end: new Date(stage.end),
        })),
  );
}

function finite(points: Array<[number, number]>): Array<[number, number]> {
  return points.filter(([, v]) => Number.isFinite(v));
}

/**
 * Peak replicas of the HPA in the stage and, when it rose above where the stage began, the seconds from the stage's
 * start to the first sample at that peak.
 */
export function replicaFigures(
  series: RangeSeries[],
  stageStart: Date,
): Partial<Record<'peakReplicas' | 'timeToScaleOutSeconds', Measurement>> {
  const points = finite(series[0]?.values ?? []);
  if (points.length === 0) return {};
  const peak = Math.max(...points.map(([, v]) => v));
  const out: Partial<Record<'peakReplicas' | 'timeToScaleOutSeconds', Measurement>> = {
    peakReplicas: { value: peak },
  };
  if (peak > (points[0] as [number, number])[1]) {
    const reached = (points.find(([, v]) => v === peak) as [number, number])[0];
    out.timeToScaleOutSeconds = { value: Math.max(0, reached - stageStart.getTime() / 1000) };
  }
  return out;
}

/**
 * Most pods Pending at one step, and the longest any one pod stayed Pending (consecutive Pending samples, each
 * counting one step; a missing sample ends a stretch because the pod went away).
 */
export function pendingFigures(
  series: RangeSeries[],
  stepSeconds: number,
): Record<'peakPendingPods' | 'longestPendingSeconds', Measurement> {
  const counts = new Map<number, number>();
  let longest = 0;
  for (const s of series) {
    let runStart: number | undefined;
    let last: number | undefined;
    for (const [t, v] of s.values) {
      const pending = v >= 1;
      if (pending) counts.set(t, (counts.get(t) ?? 0) + 1);
      const continues =
        pending && runStart !== undefined && last !== undefined && t - last <= stepSeconds * 1.5;
      if (pending && !continues) runStart = t;
      if (!pending) runStart = undefined;
      if (runStart !== undefined) longest = Math.max(longest, t - runStart + stepSeconds);
      last = t;
    }
  }
  return {
    peakPendingPods: { value: Math.max(0, ...counts.values()) },
    longestPendingSeconds: { value: longest },
  };
}

export interface ExtractOptions {
  client: Pick<PrometheusClient, 'query' | 'queryRange'>;
  windows: LoadWindows;
  stepSeconds: number;
  namespace: string;
  /** The HPA to follow. */
  hpa: string;
  /** The `service` label of the app's request metrics. */
  service: string;
  metrics?: { requestDuration?: string; requestsTotal?: string };
  /** Status codes that count as errors (a regex), default 5xx. */
  errorCodes?: string;
  run: Omit<RunRecord, 'stages'>;
  signal?: AbortSignal;
}

async function stageRecord(options: ExtractOptions, stage: StageWindow): Promise<StageRecord> {
  const { client, stepSeconds, signal } = options;
  const histogram = options.metrics?.requestDuration ?? 'http_request_duration_seconds';
  const counter = options.metrics?.requestsTotal ?? 'http_requests_total';
  const namespace: LabelMatcher[] = [{ name: 'namespace', op: '=', value: options.namespace }];
  const app: LabelMatcher[] = [...namespace, { name: 'service', op: '=', value: options.service }];
  const whole = promDuration(Math.max(1000, stage.end.getTime() - stage.start.getTime()));
  // Per-step samples average a few scrapes each, as the gates' plotted series do.
  const sampleSpan = `${Math.max(4 * stepSeconds, 1)}s`;
  const range = (expr: string) => client.queryRange(expr, stage.start, stage.end, stepSeconds, signal);
  const instant = async (expr: string) => {
    const [sample] = await client.query(expr, stage.end, signal);
    return sample && Number.isFinite(sample.value[1]) ? sample.value[1] : undefined;
  };
  const rateFigure = async (whole: string, perStep: string): Promise<Measurement | undefined> => {
    const value = await instant(whole);
    if (value === undefined) return undefined;
    const samples = finite((await range(perStep))[0]?.values ?? []).map(([, v]) => v);
    return { value, ...(samples.length > 0 ? { samples } : {}) };
  };
  const codes = options.errorCodes ?? '5..';
  const figures: Partial<Record<MeasurementKey, Measurement | undefined>> = {
    ...replicaFigures(
      await range(replicasQuery('current', hpaMatchers(options.namespace, options.hpa))),
      stage.start,
    ),
    ...pendingFigures(await range(pendingQuery(namespace, {})), stepSeconds),
    p95Seconds: await rateFigure(
      quantileQuery(histogram, 0.95, app, whole),
      quantileQuery(histogram, 0.95, app, sampleSpan),
    ),
    p99Seconds: await rateFigure(
      quantileQuery(histogram, 0.99, app, whole),
      quantileQuery(histogram, 0.99, app, sampleSpan),
    ),
    errorRate: await rateFigure(
      errorRatioQuery(counter, codes, app, whole),
      errorRatioQuery(counter, codes, app, sampleSpan),
    ),
    achievedRate: await rateFigure(
      requestRateQuery(counter, app, whole),
      requestRateQuery(counter, app, sampleSpan),
    ),
  };
  const measurements = Object.fromEntries(
    Object.entries(figures).filter((entry): entry is [string, Measurement] => entry[1] !== undefined),
  );
  return { name: stage.name, measurements };
}

export async function extractRunRecord(options: ExtractOptions): Promise<RunRecord> {
  const stages: StageRecord[] = [];
  for (const stage of stageWindows(options.windows)) stages.push(await stageRecord(options, stage));
  return { ...options.run, stages };
}
