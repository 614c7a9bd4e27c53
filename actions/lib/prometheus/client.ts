/**
 * Client for the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`), also spoken by Thanos, Mimir,
 * Cortex and Grafana Cloud. Queries go out as form-encoded POSTs so long PromQL never hits URL limits. Transient
 * faults (5xx, 429, timeouts, refused connections) are retried with exponential backoff; everything else fails at
 * once with a typed error so the caller can tell "Prometheus is down" from "the query is wrong".
 */
import { readFileSync } from 'node:fs';
import { Agent, type Dispatcher, request } from 'undici';
import { ScalegateError } from '../util/errors.js';
import { type Backoff, backoffDelay, retry } from '../util/retry.js';
import { scrubSecrets, splitUrlCredentials } from '../util/secrets.js';

export type PrometheusAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string };

export interface PrometheusTls {
  /** PEM text of the CA bundle, or a path to it. */
  ca?: string;
  insecureSkipVerify?: boolean;
}

export interface PrometheusClientOptions {
  /** Base URL up to (not including) `/api/v1`, e.g. `http://127.0.0.1:9090` or `https://mimir/prometheus`. */
  url: string;
  auth?: PrometheusAuth;
  /** Extra headers, e.g. `X-Scope-OrgID` for Mimir/Cortex tenants or Thanos' partial-response settings. */
  headers?: Record<string, string>;
  tls?: PrometheusTls;
  /** Per attempt, in ms (also sent to Prometheus as its query timeout). Default 10 s. */
  timeoutMs?: number;
  /** Attempts after the first on transient faults. Default 3. */
  retries?: number;
  /** First backoff in ms, doubled per attempt and capped at 5 s. Default 250. */
  backoffMs?: number;
  /** Called before every HTTP attempt (counting queries in benchmarks, logging). */
  onRequest?: (endpoint: string, params: Record<string, string>) => void;
}

export type PrometheusErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'server'
  | 'bad-query'
  | 'auth'
  | 'tls'
  | 'bad-response';

/** A failed query. `kind` says whether retrying later could help (`unreachable`, `timeout`, `server`). */
export class PrometheusError extends ScalegateError {
  constructor(
    readonly kind: PrometheusErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message, 3);
  }

  get transient(): boolean {
    return this.kind === 'unreachable' || this.kind === 'timeout' || this.kind === 'server';
  }
}

export type Labels = Record<string, string>;
/** A sample: unix seconds and value (NaN and ±Inf kept as such). */
export type Point = [number, number];
export interface InstantSample {
  metric: Labels;
  value: Point;
}
export interface RangeSeries {
  metric: Labels;
  values: Point[];
}

const retryableStatus = new Set([429, 502, 503, 504]);

