/** Request counts and a latency histogram per (service, code), as an instrumented app would export them. */

/** Prometheus client defaults (5 ms … 10 s), which typical latency SLO queries assume. */
export const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface HttpSeries {
  service: string;
  code: string;
  /** The histogram's upper bounds in seconds, ascending (`+Inf` implied). */
  bounds: readonly number[];
  /** Cumulative count per bucket of `bounds` (observations ≤ the bound). */
  buckets: number[];
  count: number;
  sum: number;
}

export class HttpStats {
  private readonly series = new Map<string, HttpSeries>();
  private total = 0;

  /** `bounds`: the app's histogram buckets, as its Prometheus client is configured. */
  constructor(private readonly bounds: readonly number[] = durationBuckets) {}

  observe(service: string, code: number, seconds: number): void {
    const key = `${service}\u0000${code}`;
    let entry = this.series.get(key);
    if (!entry) {
      const bounds = this.bounds;
      entry = { service, code: String(code), bounds, buckets: bounds.map(() => 0), count: 0, sum: 0 };
      this.series.set(key, entry);
    }
    entry.count++;
    entry.sum += seconds;
    entry.bounds.forEach((bound, i) => {
      if (seconds <= bound) entry.buckets[i] = (entry.buckets[i] as number) + 1;
    });
    this.total++;
  }

  /** Every response served so far, whatever its service and code. */
  get requests(): number {
    return this.total;
  }

  all(): HttpSeries[] {
    return [...this.series.values()];
  }
}
