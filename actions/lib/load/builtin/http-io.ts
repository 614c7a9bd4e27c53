/**
 * Performs the VUs' HTTP requests (each VU's own keep-alive connections, vu-connections.ts: plain HTTP/1.1 through
 * http1-client, the rest through undici), following redirects, running a batch as k6 does, mapping network failures
 * to k6 error codes, and emitting k6's HTTP metrics for every hop.
 */
import { subscribe } from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CookieJar } from 'tough-cookie';
import { Agent, type Dispatcher, errors as undiciErrors } from 'undici';
import type { MetricRegistry, Tags } from '../metrics.js';
import { batchDefaults } from '../options.js';
import { type Credentials, digestAuthorization, digestChallenge } from './digest-auth.js';
import { addHeader, type Exchange, newExchange } from './exchange.js';
import { Http1Client, RequestTimeout, supports } from './http1-client.js';
import { authenticateMessage, negotiateMessage, ntlmOffer } from './ntlm-auth.js';
import type { ExpectedStatuses, HttpRequestSpec, HttpResponseData, HttpTimings } from './protocol.js';
import { type ClientCertificate, clientCertificateConnector } from './tls-auth.js';
import { type Transport, VuConnections } from './vu-connections.js';
import { failedResponse, requestEcho } from './wire.js';

const statusText: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** k6's network error codes for the failures undici and the OS report. */
export function errorCode(error: unknown): { code: number; message: string } {
  const e = error as { code?: string; cause?: { code?: string }; message?: string };
  const code = e.code ?? e.cause?.code;
  const message = e.message ?? String(error);
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof RequestTimeout
  )
    return { code: 1050, message: 'request timeout' };
  switch (code) {
    case 'ECONNREFUSED':
      return { code: 1212, message: `dial: connection refused (${message})` };
    case 'ECONNRESET':
      return { code: 1220, message: 'read: connection reset by peer' };
    case 'EPIPE':
      return { code: 1201, message: 'write: broken pipe' };
    case 'ENOTFOUND':
      return { code: 1101, message: `lookup: no such host (${message})` };
    case 'ETIMEDOUT':
      return { code: 1211, message: 'dial: i/o timeout' };
    case 'UND_ERR_SOCKET':
      return { code: 1220, message: 'connection closed by peer' };
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return {
        code: 1310,
        message: `tls: failed to verify certificate: x509: certificate signed by unknown authority (${message})`,
      };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return {
        code: 1311,
        message: `tls: failed to verify certificate: x509: certificate is not valid for this name (${message})`,
      };
  }
  if (code?.startsWith('ERR_TLS') || code?.startsWith('ERR_SSL')) return { code: 1300, message };
  return { code: 1000, message };
}

/**
 * The first exchange of a digest or NTLM request goes without credentials, and k6 expects the server's 401
 * challenge there: digest counts only a 401 as expected, NTLM a 401 or what the request expects (its connection may
 * be authenticated already).
 */
function challengeExpected(spec: HttpRequestSpec): HttpRequestSpec {
  if (!spec.expected || !(spec.digest || spec.ntlm)) return spec;
  const codes = spec.digest ? [401] : [...spec.expected.codes, 401];
  return { ...spec, expected: { codes, ranges: spec.digest ? [] : spec.expected.ranges } };
}

function isExpected(status: number, expected: ExpectedStatuses): boolean {
  return expected.codes.includes(status) || expected.ranges.some((r) => status >= r.min && status <= r.max);
}

/**
 * One HTTP exchange through undici's dispatcher with a plain handler: no stream or iterator objects per request;
 * the body is collected, or only counted when the script discards it.
 */
function exchange(via: Dispatcher, options: Dispatcher.DispatchOptions, collect: boolean): Promise<Exchange> {
  return new Promise((resolveExchange, rejectExchange) => {
    const result = newExchange();
    via.dispatch(options, {
      onConnect() {},
      onHeaders(statusCode: number, raw: Buffer[]) {
        // An informational (1xx) response's headers are not the final response's, as in k6 (Go's net/http).
        if (statusCode < 200) return true;
        result.headersAt = performance.now();
        result.status = statusCode;
        for (let i = 0; i + 1 < raw.length; i += 2)
          addHeader(result, raw[i]!.toString('latin1'), raw[i + 1]!.toString('latin1'));
        return true;
      },
      onData(chunk: Buffer) {
        result.bodyBytes += chunk.length;
        if (collect) result.chunks.push(chunk);
        return true;
      },
      onComplete() {
        resolveExchange(result);
      },
      onError(error: Error) {
        rejectExchange(error);
      },
    } as unknown as Dispatcher.DispatchHandler);
  });
}

