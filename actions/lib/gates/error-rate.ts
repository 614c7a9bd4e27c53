/** errorRate: the share of failed requests (code matching `errorCodes`, 5xx by default) is at most `max`. */

import { z } from 'zod';
import { shortDuration } from '../util/duration.js';
import { errorRatioQuery } from './app-queries.js';
import type { GateDefinition } from './definition.js';
import { appMetricFields, common, ratio, regexText } from './fields.js';
import type { GateQueries } from './queries.js';
import { appMatchers, describeMatchers, percent, plotSeries, plotSpan, rateSpan, round } from './series.js';
import type { GateContext, GateOutcome } from './types.js';

const errorRateGateSchema = z
  .strictObject({
    ...common,
    type: z.literal('errorRate'),
    ...appMetricFields,
    max: ratio('Highest allowed share of failed requests, e.g. 1% or 0.01'),
    errorCodes: regexText
      .default('5..')
      .describe('Regular expression on the code label counting as failed (default 5..)'),
  })
  .describe('Share of failed requests over the window');

type ErrorRateGate = z.output<typeof errorRateGateSchema>;

export const errorRateGate: GateDefinition<typeof errorRateGateSchema> = {
  schema: errorRateGateSchema,
  evaluate: evaluateErrorRate,
  continuous: true,
};

async function evaluateErrorRate(
  gate: ErrorRateGate,
  context: GateContext,
  queries: GateQueries,
): Promise<GateOutcome> {
  const matchers = appMatchers(gate, context);
  const span = rateSpan(context);
  const counter = context.metrics.requestsTotal;
  const threshold = { maxRatio: gate.max, errorCodes: gate.errorCodes };
  const [sample] = await queries.instant(errorRatioQuery(counter, gate.errorCodes, matchers, span.literal));
  const series = context.includeSeries
    ? plotSeries(
        await queries.range(errorRatioQuery(counter, gate.errorCodes, matchers, plotSpan(context))),
        () => 'error ratio',
      )
    : [];
  const value = sample?.value[1];
  if (value === undefined || !Number.isFinite(value))
    return {
      status: 'inconclusive',
      reason: `no requests in ${counter} for ${describeMatchers(matchers)} over the last ${shortDuration(span.ms)} of the window`,
      observed: { errorRatio: null },
      threshold,
      margin: null,
      series,
    };
  const passed = value <= gate.max;
  return {
    status: passed ? 'pass' : 'fail',
    reason: `${percent(value)} of requests failed (code =~ ${gate.errorCodes}) over ${shortDuration(span.ms)}, ${passed ? 'within' : 'above'} the ${percent(gate.max)} limit`,
    observed: { errorRatio: round(value, 6) },
    threshold,
    margin: round(gate.max - value, 6),
    marginUnit: 'ratio',
    series,
  };
}
