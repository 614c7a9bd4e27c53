/**
 * Client options from the places a user can give them: an environment's `prometheus:` settings (credentials by
 * environment-variable name, never inline) and explicit values from CLI flags or action inputs, which win.
 */
import type { PrometheusSettings } from '../settings/schema.js';
import { UsageError } from '../util/errors.js';
import type { PrometheusAuth, PrometheusClientOptions } from './client.js';

export interface ExplicitConnection {
  url?: string;
  bearerToken?: string;
  basic?: { username: string; password: string };
  headers?: Record<string, string>;
  ca?: string;
  insecureSkipVerify?: boolean;
  timeoutMs?: number;
  retries?: number;
}

function fromEnv(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const value = env[name];
  if (value === undefined || value === '')
    throw new UsageError(`${what}: environment variable ${name} is not set`);
  return value;
}

/** `Name: value` header lines (as given to --header or the headers input) as a record. */
export function parseHeaderLines(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines.map((l) => l.trim()).filter(Boolean)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new UsageError(`header '${line}': expected 'Name: value'`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

export function connectionOptions(
  explicit: ExplicitConnection,
  settings: PrometheusSettings | undefined,
  env: NodeJS.ProcessEnv,
): PrometheusClientOptions {
  const url = explicit.url ?? settings?.url;
  if (!url) throw new UsageError('no Prometheus URL: give one, or an environment with prometheus.url');
  const auth = settings?.auth;
  let resolved: PrometheusAuth = { type: 'none' };
  if (explicit.bearerToken) resolved = { type: 'bearer', token: explicit.bearerToken };
  else if (explicit.basic) resolved = { type: 'basic', ...explicit.basic };
  else if (auth?.bearerTokenEnv)
    resolved = { type: 'bearer', token: fromEnv(env, auth.bearerTokenEnv, 'prometheus.auth.bearerTokenEnv') };
  else if (auth?.basic)
    resolved = {
      type: 'basic',
      username: fromEnv(env, auth.basic.usernameEnv, 'prometheus.auth.basic.usernameEnv'),
      password: fromEnv(env, auth.basic.passwordEnv, 'prometheus.auth.basic.passwordEnv'),
    };
  const headers: Record<string, string> = { ...auth?.headers };
  for (const [name, variable] of Object.entries(auth?.headersFromEnv ?? {}))
    headers[name] = fromEnv(env, variable, `prometheus.auth.headersFromEnv.${name}`);
  Object.assign(headers, explicit.headers);
  return {
    url,
    auth: resolved,
    headers,
    tls: {
      ...(explicit.ca ? { ca: explicit.ca } : {}),
      ...(explicit.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
    },
    ...(explicit.timeoutMs !== undefined ? { timeoutMs: explicit.timeoutMs } : {}),
    ...(explicit.retries !== undefined ? { retries: explicit.retries } : {}),
  };
}