/** The request headers' length as data_sent counts them (`name: value\r\n`). */
function headerLength(headers: Record<string, string>): number {
  let n = 0;
  for (const name in headers) n += name.length + headers[name]!.length + 4;
  return n;
}

function byteLength(body: string | Uint8Array | null): number {
  if (body === null) return 0;
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}

/** k6's `tlsVersion` names → Node's. */
const tlsVersions: Record<string, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = {
  'tls1.0': 'TLSv1',
  'tls1.1': 'TLSv1.1',
  'tls1.2': 'TLSv1.2',
  'tls1.3': 'TLSv1.3',
};

/** The TLS options of a k6 script that the client honours. */
export interface TlsOptions {
  insecureSkipTLSVerify?: boolean;
  /** `tls1.2`, or `{ min, max }`. */
  tlsVersion?: string | { min?: string; max?: string };
  tlsAuth?: ClientCertificate[];
}

function tlsVersion(name: string | undefined, field: string) {
  if (name === undefined) return undefined;
  const version = tlsVersions[name];
  if (!version) throw new Error(`${field}: unknown TLS version '${name}' (tls1.0 … tls1.3)`);
  return version;
}

/**
 * What each connection negotiated (ALPN protocol, TLS version), by origin: k6 reports it on every response
 * (`res.proto`, `res.tls_version`). undici announces its connections on a diagnostics channel.
 */
const negotiated = new Map<string, { proto: string; tls: string }>();
subscribe('undici:client:connected', (message) => {
  const { connectParams, socket } = message as {
    connectParams: { protocol: string; hostname: string; port: string };
    socket: { alpnProtocol?: string | false; getProtocol?: () => string | null };
  };
  const tls = socket.getProtocol?.() ?? '';
  negotiated.set(`${connectParams.protocol}//${connectParams.hostname}:${connectParams.port}`, {
    proto: socket.alpnProtocol === 'h2' ? 'HTTP/2.0' : 'HTTP/1.1',
    tls: tls ? tls.replace(/^TLSv/, 'tls').replace(/^tls1$/, 'tls1.0') : '',
  });
});

function connection(url: URL): { proto: string; tls: string } {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return negotiated.get(`${url.protocol}//${url.hostname}:${port}`) ?? { proto: 'HTTP/1.1', tls: '' };
}

/** Where HttpIo's samples go: the engine's registry, or a pool worker's batch of samples for it. */
export type SampleSink = Pick<MetricRegistry, 'add'>;

/** A literal, not a spread of zeroTimings plus fields: V8 (Node 20) builds that one slowly. */
function undiciTimings(duration: number, waiting: number, receiving: number): HttpTimings {
  return {
    duration,
    blocked: 0,
    looking_up: 0,
    connecting: 0,
    tls_handshaking: 0,
    sending: 0,
    waiting,
    receiving,
  };
}

/** Request URLs parsed already, by their text: a load test sends a few URLs over and over. Read, never changed. */
const parsedUrls = new Map<string, URL>();

function parsedUrl(url: string): URL {
  let parsed = parsedUrls.get(url);
  if (!parsed) {
    parsed = new URL(url);
    // Bounded: a script whose URLs differ per request (ids in the path) would grow it for the whole run.
    if (parsedUrls.size >= 1000) parsedUrls.clear();
    parsedUrls.set(url, parsed);
  }
  return parsed;
}

/** How HttpIo uses connections. */
export interface ConnectionOptions {
  /** k6's `noConnectionReuse`: a new connection for every request. */
  noConnectionReuse?: boolean;
  /** k6's `noVUConnectionReuse`: a VU's connections close at the end of each iteration. */
  noVUConnectionReuse?: boolean;
  /** k6's `batch`: how many requests of one `http.batch` call run at once (20). */
  batch?: number;
  /** k6's `batchPerHost`: of those, how many to one host (6; 0 for no limit). */
  batchPerHost?: number;
  /** false: every request through undici (tests compare the two clients on the same requests). */
  http1?: boolean;
}

/** How long an idle connection stays open for reuse. */
const keepAliveMs = 60_000;

/** The host (and port, when the URL names one) that `batchPerHost` counts by, as k6 does. */
function hostOf(url: string): string {
  try {
    return parsedUrl(url).host;
  } catch {
    return '';
  }
}

export class HttpIo {
  private transport!: Transport;
  /** Each VU's connections, by VU id, made on its first request. */
  private readonly vus = new Map<number, VuConnections>();

