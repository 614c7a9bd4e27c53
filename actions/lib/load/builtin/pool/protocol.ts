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
 * value, name, value…]`, so that a request costs two entries to clone instead of eleven.
 */
export type SampleRun = [Tags, number, ...(string | number)[]];

export interface PoolBatch {
  /** Samples of the worker's HTTP requests: they precede the notes of the iterations that made them. */
  samples: SampleRun[];
  notes: PoolNote[];
}

/** Appends a sample to the runs, extending the last run when it shares its tags object and time. */
export function addSample(runs: SampleRun[], name: string, value: number, tags: Tags, time: number): void {
  const last = runs[runs.length - 1];
  if (last && last[0] === tags && last[1] === time) last.push(name, value);
  else runs.push([tags, time, name, value]);
}

/** Every sample of the runs, in order. */
export function forEachSample(
  runs: SampleRun[],
  add: (name: string, value: number, tags: Tags, time: number) => void,
): void {
  for (const run of runs)
    for (let i = 2; i < run.length; i += 2) add(run[i] as string, run[i + 1] as number, run[0], run[1]);
}
