import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest } from '../store/errors.js';
import { decodeProtobuf, protobufMediaType } from './protobuf/decode.js';

/** Reading request bodies and writing JSON answers the way kube-apiserver does. */

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Parses a JSON, protobuf (kubectl's generators) or (for apply patches and `application/yaml`) YAML body; 400 when
 * it is none of them.
 */
export function parseBody(body: Buffer, contentType: string): unknown {
  if (contentType.startsWith(protobufMediaType)) return body.length ? decodeProtobuf(body) : undefined;
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    if (contentType.includes('yaml')) return parseYaml(text);
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml (${(error as Error).message})`,
    );
  }
}

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: unknown): void {
  const apiError =
    error instanceof ApiError
      ? error
      : new ApiError(
          500,
          'InternalError',
          `Internal error occurred: ${(error as Error)?.message ?? String(error)}`,
        );
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, apiError.code, apiError.toStatus());
}

/** The field manager of a non-apply write: `?fieldManager=`, else the User-Agent's product (`kubectl`), as upstream. */
export function fieldManagerOf(query: URLSearchParams, req: IncomingMessage): string {
  const explicit = query.get('fieldManager');
  if (explicit) return explicit;
  const agent = req.headers['user-agent'] ?? 'unknown';
  return agent.split('/')[0] || 'unknown';
}

/** Whether the Accept header asks for a meta.k8s.io Table (what `kubectl get` requests). */
export function wantsTable(req: IncomingMessage): boolean {
  return /as=Table/.test(req.headers.accept ?? '');
}
