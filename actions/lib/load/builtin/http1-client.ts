/**
 * A lean HTTP/1.1 client for plain `http:` requests: keep-alive connections per origin over net.Socket (each VU has
 * a client of its own, vu-connections.ts), one request at a time on each (no pipelining), request bytes written
 * directly, responses parsed by http-parser-js, and k6's timings measured on the socket. undici costs ~4× more CPU
 * per request; HttpIo keeps it for what only it does (TLS, HTTP/2, NTLM's connection affinity, headers with framing
 * meaning) and routes the rest here (`supports`).
 */
import { connect, type Socket } from 'node:net';
import { HTTPParser } from 'http-parser-js';
import { addHeader, type Exchange, newExchange } from './exchange.js';
import type { HttpTimings } from './protocol.js';

// Header text is latin1, as undici reads it ('ascii', the library's default, clears the high bit of each byte).
HTTPParser.encoding = 'latin1';

/** The request's time limit passed (k6 error 1050). */
export class RequestTimeout extends Error {
  constructor() {
    super('request timeout');
  }
}

/** The server closed the connection before the response was complete: undici's code for the same failure. */
class PeerClosed extends Error {
  readonly code = 'UND_ERR_SOCKET';
  constructor() {
    super('other side closed');
  }
}

export interface Http1Request {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | null;
  timeoutMs: number;
  /** false: the body is only counted (discardResponseBodies / responseType none). */
  collect: boolean;
}

const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What undici refuses in a header value (it then fails the request; HttpIo keeps that path for them). */
const invalidValue = /[^\t\x20-\x7e\x80-\xff]/;
/** Headers that change the message's framing or the connection: undici interprets or refuses them. */
const framing = new Set([
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'expect',
]);

/** Whether this client sends the request exactly as undici would; otherwise HttpIo gives it to undici. */
export function supports(method: string, headers: Record<string, string>): boolean {
  if (!token.test(method)) return false;
  for (const name in headers) {
    const value = headers[name];
    if (typeof value !== 'string' || !token.test(name) || invalidValue.test(value)) return false;
    if (framing.has(name.toLowerCase())) return false;
  }
  return true;
}

/** Methods whose requests carry a body, so an empty one is announced as `content-length: 0` (as undici does). */
const expectsPayload = new Set(['PUT', 'POST', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH']);

/**
 * A request that may be sent again on a fresh connection when a reused one was closed before any byte of the
 * response came back (Go's net/http rule, which k6 inherits: safe methods without a body, or an idempotency key).
 */
function replayable(request: Http1Request): boolean {
  const { method, headers, body } = request;
  if (body !== null && (typeof body === 'string' ? body.length : body.byteLength) > 0) return false;
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'TRACE') return true;
  return Object.keys(headers).some((k) => /^(x-)?idempotency-key$/i.test(k));
}

/** The request's bytes, headers in undici's order: host, connection, the request's own, content-length. */
function encode(request: Http1Request, close: boolean): Buffer | string {
  const { url, method, headers, body } = request;
  let host = url.host;
  let own = '';
  for (const name in headers) {
    if (name.length === 4 && name.toLowerCase() === 'host') host = headers[name]!;
    else own += `${name}: ${headers[name]}\r\n`;
  }
  const payload = body === null ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  const length = payload?.byteLength ?? 0;
  const head =
    `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${host}\r\n` +
    `connection: ${close ? 'close' : 'keep-alive'}\r\n${own}` +
    (length > 0 || expectsPayload.has(method) ? `content-length: ${length}\r\n\r\n` : '\r\n');
  if (!payload || length === 0) return head;
  const bytes = Buffer.allocUnsafe(head.length + length);
  bytes.write(head, 0, 'latin1');
  bytes.set(payload, head.length);
  return bytes;
}

/** Request bytes beyond which `sending` lasts until the socket flushed them (below, the write call's return). */
const largeBody = 64 * 1024;

/** One request from its start to its settlement, with the instants its timings derive from. */
class Pending {
  readonly result = newExchange();
  readonly timer: NodeJS.Timeout | undefined;
  connection: Connection | undefined;
  connectStart = 0;
  lookedUp = 0;
  connected = 0;
  sendStart = 0;
  sendEnd = 0;
  firstByte = 0;
  /** A 1xx response came: the final one follows on the same connection. */
  informational = false;
  retried = false;
  settled = false;

  constructor(
    readonly request: Http1Request,
    readonly start: number,
    private readonly resolve: (result: Exchange) => void,
    private readonly reject: (error: Error) => void,
  ) {
    // No limit at 0, as in k6 (Go's Client.Timeout) and undici; Node's timers take at most 2^31-1 ms.
    this.timer =
      request.timeoutMs > 0
        ? setTimeout(
            () => {
              const connection = this.connection;
              this.fail(new RequestTimeout());
              connection?.abandon();
            },
            Math.min(request.timeoutMs, 2 ** 31 - 1),
          )
        : undefined;
  }

  /** A fresh attempt after a reused connection failed: its timings start over, `blocked` keeps the first try. */
  restart(): void {
    this.connectStart = this.lookedUp = this.connected = this.sendStart = this.sendEnd = this.firstByte = 0;
  }

  succeed(end: number): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    const { connectStart, lookedUp, connected, sendStart, sendEnd, firstByte } = this;
    const sending = sendEnd - sendStart;
    const waiting = firstByte - sendEnd;
    const receiving = end - firstByte;
    const timings: HttpTimings = {
      duration: sending + waiting + receiving,
      blocked: (connectStart || sendStart) - this.start,
      looking_up: lookedUp ? lookedUp - connectStart : 0,
      connecting: connectStart ? connected - (lookedUp || connectStart) : 0,
      tls_handshaking: 0,
      sending,
      waiting,
      receiving,
    };
    this.result.headersAt = firstByte;
    this.result.timings = timings;
    this.resolve(this.result);
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.connection = undefined;
    this.reject(error);
  }
}

