/** The one way gate evaluators query Prometheus. */
import type { InstantSample, RangeSeries } from '../prometheus/client.js';
import type { GateContext, TimeWindow } from './types.js';

/** Runs queries for one gate and remembers each PromQL string, so the verdict shows exactly what was run. */
export class GateQueries {
  readonly run: string[] = [];
  constructor(private readonly context: GateContext) {}

  async instant(expr: string, time: Date = this.context.window.end): Promise<InstantSample[]> {
    this.run.push(expr);
    return this.context.client.query(expr, time, this.context.signal);
  }

  /** The raw samples of a range-vector selector at `time` (see `PrometheusClient.querySamples`). */
  async samples(expr: string, time: Date = this.context.window.end): Promise<RangeSeries[]> {
    this.run.push(expr);
    return this.context.client.querySamples(expr, time, this.context.signal);
  }

  async range(expr: string, window: TimeWindow = this.context.window): Promise<RangeSeries[]> {
    this.run.push(expr);
    const spanMs = window.end.getTime() - window.start.getTime();
    // Prometheus refuses more than 11,000 points per series.
    const step = Math.max(this.context.stepSeconds, Math.ceil(spanMs / 1000 / 10_000));
    // Points fall at start + k·step; shift the start by the remainder so the last point is the window's end
    // (the freshest data matters most, in continuous mode above all).
    const start = new Date(window.start.getTime() + (spanMs % (step * 1000)));
    return this.context.client.queryRange(expr, start, window.end, step, this.context.signal);
  }
}
