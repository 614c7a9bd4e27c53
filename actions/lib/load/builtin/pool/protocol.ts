/**
 * Messages between the engine and a pool worker (actions/lib/workers/k6-pool.ts), which hosts many VUs and does
 * their HTTP itself: plain port messages, since no VU blocks its thread. The worker batches what it has to say (HTTP
 * samples, then VU notes in order) into one message per event-loop turn.
 */
import type { Sample } from '../../metrics.js';
import type { TlsOptions } from '../http-io.js';
import type { FromVu, FromVuInit, IterateFrame, IterationRecord, VuEvent } from '../protocol.js';

export interface PoolWorkerData {
  /** The bundle rewritten for the pool (pool/rewrite.ts): its completion value resolves to the exports. */
  source: string;
  scriptPath: string;
  env: Record<string, string>;
  /** The script's TLS options, for the worker's HttpIo. */
  tls: TlsOptions;
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

export interface PoolBatch {
  /** Samples of the worker's HTTP requests: they precede the notes of the iterations that made them. */
  samples: Sample[];
  notes: PoolNote[];
}
