/** PromQL over the application's request metrics (histogram and counter), shared by several gate types. */
import { type LabelMatcher, selector } from '../prometheus/promql.js';

function by(labels: string[]): string {
  return labels.length === 0 ? '' : ` by (${labels.join(', ')})`;
}

/** Quantile `q` of the request-duration histogram over `span` (a PromQL range literal), in seconds. */
export function quantileQuery(
  histogram: string,
  q: number,
  matchers: LabelMatcher[],
  span: string,
  groupBy: string[] = [],
): string {
  const buckets = selector(`${histogram}_bucket`, matchers);
  return `histogram_quantile(${q}, sum${by([...groupBy, 'le'])} (rate(${buckets}[${span}])))`;
}

/**
 * Share of requests whose code matches `codes` over `span`. Where no failed request was ever counted the
 * numerator has no series; `or` fills in 0 so that "no errors" reads 0, while "no requests" stays empty/NaN.
 */
export function errorRatioQuery(
  counter: string,
  codes: string,
  matchers: LabelMatcher[],
  span: string,
  groupBy: string[] = [],
): string {
  const all = `sum${by(groupBy)} (rate(${selector(counter, matchers)}[${span}]))`;
  const failed = `sum${by(groupBy)} (rate(${selector(counter, [...matchers, { name: 'code', op: '=~', value: codes }])}[${span}]))`;
  return `(${failed} or 0 * ${all}) / ${all}`;
}

/** Requests per second over `span`. */
export function requestRateQuery(
  counter: string,
  matchers: LabelMatcher[],
  span: string,
  groupBy: string[] = [],
): string {
  return `sum${by(groupBy)} (rate(${selector(counter, matchers)}[${span}]))`;
}

/** Requests counted over `span` (the sample size behind a quantile or a ratio). */
export function requestCountQuery(
  counter: string,
  matchers: LabelMatcher[],
  span: string,
  groupBy: string[] = [],
): string {
  return `sum${by(groupBy)} (increase(${selector(counter, matchers)}[${span}]))`;
}
