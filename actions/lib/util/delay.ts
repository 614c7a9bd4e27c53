import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits `ms`, or less when `signal` aborts first, and never rejects: for polling loops that look at the signal
 * themselves when they wake (to roll back, or to end inconclusive) rather than unwind on an exception.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return sleep(ms, undefined, signal ? { signal } : undefined).catch(() => {});
}