/** One keep-alive connection to an origin, serving one request at a time. */
class Connection {
  readonly socket: Socket;
  private readonly parser = new HTTPParser(HTTPParser.RESPONSE);
  private current: Pending | undefined;
  private isConnected = false;
  /** It served a response before: a close before any byte of the next one may be the server dropping it idle. */
  private reused = false;
  private keepAlive = true;
  /** Bytes that belong to no request: the connection cannot be trusted any more. */
  private broken = false;
  private failure: Error | undefined;
  idleSince = 0;
  /** How long it may sit idle: the client's limit, or less when the server announced its own (`Keep-Alive`). */
  idleLimit: number;

  constructor(
    private readonly client: Http1Client,
    readonly key: string,
    host: string,
    port: number,
    first: Pending,
  ) {
    this.idleLimit = client.keepAliveMs;
    this.current = first;
    first.connection = this;
    first.connectStart = performance.now();
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('lookup', () => {
      if (this.current) this.current.lookedUp = performance.now();
    });
    this.socket.on('connect', () => {
      this.isConnected = true;
      const pending = this.current;
      if (!pending) return;
      pending.connected = performance.now();
      this.write(pending);
    });
    this.socket.on('data', (chunk: Buffer) => this.data(chunk));
    this.socket.on('end', () => this.end());
    this.socket.on('error', (error) => {
      this.failure ??= error;
    });
    this.socket.on('close', () => this.closed());
    const parser = this.parser;
    parser[HTTPParser.kOnHeadersComplete] = (...args: unknown[]) => this.head(args);
    parser[HTTPParser.kOnBody] = (chunk: Buffer) => this.body(chunk);
    parser[HTTPParser.kOnMessageComplete] = () => this.complete();
  }

  /** Sends a request on this (idle, connected) connection. */
  send(pending: Pending): void {
    this.current = pending;
    pending.connection = this;
    if (this.isConnected) this.write(pending);
  }

  /** The request on it was given up (timeout): the response may still come, so the connection is closed. */
  abandon(): void {
    this.current = undefined;
    this.socket.destroy();
  }

  private write(pending: Pending): void {
    const bytes = encode(pending.request, !this.client.reuse || pending.request.method === 'HEAD');
    pending.sendStart = performance.now();
    if (typeof bytes === 'string') this.socket.write(bytes, 'latin1');
    else if (bytes.length < largeBody) this.socket.write(bytes);
    else {
      // A large body is sent when the kernel took its last byte (or when the response began, if earlier).
      this.socket.write(bytes, () => {
        if (pending.sendEnd === 0) pending.sendEnd = performance.now();
      });
      return;
    }
    pending.sendEnd = performance.now();
  }

  private data(chunk: Buffer): void {
    const pending = this.current;
    if (!pending) {
      this.socket.destroy();
      return;
    }
    if (pending.firstByte === 0) {
      pending.firstByte = performance.now();
      if (pending.sendEnd === 0) pending.sendEnd = pending.firstByte;
    }
    const parsed = this.parser.execute(chunk);
    if (typeof parsed !== 'number') {
      this.failure = parsed;
      this.socket.destroy();
    } else if (this.broken) this.socket.destroy();
  }

