/**
 * k6's `--out json=FILE` output: one JSON object per line, a `Metric` line before the first `Point` of each metric,
 * tags with sorted keys, flushed every 200 ms. `.gz` files are gzip-compressed; `-` or an empty name is stdout.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Metric, MetricRegistry, Tags } from './metrics.js';
import type { Threshold } from './thresholds.js';

export class NdjsonOutput {
  private readonly seen = new Set<string>();
  private buffer: string[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly stream: Writable;
  private readonly sink: Writable;
  private readonly ownsStream: boolean;

  constructor(
    path: string,
    registry: MetricRegistry,
    private readonly thresholds: Threshold[],
    stdout: Writable = process.stdout,
  ) {
    this.ownsStream = path !== '' && path !== '-';
    if (!this.ownsStream) {
      this.sink = stdout;
      this.stream = stdout;
    } else {
      this.sink = createWriteStream(path);
      this.stream = path.endsWith('.gz') ? createGzip() : this.sink;
      if (this.stream !== this.sink) this.stream.pipe(this.sink);
    }
    registry.onSample((metric, value, tags, time) => this.point(metric, value, tags, time));
    this.timer = setInterval(() => this.flush(), 200);
    this.timer.unref();
  }

  private point(metric: Metric, value: number, tags: Tags, time: number): void {
    if (!this.seen.has(metric.name)) {
      this.seen.add(metric.name);
      const thresholds = this.thresholds.filter((t) => t.key.split('{')[0] === metric.name).map((t) => t.raw);
      const submetrics = metric.submetrics.length
        ? metric.submetrics.map((s) => ({ name: s.name, suffix: s.suffix, tags: s.tags }))
        : null;
      this.buffer.push(
        JSON.stringify({
          type: 'Metric',
          data: { name: metric.name, type: metric.type, contains: metric.contains, thresholds, submetrics },
          metric: metric.name,
        }),
      );
    }
    const sorted: Tags = {};
    for (const key of Object.keys(tags).sort()) sorted[key] = tags[key]!;
    this.buffer.push(
      JSON.stringify({
        metric: metric.name,
        type: 'Point',
        data: { time: new Date(time).toISOString(), value, tags: sorted },
      }),
    );
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    this.stream.write(`${this.buffer.join('\n')}\n`);
    this.buffer = [];
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.flush();
    if (!this.ownsStream) return;
    await new Promise<void>((resolveClose, rejectClose) => {
      this.sink.once('finish', resolveClose);
      this.sink.once('error', rejectClose);
      this.stream.end();
    });
  }
}
