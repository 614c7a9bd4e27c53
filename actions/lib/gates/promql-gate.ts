/**
 * promql: any instant query at the window end, judged by `successCondition` / `failureCondition` over `result`
 * with Argo Rollouts' rules: failureCondition true → fail; else successCondition true → pass; successCondition
 * false → fail when it is the only condition, inconclusive when a failureCondition exists too; only a
 * failureCondition that is false → pass. An empty result follows `noData` (inconclusive by default).
 */

import { z } from 'zod';
import { promDuration } from '../prometheus/promql.js';
import { promqlQuery } from '../prometheus/syntax.js';
import { ConditionError } from './condition.js';
import type { GateDefinition } from './definition.js';
import { common, condition, eitherRequired } from './fields.js';
import type { GateQueries } from './queries.js';
import { rateSpan } from './series.js';
import type { GateContext, GateOutcome, GateStatus } from './types.js';

const promqlGateSchema = z
  .strictObject({
    ...common,
    type: z.literal('promql'),
    query: promqlQuery(
      'PromQL instant query at the window end; $window is replaced by the window length (e.g. 90s)',
    ),
    successCondition: condition('Condition over result that means pass, e.g. result < 5').optional(),
    failureCondition: condition('Condition over result that means fail, e.g. result > 20').optional(),
    noData: z
      .enum(['inconclusive', 'pass', 'fail'])
      .default('inconclusive')
      .describe('Outcome when the query returns nothing (default inconclusive)'),
  })
  .describe('Any PromQL with Argo-style success and failure conditions');

type PromqlGate = z.output<typeof promqlGateSchema>;

export const promqlGate: GateDefinition<typeof promqlGateSchema> = {
  schema: promqlGateSchema,
  problems: (gate) => eitherRequired(gate, 'successCondition', 'failureCondition'),
  evaluate: evaluatePromql,
  continuous: true,
};

const shownValues = 10;

/** The gate's query with `$window` replaced by the span evaluated (the whole window, or the continuous lookback). */
function expandQuery(query: string, context: GateContext): string {
  return query.replaceAll('$window', promDuration(rateSpan(context).ms));
}

function judge(gate: PromqlGate, result: number[]): { status: GateStatus; reason: string } {
  const shown = result.length === 1 ? String(result[0]) : `[${result.slice(0, shownValues).join(', ')}]`;
  if (gate.failureCondition?.evaluate(result))
    return {
      status: 'fail',
      reason: `result ${shown} meets the failure condition '${gate.failureCondition.source}'`,
    };
  if (!gate.successCondition)
    return {
      status: 'pass',
      reason: `result ${shown} does not meet the failure condition '${gate.failureCondition!.source}'`,
    };
  if (gate.successCondition.evaluate(result))
    return {
      status: 'pass',
      reason: `result ${shown} meets the success condition '${gate.successCondition.source}'`,
    };
  return gate.failureCondition
    ? {
        status: 'inconclusive',
        reason: `result ${shown} meets neither the success condition '${gate.successCondition.source}' nor the failure condition`,
      }
    : {
        status: 'fail',
        reason: `result ${shown} does not meet the success condition '${gate.successCondition.source}'`,
      };
}

async function evaluatePromql(
  gate: PromqlGate,
  context: GateContext,
  queries: GateQueries,
): Promise<GateOutcome> {
  const threshold: Record<string, string> = {};
  if (gate.successCondition) threshold.successCondition = gate.successCondition.source;
  if (gate.failureCondition) threshold.failureCondition = gate.failureCondition.source;
  const samples = await queries.instant(expandQuery(gate.query, context));
  const result = samples.map((s) => s.value[1]);
  const observed = { result: result.length === 0 ? null : JSON.stringify(result.slice(0, shownValues)) };
  if (result.length === 0)
    return {
      status: gate.noData,
      reason: `the query returned no data (noData: ${gate.noData})`,
      observed,
      threshold,
      margin: null,
    };
  try {
    return { ...judge(gate, result), observed, threshold, margin: null };
  } catch (error) {
    if (!(error instanceof ConditionError)) throw error;
    return {
      status: 'inconclusive',
      reason: `cannot evaluate the condition: ${error.message}`,
      observed,
      threshold,
      margin: null,
    };
  }
}
