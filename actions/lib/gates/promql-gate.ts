/**
 * promql: any instant query at the window end, judged by `successCondition` / `failureCondition` over `result`
 * with Argo Rollouts' rules: failureCondition true → fail; else successCondition true → pass; successCondition
 * false → fail when it is the only condition, inconclusive when a failureCondition exists too; only a
 * failureCondition that is false → pass. An empty result follows `noData` (inconclusive by default).
 */
import { promDuration } from '../prometheus/promql.js';
import { ConditionError } from './condition.js';
import type { GateQueries } from './queries.js';
import type { GateOf } from './schema.js';
import { rateSpan } from './series.js';
import type { GateContext, GateOutcome, GateStatus } from './types.js';

const shownValues = 10;

/** The gate's query with `$window` replaced by the span evaluated (the whole window, or the continuous lookback). */
function expandQuery(query: string, context: GateContext): string {
  return query.replaceAll('$window', promDuration(rateSpan(context).ms));
}

function judge(gate: GateOf<'promql'>, result: number[]): { status: GateStatus; reason: string } {
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

export async function evaluatePromql(
  gate: GateOf<'promql'>,
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
