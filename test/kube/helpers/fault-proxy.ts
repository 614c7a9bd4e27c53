import { mkdtemp, rm } from 'node:fs/promises';
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer, Agent as HttpsAgent, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '../../support/self-signed.js';

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

/** The API server behind the proxy; for https, the CA that signs it and the credentials the proxy may present. */
export interface Upstream {
  url: string;
  ca?: string;
  /**
   * A client certificate presented for requests that carry no credentials of their own (the cluster admin's);
   * a request with an Authorization header is forwarded without it, so its bearer token is what the API server
   * authenticates and authorizes.
   */
  cert?: string;
  key?: string;
}

export interface FaultProxy {
  /** https://127.0.0.1:<port>, served with a self-signed certificate. */
  url: string;
  /** That certificate, base64 PEM, as a kubeconfig's certificate-authority-data. */
  certificateAuthorityData: string;
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
 * Opens `req` again toward the upstream: plain HTTP, or TLS with the admin's client certificate unless the request
 * brings its own credentials.
 */
function forwarder(upstream: Upstream): {
  forward(req: IncomingMessage, callback: (res: IncomingMessage) => void): ClientRequest;
  agents: HttpsAgent[];
} {
  const target = new URL(upstream.url);
  const options = (req: IncomingMessage) => ({
    host: target.hostname,
    port: target.port,
    method: req.method,
    path: req.url,
    headers: { ...req.headers, host: target.host },
  });
  if (target.protocol === 'http:')
    return { forward: (req, callback) => httpRequest(options(req), callback), agents: [] };
  const asAdmin = new HttpsAgent({
    keepAlive: true,
    ca: upstream.ca,
    cert: upstream.cert,
    key: upstream.key,
  });
  const asCaller = new HttpsAgent({ keepAlive: true, ca: upstream.ca });
  return {
    forward: (req, callback) =>
      httpsRequest({ ...options(req), agent: req.headers.authorization ? asCaller : asAdmin }, callback),
    agents: [asAdmin, asCaller],
  };
}

/**
 * A small TLS proxy in front of the local cluster's API server (plain HTTP for the built-in one, TLS for the real
 * one): records every call (for the RBAC check) and answers chosen requests with 409/429/503, resets their
 * connection, or cuts a watch stream midway. Watches stream through unbuffered.
 */
export async function startFaultProxy(upstream: Upstream): Promise<FaultProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'scalegate-proxy-'));
  const tls = await selfSignedCertificate(dir).finally(() => rm(dir, { recursive: true, force: true }));
  const { forward, agents } = forwarder(upstream);
  const rules: FaultRule[] = [];
  const calls: RecordedCall[] = [];
  let fired = 0;
  const open = new Set<IncomingMessage>();

  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
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
    const upstreamReq = forward(req, (upstreamRes) => {
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
    });
    upstreamReq.on('error', () => res.destroy());
    // The client went away before the answer ended (a watch it stopped): the upstream request goes too.
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    req.pipe(upstreamReq);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    certificateAuthorityData: tls.cert.toString('base64'),
    calls,
    inject: (rule) => rules.push({ ...rule }),
    fired: () => fired,
    async stop() {
      for (const stream of open) stream.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const agent of agents) agent.destroy();
    },
  };
}
