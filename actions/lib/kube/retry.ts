import { backoffDelay as exponential, type RetryDecision } from '../util/retry.js';

export interface RetryOptions {
  /** Total tries including the first. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound for a server's Retry-After. */
  maxRetryAfterMs: number;
}

export const defaultRetryOptions: RetryOptions = {
  attempts: 8,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
};

const transientNetworkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** HTTP status of an ApiException (client-node) or a watch error, when there is one. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** The v1 Status `reason` of an API error (e.g. AlreadyExists, Conflict, NotFound). */
export function statusReasonOf(error: unknown): string | undefined {
  const body = (error as { body?: unknown } | undefined)?.body;
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const reason = (parsed as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' ? reason : undefined;
}

/** The v1 Status `message` of an API error, or the error's own message. */
export function statusMessageOf(error: unknown): string {
  const body = (error as { body?: unknown } | undefined)?.body;
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string' && message !== '') return message;
  return error instanceof Error ? error.message : String(error);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function networkCodeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { headers?: Record<string, string> }).headers;
  const value = headers?.['retry-after'] ?? headers?.['Retry-After'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Exponential backoff with full jitter in [delay/2, delay]. */
function backoffDelay(attempt: number, options: RetryOptions, random: () => number): number {
  return exponential(attempt, { baseMs: options.baseDelayMs, maxMs: options.maxDelayMs }, random);
}

/**
 * Classifies an error of attempt `attempt` (0-based). Conflicts (409 other than AlreadyExists) are retried because
 * every operation the KubeClient retries re-reads what it changes; 429 honours Retry-After; 5xx and dropped
 * connections back off. Anything else (4xx, bugs) fails at once.
 */
export function classifyError(
  error: unknown,
  attempt: number,
  options: RetryOptions = defaultRetryOptions,
  random = Math.random,
): RetryDecision {
  if (attempt + 1 >= options.attempts) return { retry: false };
  const status = statusCodeOf(error);
  if (status === 409 && statusReasonOf(error) !== 'AlreadyExists') {
    return { retry: true, delayMs: backoffDelay(attempt, options, random), reason: '409 Conflict' };
  }
  if (status === 429) {
    const after = retryAfterMs(error);
    const delayMs =
      after === undefined ? backoffDelay(attempt, options, random) : Math.min(after, options.maxRetryAfterMs);
    return { retry: true, delayMs, reason: '429 Too Many Requests' };
  }
  if (status !== undefined && status >= 500) {
    return { retry: true, delayMs: backoffDelay(attempt, options, random), reason: `HTTP ${status}` };
  }
  const network = networkCodeOf(error);
  if (
    status === undefined &&
    ((network !== undefined && transientNetworkCodes.has(network)) ||
      (error instanceof TypeError && error.message === 'fetch failed'))
  ) {
    return {
      retry: true,
      delayMs: backoffDelay(attempt, options, random),
      reason: network ?? 'connection error',
    };
  }
  return { retry: false };
}
