/** Helpers shared by the gate evaluators: plot series, the span rate-based gates look at, number formatting. */
import type { Point, RangeSeries } from '../prometheus/client.js';
import { type LabelMatcher, promDuration } from '../prometheus/promql.js';
import { shortDuration } from '../util/duration.js';
import type { GateContext, PlotSeries } from './types.js';

const maxPlotPoints = 240;
const maxPlotSeries = 10;

/** At most `maxPoints` points, keeping each bucket's highest value so peaks (pending pods, replicas) survive. */
export function downsample(points: Point[], maxPoints = maxPlotPoints): Point[] {
  if (points.length <= maxPoints) return points;
  const size = Math.ceil(points.length / maxPoints);
  const out: Point[] = [];
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size);
    const peak = bucket.reduce((a, b) => (b[1] > a[1] ? b : a));
    out.push([bucket[0]![0], peak[1]]);
  }
  return out;
}

/** Range-query results as plot series named by `name(labels)`. */
export function plotSeries(
  series: RangeSeries[],
  name: (labels: Record<string, string>) => string,
): PlotSeries[] {
  return series.slice(0, maxPlotSeries).map((s) => ({
    name: name(s.metric),
    labels: s.metric,
    points: downsample(s.values),
  }));
}

/**
 * The span a rate-based gate evaluates: the whole window once, or the trailing lookback in continuous mode. The
 * range literal goes into `rate(...[span])` of an instant query at the window end.
 */
export function rateSpan(context: GateContext): { ms: number; literal: string; start: Date } {
  const whole = context.window.end.getTime() - context.window.start.getTime();
  const ms = Math.max(1, Math.min(whole, context.lookbackMs ?? whole));
  return { ms, literal: promDuration(ms), start: new Date(context.window.end.getTime() - ms) };
}

/** Rate range for plotted series: four steps, so each point averages a few scrapes. */
export function plotSpan(context: GateContext): string {
  return `${Math.max(4 * context.stepSeconds, 1)}s`;
}

/** The matchers on the application metrics: namespace (given or the environment's), selector, track. */
export function appMatchers(
  gate: { namespace?: string; selector?: Record<string, string>; track?: string },
  context: GateContext,
): LabelMatcher[] {
  const matchers: LabelMatcher[] = [];
  const namespace = gate.namespace ?? context.defaults.namespace;
  if (namespace !== undefined) matchers.push({ name: 'namespace', op: '=', value: namespace });
  for (const [name, value] of Object.entries(gate.selector ?? {})) matchers.push({ name, op: '=', value });
  if (gate.track !== undefined) matchers.push({ name: 'track', op: '=', value: gate.track });
  return matchers;
}

export function describeMatchers(matchers: LabelMatcher[]): string {
  return matchers.length === 0 ? 'all series' : matchers.map((m) => `${m.name}=${m.value}`).join(', ');
}

/** Time from `start` to `unixSeconds`, for messages. */
export function since(start: Date, unixSeconds: number): string {
  return shortDuration(Math.max(0, unixSeconds * 1000 - start.getTime()));
}

export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function percent(ratio: number): string {
  return `${round(ratio * 100, 4)}%`;
}

export function ms(seconds: number): string {
  return `${round(seconds * 1000, 1)}ms`;
}
