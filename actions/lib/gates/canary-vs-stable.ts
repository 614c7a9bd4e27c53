/**
 * canaryVsStable: a metric of the canary track against the stable track over the same window, as a ratio
 * (canary / stable ≤ maxRatio). Both tracks come from one query grouped by `track`, so they share the exact same
 * window and evaluation time. Fewer than `minSamples` requests on either track gives inconclusive.
 */

import { z } from 'zod';
import type { LabelMatcher } from '../prometheus/promql.js';
import { shortDuration } from '../util/duration.js';
import { errorRatioQuery, quantileQuery, requestCountQuery } from './app-queries.js';
import type { GateDefinition } from './definition.js';
import { common, namespace, quantile, regexText, selector } from './fields.js';
import type { GateQueries } from './queries.js';
import { appMatchers, plotSeries, plotSpan, rateSpan, round } from './series.js';
import type { GateContext, GateOutcome } from './types.js';

const canaryVsStableGateSchema = z
  .strictObject({
    ...common,
    type: z.literal('canaryVsStable'),
    namespace: namespace.optional(),
    selector: selector.optional(),
    metric: z
      .enum(['latency', 'errorRate'])
      .default('latency')
      .describe('What is compared (default latency)'),
    quantile: quantile.default(0.95),
    errorCodes: regexText.default('5..').describe('For metric errorRate: the failed codes (default 5..)'),
    maxRatio: z.number().gt(0).describe('Highest allowed canary / stable ratio, e.g. 1.1'),
    minSamples: z
      .int()
      .min(1)
      .default(50)
      .describe('Requests each track needs in the window; fewer gives inconclusive'),
  })
  .describe('The canary compared with the stable track in the same window');

type CanaryVsStableGate = z.output<typeof canaryVsStableGateSchema>;

export const canaryVsStableGate: GateDefinition<typeof canaryVsStableGateSchema> = {
  schema: canaryVsStableGateSchema,
  problems: (gate) =>
    gate.selector && 'track' in gate.selector
      ? [{ path: ['selector', 'track'], detail: 'must not set track: the gate compares both tracks' }]
      : [],
  evaluate: evaluateCanaryVsStable,
  continuous: true,
};

const tracks: LabelMatcher = { name: 'track', op: '=~', value: 'canary|stable' };

function byTrack(
  samples: { metric: Record<string, string>; value: [number, number] }[],
): Map<string, number> {
  return new Map(samples.map((s) => [s.metric.track ?? '', s.value[1]]));
}

/** canary / stable, where 0 / 0 is 1 (equal) and x / 0 is +Inf (worse without bound). */
function trackRatio(canary: number, stable: number): number {
  if (stable === 0) return canary === 0 ? 1 : Number.POSITIVE_INFINITY;
  return canary / stable;
}

async function evaluateCanaryVsStable(
  gate: CanaryVsStableGate,
  context: GateContext,
  queries: GateQueries,
): Promise<GateOutcome> {
  const matchers = [...appMatchers({ namespace: gate.namespace, selector: gate.selector }, context), tracks];
  const span = rateSpan(context);
  const { requestDuration, requestsTotal } = context.metrics;
  const latency = gate.metric === 'latency';
  const what = latency ? `p${round(gate.quantile * 100, 1)}` : 'error ratio';
  const valueQuery = (range: string) =>
    latency
      ? quantileQuery(requestDuration, gate.quantile, matchers, range, ['track'])
      : errorRatioQuery(requestsTotal, gate.errorCodes, matchers, range, ['track']);
  const countMetric = latency ? `${requestDuration}_count` : requestsTotal;
  const threshold = { maxRatio: gate.maxRatio, minSamples: gate.minSamples, metric: what };

  const values = byTrack(await queries.instant(valueQuery(span.literal)));
  const counts = byTrack(
    await queries.instant(requestCountQuery(countMetric, matchers, span.literal, ['track'])),
  );
  const series = context.includeSeries
    ? plotSeries(await queries.range(valueQuery(plotSpan(context))), (labels) => `${labels.track} ${what}`)
    : [];
  const [canary, stable] = [values.get('canary'), values.get('stable')];
  const [canaryCount, stableCount] = [counts.get('canary') ?? 0, counts.get('stable') ?? 0];
  const observed: Record<string, number | null> = {
    canary: canary === undefined || Number.isNaN(canary) ? null : round(canary, 6),
    stable: stable === undefined || Number.isNaN(stable) ? null : round(stable, 6),
    canarySamples: round(canaryCount, 1),
    stableSamples: round(stableCount, 1),
  };
  const short = [
    ['canary', canaryCount],
    ['stable', stableCount],
  ].filter(([, n]) => (n as number) < gate.minSamples);
  if (short.length > 0 || observed.canary === null || observed.stable === null)
    return {
      status: 'inconclusive',
      reason: `too few requests to compare over ${shortDuration(span.ms)}: canary ${round(canaryCount, 0)}, stable ${round(stableCount, 0)} (need ${gate.minSamples} each)`,
      observed,
      threshold,
      margin: null,
      series,
    };
  const ratio = trackRatio(canary!, stable!);
  observed.ratio = Number.isFinite(ratio) ? round(ratio, 4) : null;
  const passed = ratio <= gate.maxRatio;
  const shown = (v: number) => (latency ? `${round(v * 1000, 1)}ms` : `${round(v * 100, 2)}%`);
  return {
    status: passed ? 'pass' : 'fail',
    reason: `canary ${what} ${shown(canary!)} vs stable ${shown(stable!)}: ratio ${Number.isFinite(ratio) ? round(ratio, 3) : '∞'} ${passed ? '≤' : '>'} ${gate.maxRatio}`,
    observed,
    threshold,
    margin: Number.isFinite(ratio) ? round(gate.maxRatio - ratio, 4) : null,
    marginUnit: 'ratio',
    series,
  };
}