  constructor(
    private readonly registry: SampleSink,
    private readonly connections: ConnectionOptions = {},
  ) {
    this.use({});
  }

  /**
   * What each VU's connections are made with: HTTP/1.1 keep-alive per origin, HTTP/2 where the server offers it
   * (ALPN), the script's TLS options (client certificates through their own connector, which negotiates ALPN itself).
   */
  private use(tls: TlsOptions): void {
    const range =
      typeof tls.tlsVersion === 'string' ? { min: tls.tlsVersion, max: tls.tlsVersion } : tls.tlsVersion;
    const minVersion = tlsVersion(range?.min, 'tlsVersion.min');
    const maxVersion = tlsVersion(range?.max, 'tlsVersion.max');
    const options = {
      rejectUnauthorized: tls.insecureSkipTLSVerify !== true,
      ...(minVersion ? { minVersion } : {}),
      ...(maxVersion ? { maxVersion } : {}),
    };
    const connect = tls.tlsAuth?.length
      ? clientCertificateConnector({ ...options, allowH2: true }, tls.tlsAuth)
      : options;
    this.transport = {
      keepAliveMs,
      reuse: this.connections.noConnectionReuse !== true,
      http1: this.connections.http1 !== false,
      connect,
    };
  }

  /** Applies the script's TLS and connection options (before the test starts: no connection is open yet). */
  configure(tls: TlsOptions, connections: ConnectionOptions = {}): void {
    void this.close();
    Object.assign(this.connections, connections);
    this.use(tls);
  }

  private connectionsOf(vu: number): VuConnections {
    let set = this.vus.get(vu);
    if (!set) {
      set = new VuConnections(this.transport);
      this.vus.set(vu, set);
    }
    return set;
  }

  /** The VU's iteration (or setup/teardown call) ended: with `noVUConnectionReuse`, its connections close. */
  iterationEnded(vu: number): void {
    if (this.connections.noVUConnectionReuse) this.vus.get(vu)?.closeIdle();
  }