function parseValue(raw: unknown): number {
  if (raw === '+Inf' || raw === 'Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(raw);
}

function parsePoint(raw: unknown): Point {
  if (!Array.isArray(raw) || raw.length !== 2) throw new Error('sample is not [time, value]');
  return [Number(raw[0]), parseValue(raw[1])];
}

function matrix(data: { resultType: string; result: unknown }, what: string): RangeSeries[] {
  if (data.resultType !== 'matrix' || !Array.isArray(data.result))
    throw new PrometheusError('bad-response', `Prometheus returned ${data.resultType} for ${what}`);
  return data.result.map((s: { metric?: Labels; values: unknown[] }) => ({
    metric: s.metric ?? {},
    values: s.values.map(parsePoint),
  }));
}

function authHeader(auth: PrometheusAuth | undefined): Record<string, string> {
  if (!auth || auth.type === 'none') return {};
  if (auth.type === 'bearer') return { authorization: `Bearer ${auth.token}` };
  const encoded = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  return { authorization: `Basic ${encoded}` };
}

function readCa(ca: string): string {
  if (ca.includes('-----BEGIN')) return ca;
  try {
    return readFileSync(ca, 'utf8');
  } catch (error) {
    throw new ScalegateError(`CA bundle ${ca}: cannot read (${(error as NodeJS.ErrnoException).code})`, 2);
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/** Every value that authenticates a request: what must never appear in a message. */
function secretValues(auth: PrometheusAuth, headers: Record<string, string>): string[] {
  const values = Object.values({ ...headers, ...authHeader(auth) });
  if (auth.type === 'bearer') values.push(auth.token);
  if (auth.type === 'basic')
    values.push(auth.password, Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
  return values;
}

export class PrometheusClient {
  /** The base URL without credentials (those in `http://user:pass@host` become Basic auth). */
  readonly url: string;
  /** The credentials and header values the client sends: actions mask them (`core.setSecret`). */
  readonly secrets: readonly string[];
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoff: Backoff;
  private readonly dispatcher: Dispatcher;
  private readonly onRequest: PrometheusClientOptions['onRequest'];

  constructor(options: PrometheusClientOptions) {
    const { url, basic } = splitUrlCredentials(options.url);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ScalegateError(`Prometheus URL '${scrubSecrets(url)}' is not a valid URL`, 2);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new ScalegateError(`Prometheus URL '${url}' must use http or https`, 2);
    this.url = url.replace(/\/+$/, '');
    // Credentials in the URL are Basic auth unless other credentials were given explicitly.
    const auth: PrometheusAuth =
      options.auth && options.auth.type !== 'none'
        ? options.auth
        : basic
          ? { type: 'basic', ...basic }
          : { type: 'none' };
    this.secrets = secretValues(auth, options.headers ?? {});
    this.headers = {
      ...authHeader(auth),
      ...options.headers,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 3;
    this.backoff = { baseMs: options.backoffMs ?? 250, maxMs: 5000 };
    this.onRequest = options.onRequest;
    const tls = options.tls ?? {};
    this.dispatcher = new Agent({
      connect: {
        ...(tls.ca ? { ca: readCa(tls.ca) } : {}),
        rejectUnauthorized: !tls.insecureSkipVerify,
      },
    });
  }

  /** Instant query at `time` (default: now). */
  async query(expr: string, time?: Date, signal?: AbortSignal): Promise<InstantSample[]> {
    const params: Record<string, string> = { query: expr };
    if (time) params.time = (time.getTime() / 1000).toFixed(3);
    const data = await this.call('query', params, signal);
    if (data.resultType === 'scalar' || data.resultType === 'string') {
      return [{ metric: {}, value: parsePoint(data.result) }];
    }
    if (data.resultType !== 'vector' || !Array.isArray(data.result))
      throw new PrometheusError(
        'bad-response',
        `Prometheus returned ${data.resultType} for an instant query`,
      );
    return data.result.map((s: { metric?: Labels; value: unknown }) => ({
      metric: s.metric ?? {},
      value: parsePoint(s.value),
    }));
  }

  /**
   * The raw samples of a range-vector selector (`up{job="x"}[10m]`) at `time`: every scrape's own timestamp, at no
   * step, so the caller can see exactly where samples are missing.
   */
  async querySamples(expr: string, time: Date, signal?: AbortSignal): Promise<RangeSeries[]> {
    const data = await this.call('query', { query: expr, time: (time.getTime() / 1000).toFixed(3) }, signal);
    return matrix(data, 'a range-vector query');
  }

  /** Range query over [start, end] every `stepSeconds`. */
  async queryRange(
    expr: string,
    start: Date,
    end: Date,
    stepSeconds: number,
    signal?: AbortSignal,
  ): Promise<RangeSeries[]> {
    const data = await this.call(
      'query_range',
      {
        query: expr,
        start: (start.getTime() / 1000).toFixed(3),
        end: (end.getTime() / 1000).toFixed(3),
        step: String(stepSeconds),
      },
      signal,
    );
    return matrix(data, 'a range query');
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async call(
    endpoint: string,
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<{ resultType: string; result: unknown }> {
    const body = { ...params, timeout: `${Math.max(1, Math.floor(this.timeoutMs / 1000))}s` };
    try {
      return await retry(() => this.attempt(endpoint, body, signal), {
        classify: (error, attempt) =>
          error instanceof PrometheusError && error.transient && attempt < this.retries
            ? { retry: true, delayMs: backoffDelay(attempt, this.backoff), reason: error.kind }
            : { retry: false },
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (!(error instanceof PrometheusError) || !error.transient) throw error;
      throw new PrometheusError(
        error.kind,
        `${error.message} (after ${this.retries + 1} attempts)`,
        error.status,
      );
    }
  }

  private async attempt(
    endpoint: string,
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<{ resultType: string; result: unknown }> {
    this.onRequest?.(endpoint, params);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const target = `${this.url}/api/v1/${endpoint}`;
    let status: number;
    let text: string;
    try {
      const response = await request(target, {
        method: 'POST',
        headers: this.headers,
        body: new URLSearchParams(params).toString(),
        dispatcher: this.dispatcher,
        signal: combined,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (timeout.aborted)
        throw new PrometheusError(
          'timeout',
          `Prometheus at ${this.url} did not answer within ${this.timeoutMs} ms`,
        );
      const code = (error as { code?: string }).code ?? (error as Error).message;
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS/.test(code))
        throw new PrometheusError('tls', `Prometheus at ${this.url}: TLS verification failed (${code})`);
      throw new PrometheusError('unreachable', `Prometheus at ${this.url} is unreachable (${code})`);
    }
    let parsed:
      | { status?: string; data?: { resultType: string; result: unknown }; error?: string }
      | undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (status === 401 || status === 403)
      throw new PrometheusError(
        'auth',
        `Prometheus at ${this.url} refused the credentials (HTTP ${status})`,
        status,
      );
    // A server may echo the request back: its words reach logs and verdicts only without the credentials.
    const said = (detail: string) => scrubSecrets(detail, this.secrets);
    if (status >= 500 || retryableStatus.has(status)) {
      const detail = said(parsed?.error ?? text.slice(0, 200).trim());
      throw new PrometheusError('server', `Prometheus answered HTTP ${status}: ${detail}`, status);
    }
    if (parsed?.status === 'error' || status >= 400)
      throw new PrometheusError(
        'bad-query',
        `Prometheus rejected the query: ${said(parsed?.error ?? `HTTP ${status}`)}`,
        status,
      );
    if (!parsed?.data)
      throw new PrometheusError(
        'bad-response',
        `Prometheus at ${this.url} returned no data (HTTP ${status})`,
      );
    return parsed.data;
  }
}
