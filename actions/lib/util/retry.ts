/**
 * The one retry loop of the library (Kubernetes API calls, Prometheus queries, optimistic writes to GitHub). The
 * caller's `classify` knows its protocol and decides, failure by failure, whether and after how long to try again;
 * the loop only counts, reports and waits, and a cancelled signal ends the wait at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** What to do with a failed try. */
export type RetryDecision = { retry: false } | { retry: true; delayMs: number; reason: string };

export interface RetryLoop {
  /** Decides about the failure of try `attempt` (0-based); returning `retry: false` rethrows `error`. */
  classify: (error: unknown, attempt: number) => RetryDecision;
  /** Sees every retried failure, with the 1-based number of the retry about to be made. */
  onRetry?: (reason: string, retry: number, delayMs: number) => void;
  /** Ends the loop: no retry once aborted, and a wait in progress rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Runs `operation` (given its 0-based try number) until it succeeds or `classify` says stop. */
export async function retry<T>(operation: (attempt: number) => Promise<T>, loop: RetryLoop): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const decision = loop.classify(error, attempt);
      if (!decision.retry || loop.signal?.aborted) throw error;
      loop.onRetry?.(decision.reason, attempt + 1, decision.delayMs);
      if (decision.delayMs > 0)
        await sleep(decision.delayMs, undefined, loop.signal ? { signal: loop.signal } : undefined).catch(
          (aborted: unknown) => {
            loop.signal?.throwIfAborted();
            throw aborted;
          },
        );
    }
  }
}

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/**
 * Exponential backoff for try `attempt` (0-based): base·2^attempt, capped at `maxMs`. With `random`, full jitter in
 * [delay/2, delay] so that many clients failing together do not retry together.
 */
export function backoffDelay(attempt: number, backoff: Backoff, random?: () => number): number {
  const delay = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt);
  return random ? Math.round(delay / 2 + (random() * delay) / 2) : delay;
}
