import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { delay } from '../../actions/lib/util/delay.js';
import { backoffDelay, retry } from '../../actions/lib/util/retry.js';

describe('retry', () => {
  it('retries what classify allows, reports each retry, and returns the first success', async () => {
    const seen: string[] = [];
    const result = await retry(
      async (attempt) => {
        if (attempt < 2) throw new Error(`try ${attempt}`);
        return `ok after ${attempt}`;
      },
      {
        classify: (error) => ({ retry: true, delayMs: 1, reason: (error as Error).message }),
        onRetry: (reason, n, delayMs) => seen.push(`${reason} → retry ${n} in ${delayMs}`),
      },
    );
    assert.equal(result, 'ok after 2');
    assert.deepEqual(seen, ['try 0 → retry 1 in 1', 'try 1 → retry 2 in 1']);
  });

  it('rethrows the error classify refuses to retry, with the try number it failed on', async () => {
    const attempts: number[] = [];
    await assert.rejects(
      retry(
        async (attempt) => {
          attempts.push(attempt);
          throw new Error(attempt === 0 ? 'transient' : 'permanent');
        },
        {
          classify: (error) =>
            (error as Error).message === 'transient'
              ? { retry: true, delayMs: 0, reason: 'x' }
              : { retry: false },
        },
      ),
      /permanent/,
    );
    assert.deepEqual(attempts, [0, 1]);
  });

  it('ends a wait at once when the signal aborts, with the signal reason', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled by the run');
    const tries: number[] = [];
    const pending = retry(
      async (attempt) => {
        tries.push(attempt);
        throw new Error('down');
      },
      {
        // An hour's wait: only the abort can end this test in time.
        classify: () => ({ retry: true, delayMs: 3_600_000, reason: 'down' }),
        onRetry: () => queueMicrotask(() => controller.abort(reason)),
        signal: controller.signal,
      },
    );
    await assert.rejects(pending, (error) => error === reason);
    assert.deepEqual(tries, [0]);
  });

  it('does not retry once the signal has aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let tries = 0;
    await assert.rejects(
      retry(
        async () => {
          tries++;
          throw new Error('down');
        },
        { classify: () => ({ retry: true, delayMs: 0, reason: 'down' }), signal: controller.signal },
      ),
      /down/,
    );
    assert.equal(tries, 1);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, and jitters within [delay/2, delay]', () => {
    const backoff = { baseMs: 100, maxMs: 1000 };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, backoff)),
      [100, 200, 400, 800, 1000, 1000],
    );
    assert.equal(
      backoffDelay(2, backoff, () => 0),
      200,
    );
    assert.equal(
      backoffDelay(2, backoff, () => 1),
      400,
    );
  });
});

describe('delay', () => {
  it('resolves early, without rejecting, when the signal aborts', async () => {
    const controller = new AbortController();
    const waiting = delay(3_600_000, controller.signal);
    controller.abort();
    await waiting;
    assert.equal(controller.signal.aborted, true);
  });
});
