/** What gate evaluators receive and return. */
import type { Labels, Point, PrometheusClient } from '../prometheus/client.js';
import type { GateMetrics } from './schema.js';

export type GateStatus = 'pass' | 'fail' | 'inconclusive';

export interface TimeWindow {
  start: Date;
  end: Date;
}

/** One line of a gate's plot, downsampled; points are [unix seconds, value]. */
export interface PlotSeries {
  name: string;
  labels: Labels;
  points: Point[];
}

export interface GateResult {
  name: string;
  type: string;
  status: GateStatus;
  /** One sentence saying why. */
  reason: string;
  observed: Record<string, number | string | null>;
  threshold: Record<string, number | string>;
  /** Headroom in the threshold's unit: positive = room left, negative = by how much it was missed; null if n/a. */
  margin: number | null;
  marginUnit?: string;
  /** The PromQL actually run, in order. */
  queries: string[];
  window: { start: string; end: string };
  series: PlotSeries[];
  /** False while the outcome can still change as the window goes on (a scale-out deadline not yet reached). */
  settled: boolean;
  /** Set when the gate could not be evaluated because of Prometheus (unreachable, timeout, rejected query). */
  error?: { kind: string; message: string };
}

/** What an evaluator decides; the runner adds name, type, queries and window. */
export type GateOutcome = Omit<GateResult, 'name' | 'type' | 'queries' | 'window' | 'series' | 'settled'> & {
  series?: PlotSeries[];
  settled?: boolean;
};

export interface GateDefaults {
  /** The environment's namespace, for gates that leave `namespace` out. */
  namespace?: string;
  /** The environment's service name, for `track` → HPA name. */
  service?: string;
}

export interface GateContext {
  client: PrometheusClient;
  window: TimeWindow;
  /** Range-query step, tied to the scrape interval. */
  stepSeconds: number;
  metrics: GateMetrics;
  defaults: GateDefaults;
  /** The load's target request rate (req/s), for `loadApplied.minFraction`. */
  targetRate?: number;
  /**
   * Rate-based gates (latency, errors, load, canary) look at this trailing span before the window end instead of
   * the whole window: continuous mode sets it so that a regression shows within a few scrapes.
   */
  lookbackMs?: number;
  /** Fetch series for plotting even when the decision does not need them (one more range query per gate). */
  includeSeries: boolean;
  /** Queries still unanswered then make their gates inconclusive (default: see `evaluateOnce`). */
  deadline?: Date;
  signal?: AbortSignal;
}