  /** Headers complete; the return value 1 tells the parser that no body follows (a HEAD response). */
  private head(args: unknown[]): number {
    const pending = this.current;
    if (!pending) {
      this.broken = true;
      return 1;
    }
    // The parser passes one info object, or positional values when something put it in Node 0.11's mode.
    const info =
      typeof args[0] === 'object'
        ? (args[0] as { headers: string[]; statusCode: number; shouldKeepAlive: boolean })
        : {
            headers: args[2] as string[],
            statusCode: args[5] as number,
            shouldKeepAlive: args[8] as boolean,
          };
    const status = info.statusCode;
    if (status >= 100 && status < 200 && status !== 101) {
      pending.informational = true;
      return 1;
    }
    const result = pending.result;
    result.status = status;
    const headers = info.headers;
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = addHeader(result, headers[i]!, headers[i + 1]!);
      if (name === 'Keep-Alive') {
        const seconds = /timeout=(\d+)/i.exec(headers[i + 1]!)?.[1];
        // A second's margin, so that a request never races the server's close.
        if (seconds) this.idleLimit = Math.min(this.client.keepAliveMs, (Number(seconds) - 1) * 1000);
      }
    }
    this.keepAlive = info.shouldKeepAlive && status !== 101;
    return pending.request.method === 'HEAD' ? 1 : 0;
  }

  private body(chunk: Buffer): void {
    const pending = this.current;
    if (!pending) {
      this.broken = true;
      return;
    }
    pending.result.bodyBytes += chunk.length;
    if (pending.request.collect) pending.result.chunks.push(chunk);
  }

  private complete(): void {
    const pending = this.current;
    if (!pending) {
      this.broken = true;
      return;
    }
    if (pending.informational) {
      pending.informational = false;
      return;
    }
    this.current = undefined;
    this.reused = true;
    pending.connection = undefined;
    const keep = this.keepAlive && this.client.reuse && pending.request.method !== 'HEAD';
    if (keep) this.client.release(this);
    else this.socket.destroy();
    pending.succeed(performance.now());
  }

  /** The server ended the connection: a body delimited by the close ends here. */
  private end(): void {
    // Elsewhere than in such a body the close cuts the response short: `closed` reports it as undici does.
    if (this.current) this.parser.finish();
  }

  private closed(): void {
    this.client.forget(this);
    const pending = this.current;
    if (!pending) return;
    this.current = undefined;
    if (this.reused && pending.firstByte === 0 && !pending.retried && replayable(pending.request)) {
      pending.retried = true;
      pending.restart();
      this.client.dispatch(pending, false);
      return;
    }
    pending.fail(this.failure ?? new PeerClosed());
  }
}

export class Http1Client {
  private readonly idle = new Map<string, Connection[]>();
  private closing = false;
  /** Set by closeIdle until the next request: connections that come free meanwhile close too. */
  private closeFreed = false;

  /**
   * @param keepAliveMs how long an idle connection may be reused (undici's keepAliveTimeout in HttpIo).
   * @param reuse false (`noConnectionReuse`): `connection: close` on every request, a new connection for each.
   */
  constructor(
    readonly keepAliveMs: number,
    readonly reuse: boolean,
  ) {}

  /** Sends one request; rejects with the socket's error, a parse error, PeerClosed or RequestTimeout. */
  request(request: Http1Request): Promise<Exchange> {
    return new Promise((resolve, reject) => {
      this.dispatch(new Pending(request, performance.now(), resolve, reject), true);
    });
  }

  /** Sends on an idle connection to the origin (when `reuse` allows it), else on a new one. */
  dispatch(pending: Pending, reuse: boolean): void {
    if (pending.settled) return;
    this.closeFreed = false;
    const { url } = pending.request;
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = Number(url.port || 80);
    const key = `${host}:${port}`;
    const idle = reuse ? this.checkout(key) : undefined;
    if (idle) idle.send(pending);
    else new Connection(this, key, host, port, pending);
  }

  /** The most recently used idle connection still fit for reuse (the likeliest to be open still). */
  private checkout(key: string): Connection | undefined {
    const list = this.idle.get(key);
    if (!list) return undefined;
    const now = performance.now();
    for (let connection = list.pop(); connection; connection = list.pop()) {
      if (!connection.socket.destroyed && now - connection.idleSince < connection.idleLimit)
        return connection;
      connection.socket.destroy();
    }
    return undefined;
  }

  release(connection: Connection): void {
    if (this.closing || this.closeFreed) {
      connection.socket.destroy();
      return;
    }
    connection.idleSince = performance.now();
    let list = this.idle.get(connection.key);
    if (!list) {
      list = [];
      this.idle.set(connection.key, list);
    }
    list.push(connection);
  }

  forget(connection: Connection): void {
    const list = this.idle.get(connection.key);
    const at = list?.indexOf(connection) ?? -1;
    if (at >= 0) list!.splice(at, 1);
  }

  /**
   * Closes the idle connections, and those in use when their response is complete unless a request is sent first:
   * what Go's Transport.CloseIdleConnections does for k6's `noVUConnectionReuse`.
   */
  closeIdle(): void {
    this.closeFreed = true;
    for (const list of this.idle.values())
      for (const connection of list.splice(0)) connection.socket.destroy();
  }

  /** Closes the idle connections; those in use close when their response is complete. */
  close(): void {
    this.closing = true;
    this.closeIdle();
  }
}
