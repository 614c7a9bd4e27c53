/**
 * k6 thresholds: `method op value` expressions per metric or submetric, short form (strings) or long form
 * ({threshold, abortOnFail, delayAbortEval}); evaluated periodically (empty sinks skipped, for abortOnFail) and once
 * at the end (empty sinks included; an empty Rate passes).
 */
import { parseK6Duration } from './duration.js';
import type { MetricRegistry, MetricType, Sink } from './metrics.js';
import { ConfigError } from './options.js';

export interface ThresholdExpression {
  method: string;
  operator: '<=' | '<' | '>=' | '>' | '==' | '!=';
  value: number;
}

export interface Threshold {
  /** The metric or submetric key as written (`http_req_duration{status:200}`). */
  key: string;
  source: string;
  expression: ThresholdExpression;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
  /** The raw entry, as k6 echoes it in NDJSON Metric lines. */
  raw: unknown;
  ok: boolean;
  sink?: Sink;
}

const operators = ['<=', '<', '>=', '>', '===', '==', '!='] as const;

export function parseThresholdExpression(source: string): ThresholdExpression {
  for (const op of operators) {
    const at = source.indexOf(op);
    if (at < 0) continue;
    const method = source.slice(0, at).trim();
    const valueText = source.slice(at + op.length).trim();
    const value = Number(valueText);
    if (!method || valueText === '' || !Number.isFinite(value))
      throw new ConfigError(`malformed threshold expression '${source}'`);
    return { method, operator: op === '===' ? '==' : op, value };
  }
  throw new ConfigError(`malformed threshold expression '${source}': no operator`);
}

const allowedMethods: Record<MetricType, (m: string) => boolean> = {
  counter: (m) => m === 'count' || m === 'rate',
  gauge: (m) => m === 'value',
  rate: (m) => m === 'rate',
  trend: (m) => ['avg', 'min', 'max', 'med'].includes(m) || isPercentile(m),
};

function isPercentile(method: string): boolean {
  const p = /^p\((\d*\.?\d+)\)$/.exec(method);
  return p !== null && Number(p[1]) >= 0 && Number(p[1]) <= 100;
}

/** Parses `options.thresholds`, attaching each to its (sub)metric sink; unknown metrics or methods → ConfigError. */
export function parseThresholds(config: unknown, registry: MetricRegistry): Threshold[] {
  if (config === undefined || config === null) return [];
  if (typeof config !== 'object') throw new ConfigError('thresholds: expected an object');
  const out: Threshold[] = [];
  for (const [key, entries] of Object.entries(config as Record<string, unknown>)) {
    const list = Array.isArray(entries) ? entries : [entries];
    const name = key.split('{')[0]!.trim();
    const metric = registry.metrics.get(name);
    if (!metric)
      throw new ConfigError(`invalid threshold defined on ${key}; reason: no metric name "${name}" found`);
    let sink: Sink;
    try {
      sink = key.includes('{') ? registry.submetric(key).sink : metric.sink;
    } catch (error) {
      throw new ConfigError(`invalid threshold defined on ${key}; reason: ${(error as Error).message}`);
    }
    for (const entry of list) {
      const long = typeof entry === 'object' && entry !== null;
      const source = long ? (entry as Record<string, unknown>).threshold : entry;
      if (typeof source !== 'string')
        throw new ConfigError(`thresholds.${key}: expected a string expression`);
      const expression = parseThresholdExpression(source);
      if (!allowedMethods[metric.type](expression.method))
        throw new ConfigError(
          `invalid threshold defined on ${key}; reason: threshold '${source}' uses an unsupported aggregation method '${expression.method}' for a ${metric.type} metric`,
        );
      const e = (long ? entry : {}) as Record<string, unknown>;
      out.push({
        key,
        source,
        expression,
        abortOnFail: e.abortOnFail === true,
        delayAbortEvalMs: e.delayAbortEval
          ? parseK6Duration(e.delayAbortEval, `thresholds.${key}.delayAbortEval`)
          : 0,
        raw: entry,
        ok: true,
        sink,
      });
    }
  }
  return out;
}

function compare(actual: number, { operator, value }: ThresholdExpression): boolean {
  switch (operator) {
    case '<=':
      return actual <= value;
    case '<':
      return actual < value;
    case '>=':
      return actual >= value;
    case '>':
      return actual > value;
    case '==':
      return actual === value;
    case '!=':
      return actual !== value;
  }
}

/**
 * Evaluates every threshold, updating `ok`. Periodic runs skip empty sinks; the final one includes them. Returns the
 * thresholds that demand an abort (failing, abortOnFail, past delayAbortEval).
 */
export function evaluateThresholds(thresholds: Threshold[], durationMs: number, final: boolean): Threshold[] {
  const abort: Threshold[] = [];
  for (const threshold of thresholds) {
    const sink = threshold.sink!;
    if (!final && sink.empty) continue;
    const actual = sink.stat(threshold.expression.method, durationMs / 1000);
    threshold.ok = actual === undefined ? true : compare(actual, threshold.expression);
    if (!threshold.ok && threshold.abortOnFail && !final && threshold.delayAbortEvalMs < durationMs)
      abort.push(threshold);
  }
  return abort;
}
