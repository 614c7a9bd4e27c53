/**
 * Messages between the engine and a pool worker (actions/lib/workers/k6-pool.ts), which hosts many VUs and does
 * their HTTP itself: port messages, since no VU blocks its thread. The worker batches what it has to say (HTTP
 * samples, then VU notes in order) into one message per event-loop turn, as JSON text: for many small objects that
 * costs both threads less than a structured clone (measured ~15 % of the CPU per request), and it is what the VU
 * channel's frames carry too.
 */
import type { Tags } from '../../metrics.js';
import type { ConnectionOptions, TlsOptions } from '../http-io.js';
import type { FromVu, FromVuInit, IterateFrame, IterationRecord, VuEvent } from '../protocol.js';

export interface PoolWorkerData {
  /** The bundle rewritten for the pool (pool/rewrite.ts): its completion value resolves to the exports. */
  source: string;
  scriptPath: string;
  env: Record<string, string>;
  /** The script's TLS and connection options, for the worker's HttpIo. */
  tls: TlsOptions;
  connections: ConnectionOptions;
  /** A file URL of the engine: packages VU code loads on demand are resolved from there. */
  packagesFrom: string;
}

export type ToPool =
  | { type: 'init'; vu: number }
  | { type: 'iterate'; vu: number; frame: IterateFrame }
  | { type: 'call'; vu: number; fn: 'setup' | 'teardown' | 'handleSummary'; arg?: string }
  | { type: 'interrupt'; vu: number };

type Done = Omit<Extract<FromVu, { type: 'done' }>, 'type' | 'events' | 'records'>;

/** What one VU of the worker says: its init outcome, console lines, completed iterations of an order, a call's end. */
export type PoolNote = { vu: number } & (
  | Extract<FromVuInit, { type: 'ready' | 'init-error' }>
  | VuEvent
  | { type: 'record'; record: IterationRecord }
  | ({ type: 'done' } & Done)
);

/**
 * Consecutive samples with one tags object and one time, as HttpIo emits a request's metrics: `[tags, time, name,
 * value, name, value…]`, each name as its number in the worker's name table, so that a request costs two short
 * entries instead of eleven.
 */
export type SampleRun = [Tags, number, ...number[]];

export interface PoolBatch {
  /** Metric names first used in this batch: they continue the worker's name table. */
  names: string[];
  /** Samples of the worker's HTTP requests: they precede the notes of the iterations that made them. */
  samples: SampleRun[];
  notes: PoolNote[];
}

/** The worker's end of the sample runs: numbers its metric names as it first uses them. */
export class SampleRuns {
  private readonly numbers = new Map<string, number>();

  /** Appends a sample to the batch's runs, extending the last run when it shares its tags object and time. */
  add(batch: PoolBatch, name: string, value: number, tags: Tags, time: number): void {
    let number = this.numbers.get(name);
    if (number === undefined) {
      number = this.numbers.size;
      this.numbers.set(name, number);
      batch.names.push(name);
    }
    const runs = batch.samples;
    const last = runs[runs.length - 1];
    if (last && last[0] === tags && last[1] === time) last.push(number, value);
    else runs.push([tags, time, number, value]);
  }
}

/** The engine's end: every sample of a worker's batches, in order, with the names of its table. */
export class SampleReader {
  private names: string[] = [];

  /** A fresh worker starts a fresh name table. */
  reset(): void {
    this.names = [];
  }

  read(batch: PoolBatch, add: (name: string, value: number, tags: Tags, time: number) => void): void {
    if (batch.names.length > 0) this.names.push(...batch.names);
    for (const run of batch.samples)
      for (let i = 2; i < run.length; i += 2)
        add(this.names[run[i] as number]!, run[i + 1] as number, run[0], run[1]);
  }
}
