/**
 * The event loop of one VU, as k6 keeps one per VU: it counts what VU code still waits for (timers, async requests)
 * so that an iteration, setup() or teardown() ends only when its promise settled and nothing is pending, and
 * reports the first uncaught error of a timer callback or promise. On interruption everything pending is dropped.
 * These timers are the global setTimeout/setInterval of VU code and the exports of `k6/timers`.
 */
// Node's own timers: VU code sees this class's functions as its globals.

import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { isThenable } from './realm.js';

type Callback = (...args: unknown[]) => unknown;

export class EventLoop {
  private readonly timers = new Map<number, { handle: NodeJS.Timeout; release: () => void }>();
  private nextId = 1;
  private pending = 0;
  /** Bumped by reset(): releases of operations from before it no longer count. */
  private epoch = 0;
  private wakeIdle: (() => void) | undefined;
  private failure: ((error: unknown) => void) | undefined;

  get idle(): boolean {
    return this.pending === 0;
  }

  /** Registers one operation VU code waits for; returns its release (idempotent). */
  hold(): () => void {
    this.pending++;
    const epoch = this.epoch;
    let released = false;
    return () => {
      if (released || epoch !== this.epoch) return;
      released = true;
      this.pending--;
      if (this.pending === 0) this.wakeIdle?.();
    };
  }

  /** An uncaught error of VU code outside the awaited promise: the running call fails with it (false: none runs). */
  fail(error: unknown): boolean {
    this.failure?.(error);
    return this.failure !== undefined;
  }

  private run(callback: Callback, args: unknown[]): void {
    try {
      const result = callback(...args);
      if (isThenable(result)) result.then(undefined, (error: unknown) => void this.fail(error));
    } catch (error) {
      void this.fail(error);
    }
  }

  setTimeout = (callback: Callback, delay?: number, ...args: unknown[]): number => {
    if (typeof callback !== 'function') throw new TypeError('setTimeout needs a function');
    const id = this.nextId++;
    const release = this.hold();
    const handle = setTimeout(
      () => {
        this.timers.delete(id);
        this.run(callback, args);
        release();
      },
      Math.max(0, Number(delay) || 0),
    );
    this.timers.set(id, { handle, release });
    return id;
  };

  /** An interval keeps the call alive until cleared, as in k6. */
  setInterval = (callback: Callback, delay?: number, ...args: unknown[]): number => {
    if (typeof callback !== 'function') throw new TypeError('setInterval needs a function');
    const id = this.nextId++;
    const handle = setInterval(() => this.run(callback, args), Math.max(1, Number(delay) || 0));
    this.timers.set(id, { handle, release: this.hold() });
    return id;
  };

  clearTimeout = (id?: unknown): void => {
    const timer = this.timers.get(Number(id));
    if (!timer) return;
    this.timers.delete(Number(id));
    clearInterval(timer.handle);
    timer.release();
  };

  clearInterval = (id?: unknown): void => this.clearTimeout(id);

  /**
   * Waits for `value` (VU code's return value), then until nothing is pending; rejects with the first uncaught
   * error, or when `stop` rejects (interruption).
   */
  async settle<T>(value: T | Promise<T>, stop: Promise<never>): Promise<T> {
    const failed = new Promise<never>((_, reject) => {
      this.failure = reject;
    });
    try {
      const result = await Promise.race([value, failed, stop]);
      while (this.pending > 0) {
        const idle = new Promise<void>((resolveIdle) => {
          this.wakeIdle = resolveIdle;
        });
        await Promise.race([idle, failed, stop]);
      }
      return result;
    } finally {
      this.failure = undefined;
      this.wakeIdle = undefined;
    }
  }

  /** Drops every pending timer (the call was interrupted or failed). */
  reset(): void {
    for (const timer of this.timers.values()) clearInterval(timer.handle);
    this.timers.clear();
    this.pending = 0;
    this.epoch++;
  }
}
