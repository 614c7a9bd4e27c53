/**
 * The engine's side of the VU pool: a few worker threads (k6-pool.ts, about one per core), each hosting many VUs,
 * VUs spread round-robin; and PooledVu, a VU handle with ThreadVu's interface, so executors drive either kind alike.
 *
 * Interruption differs from a thread per VU in one way: a VU stops at its next await (HTTP, sleep, a timer), but
 * one whose code never yields blocks its whole worker, so after the grace period the worker is terminated and a
 * fresh one re-initializes its VUs; every iteration that was running on it counts as interrupted, also those of
 * VUs that were not asked to stop.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SampleSink } from '../http-io.js';
import { type ReadyInfo, type StartFrame, VuCalls, type VuHooks } from '../vu-handle.js';
import {
  type PoolBatch,
  type PoolNote,
  type PoolWorkerData,
  SampleDecoder,
  type ToPool,
} from './protocol.js';

/** One pool worker thread and the VUs it hosts; replaced by a fresh thread when a stuck VU must be stopped. */
class PoolWorker {
  private worker!: Worker;
  readonly vus = new Map<number, PooledVu>();
  /** Set while the thread is terminated to stop a stuck VU: a fresh one replaces it. */
  private killed = false;
  private readonly samples = new SampleDecoder();
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly data: PoolWorkerData,
    private readonly add: SampleSink['add'],
  ) {
    this.start();
  }

  private start(): void {
    // No loader hooks (tsx) inherited: the entry is plain JavaScript. The default young generation: many VUs share it.
    const worker = new Worker(this.file, {
      workerData: this.data,
      execArgv: [],
      stdout: false,
      stderr: false,
    });
    this.worker = worker;
    this.killed = false;
    this.samples.reset();
    worker.on('message', (batch: PoolBatch) => this.receive(batch));
    worker.on('error', (error) => {
      for (const vu of this.vus.values()) vu.fault(error.stack ?? String(error));
    });
    worker.on('exit', () => {
      if (this.killed && !this.closed) {
        this.start();
        for (const vu of this.vus.values()) vu.restart();
      } else {
        this.closed = true;
        for (const vu of this.vus.values()) vu.gone();
      }
    });
  }

  private receive(batch: PoolBatch): void {
    this.samples.read(batch, this.add);
    for (const note of batch.notes) this.vus.get(note.vu)?.note(note);
  }

  post(message: ToPool): void {
    this.worker.postMessage(message);
  }

  /** Stops a VU stuck on the CPU: the thread goes, and with it every iteration running on it. */
  kill(): void {
    if (this.killed || this.closed) return;
    this.killed = true;
    void this.worker.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }
}

export class VuPool {
  private readonly workers: PoolWorker[] = [];
  private next = 0;

  constructor(
    private readonly file: string,
    private readonly data: PoolWorkerData,
    /** Where the workers' HTTP samples go (the engine's registry). */
    private readonly sink: SampleSink,
    private readonly hooks: VuHooks,
    readonly size = availableParallelism(),
  ) {}

  /** A new VU on the next worker in turn (started on first use); its init context is evaluated at once. */
  newVu(id: number): PooledVu {
    const index = this.next++ % this.size;
    this.workers[index] ??= new PoolWorker(this.file, this.data, (name, value, tags, time) =>
      this.sink.add(name, value, tags, time),
    );
    return new PooledVu(id, this.workers[index]!, this.hooks);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}

export class PooledVu extends VuCalls {
  private settleReady!: { resolve(info: ReadyInfo): void; reject(error: Error): void };

  constructor(
    id: number,
    private readonly worker: PoolWorker,
    private readonly hooks: VuHooks,
  ) {
    super(id);
    worker.vus.set(id, this);
    this.init();
  }

  /** Evaluates the VU's init context in its worker. */
  private init(): void {
    this.hasSetupData = false;
    this.lastScenario = undefined;
    this.ready = new Promise((resolve, reject) => {
      this.settleReady = { resolve, reject };
    });
    this.ready.catch(() => undefined);
    this.worker.post({ type: 'init', vu: this.id });
  }

  note(note: PoolNote): void {
    switch (note.type) {
      case 'ready':
        this.settleReady.resolve(note);
        return;
      case 'init-error':
        this.settleReady.reject(new Error(note.message));
        return;
      case 'log':
        this.hooks.onLog(note.level, note.message, this.id);
        return;
      case 'test-fail':
        this.hooks.onTestFail(note.message);
        return;
      case 'iteration-error':
        this.onIterationError?.(note.error);
        return;
      case 'done': {
        this.onIterationError = undefined;
        const { outcome, error, abortMessage, result } = note;
        this.finishPending({
          outcome,
          ...(error ? { error } : {}),
          ...(abortMessage ? { abortMessage } : {}),
          ...(result !== undefined ? { result } : {}),
        });
      }
    }
  }

  /** Its worker was replaced: what ran is interrupted, and the VU starts afresh (setup data, scenario resent). */
  restart(): void {
    this.settleReady.reject(new Error(`VU ${this.id}: its pool worker was replaced during init`));
    this.finishPending({ outcome: 'interrupted' });
    if (!this.exited) this.init();
  }

  /** A fault of the worker thread: the running call fails with it. */
  fault(message: string): void {
    this.settleReady.reject(new Error(message));
    this.finishPending({ outcome: 'full', error: message });
  }

  /** Its worker ended for good. */
  gone(): void {
    this.exited = true;
    this.settleReady.reject(new Error(`VU ${this.id} exited during init`));
    this.finishPending({ outcome: 'interrupted' });
  }

  protected deliver(frame: StartFrame): void {
    if (frame.type === 'iterate') this.worker.post({ type: 'iterate', vu: this.id, frame });
    else this.worker.post({ ...frame, vu: this.id });
  }

  protected askToStop(): void {
    this.worker.post({ type: 'interrupt', vu: this.id });
  }

  /** A VU that never yields blocks its whole worker: the worker is replaced (see the top of this file). */
  protected forceStop(): void {
    this.worker.kill();
  }

  /** The worker's threads end with the pool (VuPool.close). */
  override async terminate(): Promise<void> {
    await super.terminate();
    this.worker.vus.delete(this.id);
  }
}
