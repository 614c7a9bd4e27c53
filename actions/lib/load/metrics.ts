/**
 * Metric registry and sinks with k6's aggregation rules: Counter (sum), Gauge (last/min/max), Rate (non-zero share)
 * and Trend (every value kept; percentiles by linear interpolation at rank p*(n-1)). Submetrics (`name{tag:value}`)
 * receive every sample whose tags contain all their tag pairs.
 */

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
export type MetricContains = 'default' | 'time' | 'data';
export type Tags = Record<string, string>;

export interface MetricDefinition {
  name: string;
  type: MetricType;
  contains: MetricContains;
}

/** A sample as shipped between threads: metric name, value, tags, time (epoch ms). */
export type Sample = [name: string, value: number, tags: Tags, time: number];

export class Sink {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  last = 0;
  nonZero = 0;
  private values = new Float64Array(64);
  private sorted: Float64Array | undefined;

  constructor(readonly type: MetricType) {}

  add(value: number): void {
    this.count++;
    this.sum += value;
    this.last = value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value !== 0) this.nonZero++;
    if (this.type === 'trend') {
      if (this.count > this.values.length) {
        const grown = new Float64Array(this.values.length * 2);
        grown.set(this.values);
        this.values = grown;
      }
      this.values[this.count - 1] = value;
      this.sorted = undefined;
    }
  }

  get empty(): boolean {
    return this.count === 0;
  }

  /** p in 0..100. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    if (!this.sorted) this.sorted = this.values.slice(0, this.count).sort();
    const sorted = this.sorted;
    if (this.count === 1) return sorted[0]!;
    const rank = (p / 100) * (this.count - 1);
    const lower = Math.floor(rank);
    const upper = Math.ceil(rank);
    return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (rank - lower);
  }

  /** The aggregate a threshold or summary stat names: count, rate, value, avg, min, max, med, p(N). */
  stat(method: string, durationSeconds: number): number | undefined {
    switch (method) {
      case 'count':
        return this.type === 'trend' ? this.count : this.sum;
      case 'rate':
        if (this.type === 'rate') return this.count === 0 ? undefined : this.nonZero / this.count;
        return durationSeconds > 0 ? this.sum / durationSeconds : undefined;
      case 'value':
        return this.count === 0 ? 0 : this.last;
      case 'avg':
        return this.count === 0 ? 0 : this.sum / this.count;
      case 'min':
        return this.count === 0 ? 0 : this.min;
      case 'max':
        return this.count === 0 ? 0 : this.max;
      case 'med':
        return this.percentile(50);
    }
    const p = /^p\((\d*\.?\d+)\)$/.exec(method);
    return p ? this.percentile(Number(p[1])) : undefined;
  }
}

export interface Submetric {
  name: string;
  suffix: string;
  tags: Tags;
  sink: Sink;
}

export interface Metric extends MetricDefinition {
  sink: Sink;
  submetrics: Submetric[];
}

/** Parses `name{k:v,k2:"v2"}` into the metric name and tag filter. */
export function parseMetricKey(key: string): { name: string; suffix?: string; tags?: Tags } {
  const brace = key.indexOf('{');
  if (brace < 0) return { name: key.trim() };
  if (!key.endsWith('}')) throw new Error(`'${key}': the tag filter must end the name`);
  const suffix = key.slice(brace + 1, -1);
  const tags: Tags = {};
  for (const piece of suffix.split(',')) {
    const colon = piece.indexOf(':');
    const strip = (s: string) => s.trim().replace(/^["']|["']$/g, '');
    const k = strip(colon < 0 ? piece : piece.slice(0, colon));
    const v = colon < 0 ? '' : strip(piece.slice(colon + 1));
    if (!k || !v) throw new Error(`'${key}': submetric tag '${piece.trim()}' needs a key and a value`);
    tags[k] = v;
  }
  return { name: key.slice(0, brace).trim(), suffix, tags };
}

export const builtinMetrics: MetricDefinition[] = [
  { name: 'vus', type: 'gauge', contains: 'default' },
  { name: 'vus_max', type: 'gauge', contains: 'default' },
  { name: 'iterations', type: 'counter', contains: 'default' },
  { name: 'iteration_duration', type: 'trend', contains: 'time' },
  { name: 'dropped_iterations', type: 'counter', contains: 'default' },
  { name: 'data_sent', type: 'counter', contains: 'data' },
  { name: 'data_received', type: 'counter', contains: 'data' },
  { name: 'checks', type: 'rate', contains: 'default' },
  { name: 'group_duration', type: 'trend', contains: 'time' },
  { name: 'http_reqs', type: 'counter', contains: 'default' },
  { name: 'http_req_duration', type: 'trend', contains: 'time' },
  { name: 'http_req_blocked', type: 'trend', contains: 'time' },
  { name: 'http_req_connecting', type: 'trend', contains: 'time' },
  { name: 'http_req_tls_handshaking', type: 'trend', contains: 'time' },
  { name: 'http_req_sending', type: 'trend', contains: 'time' },
  { name: 'http_req_waiting', type: 'trend', contains: 'time' },
  { name: 'http_req_receiving', type: 'trend', contains: 'time' },
  { name: 'http_req_failed', type: 'rate', contains: 'default' },
];

export type SampleListener = (metric: Metric, value: number, tags: Tags, time: number) => void;

export class MetricRegistry {
  readonly metrics = new Map<string, Metric>();
  private listeners: SampleListener[] = [];

  constructor() {
    for (const def of builtinMetrics) this.define(def);
  }

  define(def: MetricDefinition): Metric {
    const existing = this.metrics.get(def.name);
    if (existing) {
      if (existing.type !== def.type || existing.contains !== def.contains)
        throw new Error(`metric '${def.name}' already registered with a different type`);
      return existing;
    }
    if (!/^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/.test(def.name))
      throw new Error(`invalid metric name '${def.name}'`);
    const metric: Metric = { ...def, sink: new Sink(def.type), submetrics: [] };
    this.metrics.set(def.name, metric);
    return metric;
  }

  /** Adds (once) and returns the submetric for `name{...}`; the parent must exist. */
  submetric(key: string): Submetric {
    const { name, suffix, tags } = parseMetricKey(key);
    const parent = this.metrics.get(name);
    if (!parent) throw new Error(`no metric name "${name}" found`);
    if (suffix === undefined || !tags) throw new Error(`'${key}' is not a submetric`);
    const full = `${name}{${suffix}}`;
    const found = parent.submetrics.find((s) => s.name === full);
    if (found) return found;
    const sub: Submetric = { name: full, suffix, tags, sink: new Sink(parent.type) };
    parent.submetrics.push(sub);
    return sub;
  }

  onSample(listener: SampleListener): void {
    this.listeners.push(listener);
  }

  add(name: string, value: number, tags: Tags, time: number): void {
    const metric = this.metrics.get(name);
    if (!metric) return;
    metric.sink.add(value);
    for (const sub of metric.submetrics) {
      let match = true;
      for (const key in sub.tags) {
        if (tags[key] !== sub.tags[key]) {
          match = false;
          break;
        }
      }
      if (match) sub.sink.add(value);
    }
    for (const listener of this.listeners) listener(metric, value, tags, time);
  }
}