  /**
   * Runs a few exchanges against a throwaway loopback server before the test starts, so that loading and compiling
   * the HTTP client is not billed to the first requests of the test (k6's first request carries no such cost).
   */
  static async warmUp(): Promise<void> {
    const server = createServer((_, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const agent = new Agent({ pipelining: 1 });
    const http1 = new Http1Client(keepAliveMs, true);
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (let i = 0; i < 20; i++) {
        await exchange(agent, { origin, path: '/', method: 'GET', headers: {}, body: null }, true);
        const request = { method: 'GET', headers: {}, body: null, timeoutMs: 10_000, collect: true };
        await http1.request({ ...request, url: new URL(origin) });
      }
    } finally {
      http1.close();
      await agent.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  }

  /** Closes every VU's connections (those in use once their response is complete). */
  async close(): Promise<void> {
    const sets = [...this.vus.values()];
    this.vus.clear();
    await Promise.all(sets.map((set) => set.close()));
  }

  /**
   * A VU's requests: one, or an `http.batch` run as k6 runs it, at most `batch` at once and `batchPerHost` of them to
   * one host, each taking the next request in order (one waiting for its host holds its place); responses in order.
   */
  async performAll(specs: HttpRequestSpec[], vu: number): Promise<HttpResponseData[]> {
    if (specs.length === 1) return [await this.perform(specs[0]!, vu)];
    const { batch = batchDefaults.batch, batchPerHost = batchDefaults.batchPerHost } = this.connections;
    const responses: HttpResponseData[] = new Array(specs.length);
    const hosts = new Map<string, { running: number; waiting: (() => void)[] }>();
    let next = 0;
    const runner = async () => {
      for (let i = next++; i < specs.length; i = next++) {
        const spec = specs[i]!;
        const key = hostOf(spec.url);
        const host = hosts.get(key) ?? { running: 0, waiting: [] };
        hosts.set(key, host);
        // A freed slot goes straight to the next waiting request, so no other can take it meanwhile.
        if (batchPerHost === 0 || host.running < batchPerHost) host.running++;
        else await new Promise<void>((r) => host.waiting.push(r));
        try {
          responses[i] = await this.perform(spec, vu);
        } finally {
          const waiter = host.waiting.shift();
          if (waiter) waiter();
          else host.running--;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(batch, specs.length) }, runner));
    return responses;
  }

  /** Runs one k6 request of the VU, hop by hop through redirects; returns the final response, never throws. */
  async perform(spec: HttpRequestSpec, vu: number): Promise<HttpResponseData> {
    try {
      return await this.follow(spec, this.connectionsOf(vu));
    } catch (error) {
      // Only a malformed URL or redirect Location gets here: undici failures become status-0 responses.
      return {
        ...failedResponse(spec.method, spec.url, 1020, `invalid URL: ${(error as Error).message}`),
      };
    }
  }

  /**
   * Follows redirects. Cookies set along the way are sent to the next hops (the VU's jar then stores them all from
   * `setCookies`); the request's own Cookie header goes only to its origin.
   */
  private async follow(spec: HttpRequestSpec, vu: VuConnections): Promise<HttpResponseData> {
    let url = spec.url;
    let method = spec.method;
    let body = spec.body;
    let headers = spec.headers;
    const original = Object.entries(spec.headers).find(([k]) => k.toLowerCase() === 'cookie');
    const setCookies: [string, string][] = [];
    let chain: CookieJar | undefined;
    let answered = false;
    for (let hop = 0; ; hop++) {
      const first = hop === 0 ? challengeExpected(spec) : spec;
      let response = spec.ntlm
        ? await this.ntlm(vu, spec, spec.ntlm, first, method, url, headers, body)
        : await this.once(vu, first, method, url, headers, body);
      const challenge =
        spec.digest && !answered ? digestChallenge(response.headers['Www-Authenticate']) : undefined;
      if (response.status === 401 && challenge) {
        // k6 answers one digest challenge per request; both exchanges count as requests.
        answered = true;
        headers = { ...headers, Authorization: digestAuthorization(challenge, spec.digest!, method, url) };
        response = await this.once(vu, spec, method, url, headers, body);
      }
      for (const entry of response.setCookies ?? []) {
        setCookies.push(entry);
        chain ??= new CookieJar(undefined, { rejectPublicSuffixes: false, looseMode: true });
        chain.setCookieSync(entry[1], entry[0], { ignoreError: true });
      }
      const location = response.headers.Location;
      if (!location || ![301, 302, 303, 307, 308].includes(response.status) || hop >= spec.redirects)
        return { ...response, ...(setCookies.length > 0 ? { setCookies } : {}) };
      url = new URL(location, url).toString();
      const cookie = [
        new URL(url).origin === new URL(spec.url).origin ? original?.[1] : undefined,
        chain?.getCookieStringSync(url),
      ]
        .filter(Boolean)
        .join('; ');
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'cookie'));
      if (cookie) headers.Cookie = cookie;
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = null;
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-type'),
        );
      }
    }
  }

  /**
   * One hop with NTLM authentication (ntlm-auth.ts) on a connection of its own; each exchange counts as a request,
   * the first one as `first` says.
   */
  private ntlm(
    vu: VuConnections,
    spec: HttpRequestSpec,
    credentials: Credentials,
    first: HttpRequestSpec,
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | Uint8Array | null,
  ): Promise<HttpResponseData> {
    const plain = Object.fromEntries(
      Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'),
    );
    return vu.ntlm().with(new URL(url).origin, credentials, async (via) => {
      const send = (authorization: string) =>
        this.once(vu, spec, method, url, { ...plain, Authorization: authorization }, body, via);
      const unauthenticated = await this.once(vu, first, method, url, plain, body, via);
      const offer =
        unauthenticated.status === 401 ? ntlmOffer(unauthenticated.headers['Www-Authenticate']) : undefined;
      if (!offer) return unauthenticated;
      const challenged = await send(`${offer.scheme} ${negotiateMessage().toString('base64')}`);
      if (challenged.status !== 401) return challenged;
      const token = ntlmOffer(challenged.headers['Www-Authenticate'])?.token;
      const answer = token && authenticateMessage(token, credentials);
      // A challenge that cannot be answered ends the handshake: the first response stands, as in k6.
      if (!answer) return unauthenticated;
      return send(`${offer.scheme} ${answer.toString('base64')}`);
    });
  }

  /** One exchange on the VU's connections (`via`: the NTLM handshake's own connection). */
  private async once(
    vu: VuConnections,
    spec: HttpRequestSpec,
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | Uint8Array | null,
    via?: Dispatcher,
  ): Promise<HttpResponseData> {
    const parsed = parsedUrl(url);
    const start = performance.now();
    const startEpoch = Date.now();
    let status = 0;
    let responseHeaders: Record<string, string> = {};
    let setCookies: string[] = [];
    let responseBody: string | ArrayBuffer | null = null;
    let received = 0;
    let headersAt = start;
    let error = '';
    let code = 0;
    let timings: HttpTimings | undefined;
    let remotePort = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    const collect = spec.responseType !== 'none';
    const http1 =
      via === undefined && parsed.protocol === 'http:' && supports(method, headers) ? vu.http1() : undefined;
    try {
      const res = http1
        ? await http1.request({
            url: parsed,
            method,
            headers,
            body,
            timeoutMs: spec.timeoutMs,
            collect,
          })
        : await exchange(
            via ?? vu.agent(),
            {
              origin: parsed.origin,
              path: parsed.pathname + parsed.search,
              method,
              headers,
              body: body ?? null,
              headersTimeout: spec.timeoutMs,
              bodyTimeout: spec.timeoutMs,
              ...(this.transport.reuse ? {} : { reset: true }),
            },
            collect,
          );
      timings = res.timings;
      headersAt = res.headersAt;
      status = res.status;
      responseHeaders = res.headers;
      setCookies = res.setCookies;
      received += res.headerBytes + res.bodyBytes;
      if (collect) {
        const all = res.chunks.length === 1 ? res.chunks[0]! : Buffer.concat(res.chunks);
        responseBody =
          spec.responseType === 'binary'
            ? (all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer)
            : all.toString('utf8');
      }
      received += 17;
    } catch (thrown) {
      const mapped = errorCode(thrown);
      error = mapped.message;
      code = mapped.code;
      status = 0;
      responseHeaders = {};
      responseBody = null;
      remotePort = 0;
    }
    const end = performance.now();
    const negotiatedWith = status ? connection(parsed) : { proto: '', tls: '' };
    if (status >= 400 && code === 0) code = 1000 + status;
    // undici reports no connection events per request: all before the first byte counts as waiting.
    timings ??= undiciTimings(
      end - start,
      status === 0 ? 0 : headersAt - start,
      status === 0 ? 0 : end - headersAt,
    );
    const sent =
      method.length +
      parsed.pathname.length +
      parsed.search.length +
      11 +
      byteLength(body) +
      headerLength(headers);
    this.emit(
      spec,
      method,
      url,
      status,
      negotiatedWith.proto,
      code,
      error,
      timings,
      sent,
      received,
      startEpoch,
    );
    return {
      status,
      status_text: status ? `${status} ${statusText[status] ?? ''}`.trim() : '',
      proto: negotiatedWith.proto,
      ...(negotiatedWith.tls ? { tls_version: negotiatedWith.tls } : {}),
      url,
      headers: responseHeaders,
      ...(setCookies.length > 0 ? { setCookies: setCookies.map((c): [string, string] => [url, c]) } : {}),
      body: responseBody,
      timings,
      error,
      error_code: code,
      remote_ip: status ? parsed.hostname : '',
      remote_port: remotePort,
      request: requestEcho(method, url, headers, body),
    };
  }

  private emit(
    spec: HttpRequestSpec,
    method: string,
    url: string,
    status: number,
    proto: string,
    code: number,
    error: string,
    timings: HttpTimings,
    sent: number,
    received: number,
    time: number,
  ): void {
    const shown = url === spec.url ? (spec.shownUrl ?? url) : url;
    const name = spec.tags.name ?? shown;
    // Object.assign, not a spread: V8 (Node 20) takes microseconds to add properties to an object made by `{...x}`.
    const tags: Tags = Object.assign({}, spec.tags);
    tags.method = method;
    tags.url = spec.tags.name ?? shown;
    tags.name = name;
    tags.status = String(status);
    tags.proto = proto;
    if (code) tags.error_code = String(code);
    if (error) tags.error = error;
    const expected = spec.expected ? status !== 0 && isExpected(status, spec.expected) : undefined;
    if (expected !== undefined) tags.expected_response = String(expected);
    const r = this.registry;
    r.add('http_reqs', 1, tags, time);
    r.add('http_req_duration', timings.sending + timings.waiting + timings.receiving, tags, time);
    r.add('http_req_blocked', timings.blocked, tags, time);
    r.add('http_req_connecting', timings.connecting, tags, time);
    r.add('http_req_tls_handshaking', timings.tls_handshaking, tags, time);
    r.add('http_req_sending', timings.sending, tags, time);
    r.add('http_req_waiting', timings.waiting, tags, time);
    r.add('http_req_receiving', timings.receiving, tags, time);
    if (expected !== undefined) r.add('http_req_failed', expected ? 0 : 1, tags, time);
    const dataTags: Tags = Object.assign({}, spec.tags);
    r.add('data_sent', sent, dataTags, time);
    r.add('data_received', received, dataTags, time);
  }
}
