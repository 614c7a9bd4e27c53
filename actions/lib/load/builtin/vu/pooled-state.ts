/**
 * A VU hosted by a pool worker (k6-pool.ts) next to many others: it does its HTTP through the worker's HttpIo, and
 * its blocking k6 calls (http.get…, sleep, group) return Promises that its script, rewritten for the pool, awaits.
 * Everything it waits for is held on its own event loop, so an interruption drops exactly this VU's pending work.
 */
import type { HttpRequestSpec, HttpResponseData, VuEvent } from '../protocol.js';
import { VuBase } from './state.js';

/** What a pooled VU needs of its worker. */
export interface PoolLink {
  /** The VU's requests, on its own connections (HttpIo.performAll). */
  perform(requests: HttpRequestSpec[], vuId: number): Promise<HttpResponseData[]>;
  post(vuId: number, event: VuEvent): void;
}

export class PooledVuState extends VuBase {
  readonly pooled = true;
  /** Bumped when the running call's pending work is dropped: late answers then settle nothing. */
  private epoch = 0;

  constructor(
    vuId: number,
    private readonly link: PoolLink,
  ) {
    super(vuId);
  }

  post(event: VuEvent): void {
    this.link.post(this.vuId, event);
  }

  http(): never {
    throw new Error('a pooled VU has no blocking HTTP call (its script awaits the asynchronous one)');
  }

  httpAsync(requests: HttpRequestSpec[]): Promise<HttpResponseData[]> {
    const epoch = this.epoch;
    const release = this.loop.hold();
    return new Promise((resolve) => {
      void this.link.perform(requests, this.vuId).then((responses) => {
        if (epoch !== this.epoch) return;
        resolve(responses);
        release();
      });
    });
  }

  /** A timer on the VU's event loop: other VUs of the worker run meanwhile. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.loop.setTimeout(() => resolve(), ms);
    });
  }

  dropPending(): void {
    this.epoch++;
    this.loop.reset();
  }
}
