/**
 * Live progress of a run: request rate and p95 over the last interval, VUs, errors; rendered as one rewritten line
 * on a terminal or as periodic plain lines elsewhere (GitHub Actions logs).
 */
import type { MetricRegistry } from './metrics.js';
import type { LoadProgress } from './types.js';

export class ProgressTracker {
  private intervalDurations: number[] = [];
  private intervalRequests = 0;
  private lastTick = Date.now();
  requests = 0;
  errors = 0;
  iterations = 0;

  constructor(registry: MetricRegistry) {
    registry.onSample((metric, value) => {
      switch (metric.name) {
        case 'http_reqs':
          this.requests += value;
          this.intervalRequests += value;
          break;
        case 'http_req_duration':
          this.intervalDurations.push(value);
          break;
        case 'http_req_failed':
          this.errors += value;
          break;
        case 'iterations':
          this.iterations += value;
          break;
      }
    });
  }

  /** Closes the current interval and returns its snapshot. */
  snapshot(elapsedMs: number, stage: string, vus: number, vusMax: number): LoadProgress {
    const now = Date.now();
    const seconds = Math.max(0.001, (now - this.lastTick) / 1000);
    const sorted = this.intervalDurations.sort((a, b) => a - b);
    const p95 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]! : 0;
    const progress: LoadProgress = {
      elapsedMs,
      stage,
      vus,
      vusMax,
      requestRate: this.intervalRequests / seconds,
      p95Ms: p95,
      errors: this.errors,
      requests: this.requests,
      iterations: this.iterations,
    };
    this.intervalDurations = [];
    this.intervalRequests = 0;
    this.lastTick = now;
    return progress;
  }
}

export function formatProgress(p: LoadProgress): string {
  const seconds = (p.elapsedMs / 1000).toFixed(0).padStart(4);
  return `${seconds}s  ${p.stage.padEnd(18)} vus ${String(p.vus).padStart(4)}/${p.vusMax}  ${p.requestRate.toFixed(0).padStart(6)} req/s  p95 ${p.p95Ms.toFixed(1).padStart(7)} ms  errors ${p.errors}  reqs ${p.requests}  iters ${p.iterations}`;
}

/** Writes progress as a live line (TTY) or a plain line every `everyMs` (logs). */
export function progressPrinter(stream: NodeJS.WriteStream, everyMs = 10_000): (p: LoadProgress) => void {
  if (stream.isTTY) return (p) => stream.write(`\r\u001b[2K${formatProgress(p)}`);
  let last = Number.NEGATIVE_INFINITY;
  return (p) => {
    if (p.elapsedMs - last < everyMs) return;
    last = p.elapsedMs;
    stream.write(`${formatProgress(p)}\n`);
  };
}
