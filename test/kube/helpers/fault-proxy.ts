import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded API call as the server would see it. */
export interface RecordedCall {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  injected: boolean;
}

/** A fault to inject into the next `times` requests matching `method` and `path`. */
export interface FaultRule {
  method?: string;
  path: RegExp;
  /** Matched against the query string, e.g. /watch=true/ to hit watches but not lists. */
  query?: RegExp;
  /** 409/410/429/503 answer with a v1 Status; `reset` destroys the connection; `cut-stream` forwards, then cuts. */
  fault: 409 | 410 | 429 | 503 | 'reset' | 'cut-stream';
  times: number;
  retryAfterSeconds?: number;
  /** For `cut-stream`: cut the response this long after it starts. */
  afterMs?: number;
}

export interface FaultProxy {
  url: string;
  calls: RecordedCall[];
  inject(rule: FaultRule): void;
  /** How many injected faults have fired so far. */
  fired(): number;
  stop(): Promise<void>;
}

function statusBody(code: number): string {
  const reasons: Record<number, string> = { 409: 'Conflict', 410: 'Expired', 429: 'TooManyRequests' };
  const reason = reasons[code] ?? 'ServiceUnavailable';
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `injected ${code} by the test proxy`,
    reason,
    code,
  });
}

/**
 * A small HTTP proxy in front of the local cluster's API server: records every call (for the RBAC check) and
 * answers chosen requests with 409/429/503, resets their connection, or cuts a watch stream midway.
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const rules: FaultRule[] = [];
  const calls: RecordedCall[] = [];
  let fired = 0;
  const open = new Set<IncomingMessage>();

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const rule = rules.find(
      (r) =>
        r.times > 0 &&
        (!r.method || r.method === req.method) &&
        r.path.test(url.pathname) &&
        (!r.query || r.query.test(url.search)),
    );
    const record = (status: number, injected: boolean) =>
      calls.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        status,
        injected,
      });
    if (rule && rule.fault !== 'cut-stream') {
      rule.times--;
      fired++;
      req.resume();
      if (rule.fault === 'reset') {
        record(0, true);
        req.socket.destroy();
        return;
      }
      record(rule.fault, true);
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (rule.retryAfterSeconds !== undefined) headers['Retry-After'] = String(rule.retryAfterSeconds);
      res.writeHead(rule.fault, headers);
      res.end(statusBody(rule.fault));
      return;
    }
    const upstreamReq = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (upstreamRes) => {
        record(upstreamRes.statusCode ?? 0, rule !== undefined);
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
        open.add(upstreamRes);
        upstreamRes.on('close', () => open.delete(upstreamRes));
        if (rule) {
          rule.times--;
          setTimeout(() => {
            // Only a stream still open counts as cut (the client may have finished and closed it already).
            if (res.destroyed || res.writableEnded) return;
            fired++;
            upstreamRes.destroy();
            res.socket?.destroy();
          }, rule.afterMs ?? 200);
        }
      },
    );
    upstreamReq.on('error', () => res.destroy());
    res.on('close', () => upstreamReq.destroy());
    req.pipe(upstreamReq);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    inject: (rule) => rules.push({ ...rule }),
    fired: () => fired,
    async stop() {
      for (const stream of open) stream.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
