/**
 * Running gates: once over a window (after a load stage), or continuously during load at an interval, stopping at
 * the first definitive failure. Prometheus faults never pass a gate: a query that still fails after the client's
 * retries makes that gate inconclusive with the reason, and in continuous mode counts toward the
 * consecutive-error limit (as Argo Rollouts' `consecutiveErrorLimit`). Every query has a deadline tied to the
 * window, so a frozen Prometheus cannot stretch a run: what is unanswered by then ends inconclusive.
 */
import { PrometheusError } from '../prometheus/client.js';
import { delay } from '../util/delay.js';
import { GateQueries } from './queries.js';
import { gateDefinition } from './registry.js';
import type { Gate } from './schema.js';
import type { GateContext, GateResult, TimeWindow } from './types.js';

function windowJson(window: TimeWindow): GateResult['window'] {
  return { start: window.start.toISOString(), end: window.end.toISOString() };
}

/** One gate over the context's window. Throws only when `context.signal` aborts. */
export async function evaluateGate(gate: Gate, context: GateContext): Promise<GateResult> {
  const queries = new GateQueries(context);
  const window = windowJson(context.window);
  try {
    // Key order is the verdict's reading order: what, outcome, why, numbers, then the details.
    const { status, reason, series, settled, ...numbers } = await gateDefinition(gate).evaluate(
      gate,
      context,
      queries,
    );
    return {
      name: gate.name,
      type: gate.type,
      status,
      reason,
      ...numbers,
      queries: queries.run,
      window,
      series: series ?? [],
      settled: settled ?? true,
    };
  } catch (error) {
    if (!(error instanceof PrometheusError)) throw error;
    return {
      name: gate.name,
      type: gate.type,
      status: 'inconclusive',
      reason: error.message,
      observed: {},
      threshold: {},
      margin: null,
      queries: queries.run,
      window,
      series: [],
      settled: true,
      error: { kind: error.kind, message: error.message },
    };
  }
}

/** How long an evaluation after its window may take: a quarter of the window, between 10 s and 2 min. */
export function queryBudgetMs(window: TimeWindow): number {
  return Math.round(Math.min(120_000, Math.max(10_000, (window.end.getTime() - window.start.getTime()) / 4)));
}

/**
 * Every gate over one window, by `context.deadline` (default: the window end, or now if later, plus the query
 * budget); queries unanswered then make their gates inconclusive. Gates run one after the other: a shared
 * Prometheus gets one query at a time.
 */
export async function evaluateOnce(gates: Gate[], context: GateContext): Promise<GateResult[]> {
  const deadline =
    context.deadline?.getTime() ??
    Math.max(Date.now(), context.window.end.getTime()) + queryBudgetMs(context.window);
  const expired = new AbortController();
  const timer = setTimeout(
    () =>
      expired.abort(
        new PrometheusError(
          'timeout',
          `Prometheus did not answer by the evaluation deadline ${new Date(deadline).toISOString()}`,
        ),
      ),
    Math.max(0, deadline - Date.now()),
  );
  const signal = context.signal ? AbortSignal.any([context.signal, expired.signal]) : expired.signal;
  try {
    const results: GateResult[] = [];
    for (const gate of gates) results.push(await evaluateGate(gate, { ...context, signal }));
    return results;
  } finally {
    clearTimeout(timer);
  }
}

export interface ContinuousOptions {
  /** Time between evaluations, ms. */
  intervalMs: number;
  /** Failed evaluations of one gate tolerated before it fails for good (Argo's failureLimit; default 0). */
  failureLimit?: number;
  /** Consecutive evaluations of one gate ending in a Prometheus error tolerated before giving up (default 4). */
  consecutiveErrorLimit?: number;
  /** Called after every evaluation (progress lines, stopping the load). */
  onEvaluation?: (results: GateResult[], evaluation: number) => void;
  /** The clock; tests and benches may pass their own. */
  now?: () => number;
}

export interface ContinuousResult {
  results: GateResult[];
  evaluations: number;
  stoppedEarly: boolean;
  /** Why the loop ended: the window's end, a gate's definitive failure, too many errors, or cancellation. */
  stopReason: string;
}

/** A gate's last result when the loop stopped before the window ended: a pass so far is not a pass. */
function unfinished(result: GateResult, why: string): GateResult {
  if (result.status === 'fail') return result;
  return {
    ...result,
    status: 'inconclusive',
    reason: `${why} before the window ended (last: ${result.reason})`,
  };
}

/**
 * Evaluates every gate at `intervalMs` while the window runs ([window.start, now]; rate-based gates over the
 * context's lookback), and stops at the first definitive failure. When the window's end is reached, one last
 * evaluation over the whole window gives the verdict. Stopping early for errors or cancellation (the context's
 * signal) never passes: every gate not already failed ends inconclusive.
 */
export async function evaluateContinuously(
  gates: Gate[],
  context: GateContext,
  options: ContinuousOptions,
): Promise<ContinuousResult> {
  const now = options.now ?? Date.now;
  const failureLimit = options.failureLimit ?? 0;
  const errorLimit = options.consecutiveErrorLimit ?? 4;
  const failures = new Map<string, number>();
  const errors = new Map<string, number>();
  const { start, end } = context.window;
  let last: GateResult[] = gates.map((gate) => ({
    name: gate.name,
    type: gate.type,
    status: 'inconclusive',
    reason: 'not evaluated yet',
    observed: {},
    threshold: {},
    margin: null,
    queries: [],
    window: windowJson(context.window),
    series: [],
    settled: false,
  }));
  let evaluations = 0;

  while (now() < end.getTime() && !context.signal?.aborted) {
    let results: GateResult[];
    try {
      // An evaluation still waiting at the window end is abandoned: the last one over the whole window decides.
      results = await evaluateOnce(gates, {
        ...context,
        window: { start, end: new Date(now()) },
        deadline: end,
      });
    } catch (error) {
      if (context.signal?.aborted) break;
      throw error;
    }
    evaluations++;
    last = results;
    options.onEvaluation?.(results, evaluations);
    for (const result of results) {
      if (result.status === 'fail') failures.set(result.name, (failures.get(result.name) ?? 0) + 1);
      errors.set(result.name, result.error ? (errors.get(result.name) ?? 0) + 1 : 0);
    }
    const failed = results.find((r) => (failures.get(r.name) ?? 0) > failureLimit);
    if (failed)
      return {
        results,
        evaluations,
        stoppedEarly: true,
        stopReason: `gate ${failed.name} failed ${failures.get(failed.name)} time(s) (failureLimit ${failureLimit})`,
      };
    const erring = results.find((r) => (errors.get(r.name) ?? 0) > errorLimit);
    if (erring)
      return {
        results: results.map((r) => unfinished(r, 'stopped on errors')),
        evaluations,
        stoppedEarly: true,
        stopReason: `gate ${erring.name} could not be evaluated ${errors.get(erring.name)} times in a row (consecutiveErrorLimit ${errorLimit}): ${erring.reason}`,
      };
    const wait = Math.min(options.intervalMs, end.getTime() - now());
    if (wait > 0) await delay(wait, context.signal);
  }

  if (context.signal?.aborted)
    return {
      results: last.map((r) => unfinished(r, 'evaluation cancelled')),
      evaluations,
      stoppedEarly: true,
      stopReason: 'cancelled',
    };
  const results = await evaluateOnce(gates, {
    ...context,
    lookbackMs: undefined,
    includeSeries: true,
    deadline: undefined,
  });
  return { results, evaluations: evaluations + 1, stoppedEarly: false, stopReason: 'the window ended' };
}
