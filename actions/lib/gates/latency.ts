/** latency: quantile q of the request-duration histogram over the window is at most `max`. */

import { z } from 'zod';
import { formatDuration, shortDuration } from '../util/duration.js';
import { quantileQuery } from './app-queries.js';
import type { GateDefinition } from './definition.js';
import { appMetricFields, common, duration, quantile } from './fields.js';
import type { GateQueries } from './queries.js';
import { appMatchers, describeMatchers, ms, plotSeries, plotSpan, rateSpan, round } from './series.js';
import type { GateContext, GateOutcome } from './types.js';

const latencyGateSchema = z
  .strictObject({
    ...common,
    type: z.literal('latency'),
    ...appMetricFields,
    quantile: quantile.default(0.95),
    max: duration('Highest allowed request duration at that quantile'),
  })
  .describe('Request duration quantile over the window');

type LatencyGate = z.output<typeof latencyGateSchema>;

export const latencyGate: GateDefinition<typeof latencyGateSchema> = {
  schema: latencyGateSchema,
  evaluate: evaluateLatency,
  continuous: true,
};

async function evaluateLatency(
  gate: LatencyGate,
  context: GateContext,
  queries: GateQueries,
): Promise<GateOutcome> {
  const matchers = appMatchers(gate, context);
  const span = rateSpan(context);
  const histogram = context.metrics.requestDuration;
  const label = `p${round(gate.quantile * 100, 1)}`;
  const threshold = { quantile: gate.quantile, maxMs: gate.max };
  const [sample] = await queries.instant(quantileQuery(histogram, gate.quantile, matchers, span.literal));
  const series = context.includeSeries
    ? plotSeries(
        await queries.range(quantileQuery(histogram, gate.quantile, matchers, plotSpan(context))),
        () => label,
      )
    : [];
  const value = sample?.value[1];
  if (value === undefined || Number.isNaN(value))
    return {
      status: 'inconclusive',
      reason: `no requests in ${histogram} for ${describeMatchers(matchers)} over the last ${shortDuration(span.ms)} of the window`,
      observed: { [`${label}Ms`]: null },
      threshold,
      margin: null,
      series,
    };
  const observedMs = value * 1000;
  const passed = observedMs <= gate.max;
  return {
    status: passed ? 'pass' : 'fail',
    reason: `${label} was ${ms(value)} over ${shortDuration(span.ms)}, ${passed ? 'within' : 'above'} the ${formatDuration(gate.max)} limit`,
    observed: { [`${label}Ms`]: round(observedMs, 2) },
    threshold,
    margin: round(gate.max - observedMs, 2),
    marginUnit: 'ms',
    series,
  };
}
