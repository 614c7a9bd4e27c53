/**
 * One HTTP exchange's response as HttpIo's two clients (undici, http1-client) hand it over: headers as k6 presents
 * them (canonical names, repeated headers joined), Set-Cookie kept apart, the body collected or only counted.
 */
import type { HttpTimings } from './protocol.js';

export interface Exchange {
  status: number;
  headers: Record<string, string>;
  /** Each Set-Cookie header on its own: joined with commas they could not be told apart. */
  setCookies: string[];
  headerBytes: number;
  chunks: Buffer[];
  bodyBytes: number;
  headersAt: number;
  /** k6's timings when the client measured them itself; else HttpIo derives them from `headersAt`. */
  timings?: HttpTimings;
}

export function newExchange(): Exchange {
  return { status: 0, headers: {}, setCookies: [], headerBytes: 0, chunks: [], bodyBytes: 0, headersAt: 0 };
}

const canonicalNames = new Map<string, string>();
/** Go's canonical header name (`content-type` → `Content-Type`), as k6 shows response headers. */
export function canonicalHeader(name: string): string {
  let canonical = canonicalNames.get(name);
  if (canonical === undefined) {
    canonical = name
      .toLowerCase()
      .replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
    if (canonicalNames.size < 1000) canonicalNames.set(name, canonical);
  }
  return canonical;
}

/** Adds one response header (its name and value as latin1 text); returns its canonical name. */
export function addHeader(result: Exchange, rawName: string, value: string): string {
  const name = canonicalHeader(rawName);
  if (name === 'Set-Cookie') result.setCookies.push(value);
  const previous = result.headers[name];
  result.headers[name] = previous === undefined ? value : `${previous}, ${value}`;
  result.headerBytes += rawName.length + value.length + 4;
  return name;
}
