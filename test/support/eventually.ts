/**
 * The one way tests wait: on a condition, never for a fixed time (the machine is shared and its speed varies).
 * `probe` is called until it returns something other than undefined, null or false, and that value is returned;
 * after `timeoutMs` the test fails naming `what` it waited for.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export type Probe<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;

export async function eventually<T>(
  what: string,
  probe: Probe<T>,
  { timeoutMs = 20_000, everyMs = 50 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
