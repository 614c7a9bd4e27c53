import { ApiError } from '../store/errors.js';

/**
 * A deduplicating work queue, like client-go's: a key added several times before it is processed is handled once,
 * handlers run outside the store listener that enqueued them, and a key can be re-queued after a delay.
 * A conflict (409) re-queues the key at once (the handler re-reads the object); a vanished object (404) is dropped;
 * other failures are reported and retried after a second, as controllers do with utilruntime.HandleError.
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private drainScheduled: NodeJS.Immediate | undefined;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly handle: (key: string) => void,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    this.drainScheduled ??= setImmediate(() => this.drain());
  }

  /** Adds the key after `seconds`; an earlier delayed add of the same key wins. */
  addAfter(key: string, seconds: number): void {
    if (this.stopped || this.delayed.has(key)) return;
    const timer = setTimeout(
      () => {
        this.delayed.delete(key);
        this.add(key);
      },
      Math.max(0, seconds * 1000),
    );
    timer.unref();
    this.delayed.set(key, timer);
  }

  private drain(): void {
    this.drainScheduled = undefined;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      if (this.stopped) return;
      try {
        this.handle(key);
      } catch (error) {
        if (error instanceof ApiError && error.code === 409) this.add(key);
        else if (error instanceof ApiError && error.code === 404) continue;
        // Refused by admission (LimitRanger, quota): the controller recorded why; try again later.
        else if (error instanceof ApiError && error.code === 403) this.addAfter(key, 1);
        else {
          process.stderr.write(`${this.name}: ${key}: ${(error as Error).stack ?? error}\n`);
          this.addAfter(key, 1);
        }
      }
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.drainScheduled) clearImmediate(this.drainScheduled);
    for (const timer of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.pending.clear();
  }
}
