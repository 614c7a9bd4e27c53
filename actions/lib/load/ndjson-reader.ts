/**
 * Follows a k6 `--out json` NDJSON file while k6 writes it: request counts, durations and failures for progress,
 * and the first/last sample time of each scenario for its actual window.
 */
import { open } from 'node:fs/promises';

export class NdjsonFollower {
  private offset = 0;
  private rest = '';
  requests = 0;
  errors = 0;
  iterations = 0;
  vus = 0;
  vusMax = 0;
  intervalRequests = 0;
  intervalDurations: number[] = [];
  readonly scenarioTimes = new Map<string, { first: number; last: number }>();

  constructor(private readonly path: string) {}

  /** Reads what was appended since the last call. */
  async poll(): Promise<void> {
    const file = await open(this.path, 'r').catch(() => undefined);
    if (!file) return;
    try {
      const { size } = await file.stat();
      if (size <= this.offset) return;
      const buffer = Buffer.alloc(size - this.offset);
      await file.read(buffer, 0, buffer.length, this.offset);
      this.offset = size;
      const lines = (this.rest + buffer.toString('utf8')).split('\n');
      this.rest = lines.pop() ?? '';
      for (const line of lines) this.line(line);
    } finally {
      await file.close();
    }
  }

  private line(line: string): void {
    if (!line.includes('"Point"')) return;
    let point: {
      metric: string;
      data: { time: string; value: number; tags?: Record<string, string> | null };
    };
    try {
      point = JSON.parse(line);
    } catch {
      return;
    }
    const { metric, data } = point;
    const scenario = data.tags?.scenario;
    if (scenario) {
      const time = Date.parse(data.time);
      const seen = this.scenarioTimes.get(scenario);
      if (!seen) this.scenarioTimes.set(scenario, { first: time, last: time });
      else {
        seen.first = Math.min(seen.first, time);
        seen.last = Math.max(seen.last, time);
      }
    }
    switch (metric) {
      case 'http_reqs':
        this.requests += data.value;
        this.intervalRequests += data.value;
        break;
      case 'http_req_duration':
        this.intervalDurations.push(data.value);
        break;
      case 'http_req_failed':
        this.errors += data.value;
        break;
      case 'iterations':
        this.iterations += data.value;
        break;
      case 'vus':
        this.vus = data.value;
        break;
      case 'vus_max':
        this.vusMax = data.value;
        break;
    }
  }
}
