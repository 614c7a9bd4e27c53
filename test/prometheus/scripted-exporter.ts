/**
 * A real metrics endpoint (Prometheus text format) whose series the test scripts: kube-state-metrics gauges set and
 * removed at will, and application traffic (request counter + duration histogram) integrated over wall-clock time
 * from a request rate, latency and error ratio the test changes whenever it likes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type Labels = Record<string, string>;

export const latencyBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5];

function labelText(labels: Labels): string {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
  return body === '' ? '' : `{${body}}`;
}

export interface TrafficShape {
  /** Requests per second. */
  rps: number;
  /** Duration of every request, seconds. */
  latencySeconds: number;
  /** Share of requests answered with code 500. */
  errorRatio: number;
}

/** One service/track's traffic: counters advance by rps × elapsed time at every scrape. */
class Traffic {
  private requests = 0;
  private errors = 0;
  private readonly buckets = latencyBuckets.map(() => 0);
  private sum = 0;
  private last = Date.now();

  constructor(
    readonly labels: Labels,
    private shape: TrafficShape,
  ) {}

  set(shape: Partial<TrafficShape>): void {
    this.advance();
    this.shape = { ...this.shape, ...shape };
  }

  advance(): void {
    const now = Date.now();
    const count = (this.shape.rps * (now - this.last)) / 1000;
    this.last = now;
    this.requests += count;
    this.errors += count * this.shape.errorRatio;
    this.sum += count * this.shape.latencySeconds;
    latencyBuckets.forEach((le, i) => {
      if (this.shape.latencySeconds <= le) this.buckets[i]! += count;
    });
  }

  lines(histogram: string, counter: string): string[] {
    this.advance();
    const out: string[] = [];
    latencyBuckets.forEach((le, i) => {
      out.push(`${histogram}_bucket${labelText({ ...this.labels, le: String(le) })} ${this.buckets[i]}`);
    });
    out.push(`${histogram}_bucket${labelText({ ...this.labels, le: '+Inf' })} ${this.requests}`);
    out.push(`${histogram}_sum${labelText(this.labels)} ${this.sum}`);
    out.push(`${histogram}_count${labelText(this.labels)} ${this.requests}`);
    out.push(`${counter}${labelText({ ...this.labels, code: '200' })} ${this.requests - this.errors}`);
    // Like a real app, the 500 series only exists once a 500 was served.
    if (this.errors > 0) out.push(`${counter}${labelText({ ...this.labels, code: '500' })} ${this.errors}`);
    return out;
  }
}

export class ScriptedExporter {
  private readonly gauges = new Map<string, { name: string; labels: Labels; value: number }>();
  private readonly traffic = new Map<string, Traffic>();
  private server: Server | undefined;
  url = '';

  constructor(
    private readonly histogram = 'http_request_duration_seconds',
    private readonly counter = 'http_requests_total',
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(this.render());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/metrics`;
    return this;
  }

  gauge(name: string, labels: Labels, value: number): void {
    this.gauges.set(name + labelText(labels), { name, labels, value });
  }

  has(name: string, labels: Labels): boolean {
    return this.gauges.has(name + labelText(labels));
  }

  remove(name: string, labels: Labels): void {
    this.gauges.delete(name + labelText(labels));
  }

  /** Starts (or reshapes) the traffic of one label set, e.g. {namespace, service, track}. */
  setTraffic(labels: Labels, shape: Partial<TrafficShape>): void {
    const key = labelText(labels);
    const existing = this.traffic.get(key);
    if (existing) existing.set(shape);
    else
      this.traffic.set(key, new Traffic(labels, { rps: 0, latencySeconds: 0.01, errorRatio: 0, ...shape }));
  }

  render(): string {
    const lines = [...this.gauges.values()].map((g) => `${g.name}${labelText(g.labels)} ${g.value}`);
    for (const traffic of this.traffic.values()) lines.push(...traffic.lines(this.histogram, this.counter));
    return `${lines.join('\n')}\n`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
