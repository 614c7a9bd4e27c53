/**
 * HTTP digest authentication (RFC 7616) as k6's `auth: 'digest'` does it: the first request goes without
 * credentials; a 401 with a Digest challenge is answered once with the computed Authorization header (MD5 or
 * SHA-256, qop=auth).
 */
import { createHash, randomBytes } from 'node:crypto';

export interface Credentials {
  username: string;
  password: string;
}

/** The parameters of a `WWW-Authenticate: Digest …` challenge, or undefined for any other scheme. */
export function digestChallenge(header: string | undefined): Record<string, string> | undefined {
  if (!header || !/^\s*digest\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.replace(/^\s*digest\s+/i, '').matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))/g))
    params[match[1]!.toLowerCase()] = match[2] ?? match[3] ?? '';
  return params;
}

export function digestAuthorization(
  challenge: Record<string, string>,
  credentials: Credentials,
  method: string,
  url: string,
): string {
  const algorithm = (challenge.algorithm ?? 'MD5').toUpperCase();
  const hashName = algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
  const hash = (text: string) => createHash(hashName).update(text).digest('hex');
  const { pathname, search } = new URL(url);
  const uri = pathname + search;
  const realm = challenge.realm ?? '';
  const nonce = challenge.nonce ?? '';
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  let ha1 = hash(`${credentials.username}:${realm}:${credentials.password}`);
  if (algorithm.endsWith('-SESS')) ha1 = hash(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = hash(`${method}:${uri}`);
  const qop = challenge.qop
    ?.split(',')
    .map((q) => q.trim())
    .includes('auth')
    ? 'auth'
    : undefined;
  const response = qop
    ? hash(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : hash(`${ha1}:${nonce}:${ha2}`);
  const fields = [
    `username="${credentials.username}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${uri}"`,
    `algorithm=${challenge.algorithm ?? 'MD5'}`,
    `response="${response}"`,
    ...(challenge.opaque !== undefined ? [`opaque="${challenge.opaque}"`] : []),
    ...(qop ? [`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`] : []),
  ];
  return `Digest ${fields.join(', ')}`;
}
