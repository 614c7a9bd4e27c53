/**
 * loadApplied: the achieved request rate is at least `minRate` req/s, or `minFraction` of the load's target rate.
 * A canary that received no load proves nothing, so this gate never passes on silence.
 */

import { z } from 'zod';
import { shortDuration } from '../util/duration.js';
import { requestRateQuery } from './app-queries.js';
import type { GateDefinition } from './definition.js';
import { appMetricFields, common, eitherRequired, ratio } from './fields.js';
import type { GateQueries } from './queries.js';
import { appMatchers, describeMatchers, plotSeries, plotSpan, rateSpan, round } from './series.js';
import type { GateContext, GateOutcome } from './types.js';

const loadAppliedGateSchema = z
  .strictObject({
    ...common,
    type: z.literal('loadApplied'),
    ...appMetricFields,
    minRate: z.number().gt(0).optional().describe('Lowest achieved request rate, requests per second'),
    minFraction: ratio("Lowest achieved rate as a share of the load's target rate").optional(),
  })
  .describe('The load actually reached the service');

type LoadAppliedGate = z.output<typeof loadAppliedGateSchema>;

export const loadAppliedGate: GateDefinition<typeof loadAppliedGateSchema> = {
  schema: loadAppliedGateSchema,
  problems: (gate) => eitherRequired(gate, 'minRate', 'minFraction'),
  evaluate: evaluateLoadApplied,
  // The achieved rate over the whole stage: early in a ramp it would fail a load that is still rising.
  continuous: false,
};

async function evaluateLoadApplied(
  gate: LoadAppliedGate,
  context: GateContext,
  queries: GateQueries,
): Promise<GateOutcome> {
  const threshold: Record<string, number | string> = {};
  if (gate.minRate !== undefined) threshold.minRate = gate.minRate;
  if (gate.minFraction !== undefined) {
    threshold.minFraction = gate.minFraction;
    if (context.targetRate !== undefined) threshold.targetRate = context.targetRate;
  }
  if (gate.minFraction !== undefined && context.targetRate === undefined)
    return {
      status: 'inconclusive',
      reason: 'minFraction needs the load target rate (--target-rate, or the target-rate input)',
      observed: {},
      threshold,
      margin: null,
    };
  const required = Math.max(gate.minRate ?? 0, (gate.minFraction ?? 0) * (context.targetRate ?? 0));
  threshold.requiredRate = round(required, 3);

  const matchers = appMatchers(gate, context);
  const span = rateSpan(context);
  const counter = context.metrics.requestsTotal;
  const [sample] = await queries.instant(requestRateQuery(counter, matchers, span.literal));
  const series = context.includeSeries
    ? plotSeries(await queries.range(requestRateQuery(counter, matchers, plotSpan(context))), () => 'req/s')
    : [];
  const value = sample?.value[1];
  if (value === undefined || Number.isNaN(value))
    return {
      status: 'inconclusive',
      reason: `no ${counter} series for ${describeMatchers(matchers)}: no request reached the service, or the metric is not scraped`,
      observed: { rate: null },
      threshold,
      margin: null,
      series,
    };
  const passed = value >= required;
  return {
    status: passed ? 'pass' : 'fail',
    reason: `achieved ${round(value, 2)} req/s over ${shortDuration(span.ms)}, ${passed ? 'at least' : 'below'} the required ${round(required, 2)} req/s`,
    observed: { rate: round(value, 3) },
    threshold,
    margin: round(value - required, 3),
    marginUnit: 'req/s',
    series,
  };
}
