/**
 * Messages between the engine and a pool worker (actions/lib/workers/k6-pool.ts), which hosts many VUs and does
 * their HTTP itself: port messages, since no VU blocks its thread. The worker batches what it has to say (samples
 * as numbers, then VU notes in order) into one message per event-loop turn in which a VU noted something, or every
 * few ms.
 */
import type { Tags } from '../../metrics.js';
import type { ConnectionOptions, TlsOptions } from '../http-io.js';
import type { FromVu, FromVuInit, IterateFrame, VuEvent } from '../protocol.js';

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

type Done = Omit<Extract<FromVu, { type: 'done' }>, 'type' | 'events' | 'records' | 'samples'>;

/**
 * What one VU of the worker says: its init outcome, console lines, the error of a completed iteration of an order, a
 * call's end. Their samples travel in the batch's sample block.
 */
export type PoolNote = { vu: number } & (
  | Extract<FromVuInit, { type: 'ready' | 'init-error' }>
  | VuEvent
  | { type: 'iteration-error'; error: string }
  | ({ type: 'done' } & Done)
);

/**
 * A worker's samples as numbers, in order: runs of consecutive samples with one tags object and one time, as HttpIo
 * emits a request's metrics — `tag set, time, count, then count × (name, value)` — tag sets and metric names as
 * their numbers in the worker's tables. Sent as a transferred buffer: neither thread serializes or parses a sample
 * (JSON of the tags of every request cost the two threads ~20 % of the CPU per request).
 */
export interface SampleBlock {
  /** Metric names first used in this block: they continue the worker's name table. */
  names: string[];
  /** Tag sets first used in this block: they continue the worker's tag table (after a reset when `fresh`). */
  tags: Tags[];
  /** The tag table starts afresh with this block (the worker's table had grown past its bound). */
  fresh: boolean;
  /** Exactly the block's numbers, in a buffer of its own (transferred, not copied, to the engine). */
  data: Float64Array<ArrayBuffer>;
}

export interface PoolBatch extends SampleBlock {
  /** After the samples, which precede the notes of the iterations that made them. */
  notes: PoolNote[];
}

/**
 * Distinct tag sets the tables hold before they start afresh: a script whose URLs differ per request (the `name`
 * tag defaults to the URL) would otherwise grow them on both threads for the whole run.
 */
const tagTableBound = 10_000;

/** How many recently numbered tag sets a new one is compared with before its key is built. */
const recentTagSets = 8;

/** Whether `tags` has exactly the `size` entries of `known`: the same tag set, numbered already. */
function sameTags(tags: Tags, known: Tags, size: number): boolean {
  let count = 0;
  for (const k in tags) {
    if (tags[k] !== known[k]) return false;
    count++;
  }
  return count === size;
}

/** The worker's end: numbers metric names and tag sets as it first uses them. */
export class SampleEncoder {
  private readonly names = new Map<string, number>();
  private readonly tagIds = new Map<string, number>();
  private newNames: string[] = [];
  private newTags: Tags[] = [];
  private fresh = false;
  private data: Float64Array<ArrayBuffer> = new Float64Array(4096);
  private length = 0;
  /** Where the current run's header is, and the tags object it was opened with. */
  private run = -1;
  private runTags: Tags | undefined;
  private recent: { tags: Tags; size: number; id: number }[] = [];

  get empty(): boolean {
    return this.length === 0;
  }

  add(name: string, value: number, tags: Tags, time: number): void {
    let name_ = this.names.get(name);
    if (name_ === undefined) {
      name_ = this.names.size;
      this.names.set(name, name_);
      this.newNames.push(name);
    }
    if (tags !== this.runTags || this.data[this.run + 1] !== time) {
      this.reserve(5);
      this.run = this.length;
      this.runTags = tags;
      this.data[this.length++] = this.tagId(tags);
      this.data[this.length++] = time;
      this.data[this.length++] = 0;
    } else this.reserve(2);
    this.data[this.run + 2]!++;
    this.data[this.length++] = name_;
    this.data[this.length++] = value;
  }

  /**
   * The block so far, its numbers copied out to a buffer of their size (the encoder keeps its own, grown to the
   * largest block yet: handing that over would cost a fresh one of that size, zeroed, every event-loop turn).
   */
  take(): SampleBlock {
    const block = {
      names: this.newNames,
      tags: this.newTags,
      fresh: this.fresh,
      data: this.data.slice(0, this.length),
    };
    this.newNames = [];
    this.newTags = [];
    this.fresh = this.tagIds.size >= tagTableBound;
    if (this.fresh) {
      this.tagIds.clear();
      this.recent = [];
    }
    this.length = 0;
    this.run = -1;
    this.runTags = undefined;
    return block;
  }

  /**
   * A tag set's number: first by comparing it with the few most recently numbered ones (a load test repeats a
   * handful of them, and comparing their values costs far less than building and hashing a key), then by its key.
   */
  private tagId(tags: Tags): number {
    const recent = this.recent;
    for (let i = 0; i < recent.length; i++) {
      const known = recent[i]!;
      if (sameTags(tags, known.tags, known.size)) return known.id;
    }
    let key = '';
    let size = 0;
    for (const k in tags) {
      key += `${k}\u0000${tags[k]}\u0001`;
      size++;
    }
    let id = this.tagIds.get(key);
    if (id === undefined) {
      id = this.tagIds.size;
      this.tagIds.set(key, id);
      this.newTags.push(tags);
    }
    if (recent.length === recentTagSets) recent.pop();
    recent.unshift({ tags, size, id });
    return id;
  }

  private reserve(count: number): void {
    if (this.length + count <= this.data.length) return;
    const grown = new Float64Array(this.data.length * 2);
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }
}

/** The engine's end: every sample of a worker's blocks, in order, with the names and tag sets of its tables. */
export class SampleDecoder {
  private names: string[] = [];
  private tags: Tags[] = [];

  /** A fresh worker starts fresh tables. */
  reset(): void {
    this.names = [];
    this.tags = [];
  }

  read(block: SampleBlock, add: (name: string, value: number, tags: Tags, time: number) => void): void {
    if (block.names.length > 0) this.names.push(...block.names);
    if (block.fresh) this.tags = [];
    if (block.tags.length > 0) this.tags.push(...block.tags);
    const data = block.data;
    for (let at = 0; at < data.length; ) {
      const tags = this.tags[data[at]!]!;
      const time = data[at + 1]!;
      const end = at + 3 + 2 * data[at + 2]!;
      for (at += 3; at < end; at += 2) add(this.names[data[at]!]!, data[at + 1]!, tags, time);
    }
  }
}
