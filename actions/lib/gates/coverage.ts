/**
 * Gaps are not data. Where no scrape of the targets behind a gate's metric succeeded in the window (Prometheus down
 * or restarting, the exporter unreachable, `up == 0`), a range query still shows the last value for up to five
 * minutes, and a pod Pending only inside the gap never shows at all. The gaps are read from the raw `up` samples of
 * those targets (each scrape's own timestamp, at no step), so they do not depend on the range step.
 */
import { type LabelMatcher, promDuration, selector } from '../prometheus/promql.js';
import { shortDuration } from '../util/duration.js';
import type { GateQueries } from './queries.js';
import { round } from './series.js';
import type { GateContext, GateOutcome, TimeWindow } from './types.js';

/** A span without a successful scrape, unix seconds. */
export interface DataGap {
  start: number;
  end: number;
}

/** Successive successful scrapes further apart than this many scrape intervals leave a gap (one missed: none). */
const gapIntervals = 2.5;

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * The spans in which none of `scrapes` succeeded (value 1), including the window's two edges. `fallbackInterval`
 * (seconds) stands in for the scrape interval when there are too few samples to measure it.
 */
export function findGaps(
  scrapes: [number, number][],
  window: TimeWindow,
  fallbackInterval: number,
): DataGap[] {
  const times = scrapes.map(([t]) => t).sort((a, b) => a - b);
  const spacing = median(
    times
      .slice(1)
      .map((t, i) => t - times[i]!)
      .filter((d) => d > 0),
  );
  const allowed = gapIntervals * (spacing ?? fallbackInterval);
  const successes = scrapes
    .filter(([, v]) => v === 1)
    .map(([t]) => t)
    .sort((a, b) => a - b);
  const edges = [window.start.getTime() / 1000, ...successes, window.end.getTime() / 1000];
  const gaps: DataGap[] = [];
  for (let i = 1; i < edges.length; i++)
    if (edges[i]! - edges[i - 1]! > allowed) gaps.push({ start: edges[i - 1]!, end: edges[i]! });
  return gaps;
}

/**
 * The gaps in the scrapes of the targets exporting `metric` (matched by `matchers`) over `window`, or undefined
 * when the series carry no job/instance labels to find their targets by (federated or recorded data).
 */
async function dataGaps(
  metric: string,
  matchers: LabelMatcher[],
  window: TimeWindow,
  stepSeconds: number,
  queries: GateQueries,
): Promise<DataGap[] | undefined> {
  const span = promDuration(window.end.getTime() - window.start.getTime());
  const targets = await queries.instant(
    `count by (job, instance) (last_over_time(${selector(metric, matchers)}[${span}]))`,
    window.end,
  );
  const scrapes: [number, number][] = [];
  for (const { metric: labels } of targets) {
    const target = (['job', 'instance'] as const)
      .filter((name) => labels[name] !== undefined)
      .map((name): LabelMatcher => ({ name, op: '=', value: labels[name]! }));
    if (target.length === 0) return undefined;
    const up = await queries.samples(`${selector('up', target)}[${span}]`, window.end);
    for (const series of up) scrapes.push(...series.values);
  }
  if (targets.length === 0) return undefined;
  return findGaps(scrapes, window, stepSeconds);
}

/** `12s of the window without a successful scrape (30s–42s into it)`, for reasons. */
function describeGaps(gaps: DataGap[], window: TimeWindow): string {
  const start = window.start.getTime() / 1000;
  const total = gapSeconds(gaps);
  const spans = gaps
    .slice(0, 3)
    .map((g) => `${shortDuration((g.start - start) * 1000)}–${shortDuration((g.end - start) * 1000)}`)
    .join(', ');
  return `${shortDuration(total * 1000)} of the window without a successful scrape (${spans}${gaps.length > 3 ? ', …' : ''} into it)`;
}

function gapSeconds(gaps: DataGap[]): number {
  return gaps.reduce((sum, g) => sum + g.end - g.start, 0);
}

/**
 * A gate's result when gaps in the scrapes of `metric` over `span` could hide what would change it: inconclusive,
 * with `why(gaps described)` as the reason and the gap total in `observed.dataGapSeconds`. Undefined when the data
 * has no gap there (or its targets cannot be told), so the result the data shows stands.
 */
export async function unprovenByGaps(
  check: { metric: string; matchers: LabelMatcher[]; span: TimeWindow },
  context: GateContext,
  queries: GateQueries,
  outcome: Pick<GateOutcome, 'observed' | 'threshold' | 'series'>,
  why: (gaps: string) => string,
): Promise<GateOutcome | undefined> {
  const gaps = await dataGaps(check.metric, check.matchers, check.span, context.stepSeconds, queries);
  if (!gaps || gaps.length === 0) return undefined;
  return {
    status: 'inconclusive',
    reason: why(describeGaps(gaps, context.window)),
    observed: { ...outcome.observed, dataGapSeconds: round(gapSeconds(gaps)) },
    threshold: outcome.threshold,
    margin: null,
    ...(outcome.series ? { series: outcome.series } : {}),
  };
}
