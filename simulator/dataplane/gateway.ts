import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataPlane } from './data-plane.js';
import { trackOf, versionOf } from './pod-facts.js';
import { chooseBackend, type GatewayRequest, resolveEntry } from './routing.js';

/** Response headers that name who served a request, for load generators and tests. */
export const servedByHeaders = {
  pod: 'x-scalegate-pod',
  service: 'x-scalegate-service',
  track: 'x-scalegate-track',
  version: 'x-scalegate-version',
} as const;

function reply(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(`${body}\n`);
}

/** The gateway listener's handler: routes each request to a pod model and answers after its simulated service time. */
export function createGatewayHandler(plane: DataPlane): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    req.resume();
    const request: GatewayRequest = {
      host: req.headers.host ?? '',
      path: req.url ?? '/',
      method: req.method ?? 'GET',
      headers: req.headers,
    };
    const resolved = resolveEntry(plane.view, request);
    if (!resolved) {
      reply(
        res,
        404,
        `no Service for host '${request.host}' and path '${request.path}': address one as Host <svc>.<ns>.svc or path /<ns>/<svc>/`,
      );
      return;
    }
    const decision = chooseBackend(plane.view, resolved.entry, request, resolved.path, plane.picker);
    if ('status' in decision) {
      reply(res, decision.status, decision.message);
      return;
    }
    const runtime = plane.pickEndpoint(decision.backend);
    if (!runtime) {
      reply(res, 503, 'no healthy upstream');
      return;
    }
    const { pod, model } = runtime;
    const headers = {
      [servedByHeaders.pod]: pod.metadata.name ?? '',
      [servedByHeaders.service]: decision.backend.name,
      [servedByHeaders.track]: trackOf(pod),
      [servedByHeaders.version]: versionOf(pod),
    };
    // The app's own measure: the model's service time, not the host's timers.
    model.serve((status, seconds) => {
      if (status === 502) {
        reply(res, 502, 'upstream reset: container OOMKilled', headers);
        return;
      }
      model.http.observe(decision.backend.name, status, seconds);
      model.logAccess(
        `${new Date().toISOString()} ${req.socket.remoteAddress ?? '-'} "${request.method} ${resolved.path} HTTP/${req.httpVersion}" ${status} ${seconds.toFixed(3)}`,
      );
      reply(res, status, status === 200 ? 'ok' : 'internal server error', headers);
    });
  };
}
