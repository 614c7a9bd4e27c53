/** What gate evaluators receive and return. */
import type { PrometheusClient } from '../prometheus/client.js';
import type { GateMetrics } from './fields.js';
import type { GateResult, PlotSeries } from './verdict-schema.js';

// The result types are the verdict's, defined once in zod.
export type { GateResult, GateStatus, PlotSeries } from './verdict-schema.js';

export interface TimeWindow {
  start: Date;
  end: Date;
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
