/** One gate run, once or continuously, ending in a verdict: what the CLI and the action both do. */
import type { PrometheusClient } from '../prometheus/client.js';
import { UsageError } from '../util/errors.js';
import { evaluateContinuously, evaluateOnce } from './evaluate.js';
import type { GateSet } from './load.js';
import type { GateContext, GateDefaults, GateResult, TimeWindow } from './types.js';
import { buildVerdict, type Verdict } from './verdict.js';

export interface ContinuousSettings {
  intervalMs: number;
  failureLimit?: number;
  consecutiveErrorLimit?: number;
  /** Trailing span for rate-based gates; default four steps, at least one interval. */
  lookbackMs?: number;
}

export interface RunGatesOptions {
  set: GateSet;
  defaults: GateDefaults;
  client: PrometheusClient;
  window: TimeWindow & { stage?: string };
  /** Range-query step: the scrape interval. */
  stepSeconds: number;
  targetRate?: number;
  /** Evaluate during the window at an interval instead of once after it. */
  continuous?: ContinuousSettings;
  signal?: AbortSignal;
  onEvaluation?: (results: GateResult[], evaluation: number) => void;
}

export async function runGates(options: RunGatesOptions): Promise<Verdict> {
  const context: GateContext = {
    client: options.client,
    window: { start: options.window.start, end: options.window.end },
    stepSeconds: options.stepSeconds,
    metrics: options.set.metrics,
    defaults: options.defaults,
    targetRate: options.targetRate,
    includeSeries: true,
    signal: options.signal,
  };
  const common = { window: context.window, stage: options.window.stage, prometheusUrl: options.client.url };
  if (!options.continuous) {
    if (context.window.start.getTime() >= Date.now())
      throw new UsageError('the window has not started yet: evaluate it continuously, or after it');
    // A window that has not ended yet is evaluated up to now: Prometheus has nothing later.
    const end = new Date(Math.min(context.window.end.getTime(), Date.now()));
    const results = await evaluateOnce(options.set.gates, { ...context, window: { ...context.window, end } });
    return buildVerdict({ ...common, window: { ...context.window, end }, results, mode: 'once' });
  }
  const { intervalMs, failureLimit, consecutiveErrorLimit } = options.continuous;
  const lookbackMs = options.continuous.lookbackMs ?? Math.max(4 * options.stepSeconds * 1000, intervalMs);
  const run = await evaluateContinuously(
    options.set.gates,
    { ...context, lookbackMs, includeSeries: false },
    { intervalMs, failureLimit, consecutiveErrorLimit, onEvaluation: options.onEvaluation },
  );
  return buildVerdict({
    ...common,
    results: run.results,
    mode: 'continuous',
    continuous: { evaluations: run.evaluations, stoppedEarly: run.stoppedEarly, stopReason: run.stopReason },
  });
}
