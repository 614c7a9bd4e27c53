/**
 * A pool worker: one thread hosting many k6 VUs, each in its own node:vm context (k6 gives every VU its own JS
 * runtime: globals never leak between VUs) with its own modules, event loop and state, running the script rewritten
 * for the pool (its blocking k6 calls awaited). HTTP is done here, by one HttpIo for all the worker's VUs (each on
 * connections of its own); its samples and the VUs' notes leave in one message per event-loop turn. A VU whose code
 * never yields blocks the whole thread: the engine then terminates it and starts a fresh one (pool/pooled-vu.ts).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { HttpIo } from '../load/builtin/http-io.js';
import {
  type PoolBatch,
  type PoolNote,
  type PoolWorkerData,
  SampleEncoder,
  type ToPool,
} from '../load/builtin/pool/protocol.js';
import type { IterateFrame } from '../load/builtin/protocol.js';
import { createModules } from '../load/builtin/vu/modules.js';
import { loadPackagesFrom } from '../load/builtin/vu/packages.js';
import { PooledVuState, type PoolLink } from '../load/builtin/vu/pooled-state.js';
import { isThenable } from '../load/builtin/vu/realm.js';
import {
  callExport,
  describe,
  type IterationEnd,
  iterateOnce,
  opener,
  takeFrame,
  vuConsole,
} from '../load/builtin/vu/runtime.js';
import { InterruptError } from '../load/builtin/vu/state.js';
import { warmUpPool } from '../load/builtin/vu/warm-up-pool.js';
import type { Tags } from '../load/metrics.js';

// Stack traces of VU code point into the script's own files (the bundle carries an inline source map).
process.setSourceMapsEnabled(true);

const data = workerData as PoolWorkerData;
loadPackagesFrom(data.packagesFrom);

/**
 * What the worker has to say: sent at the end of the event-loop turn in which a VU noted something, or a few ms
 * after the first HTTP sample when no VU does (samples alone need not be prompt, only in order).
 */
let notes: PoolNote[] = [];
const samples = new SampleEncoder();
let turnFlush = false;
let timedFlush = false;
function flush(): void {
  turnFlush = false;
  timedFlush = false;
  if (samples.empty && notes.length === 0) return;
  const batch: PoolBatch = { ...samples.take(), notes };
  notes = [];
  parentPort!.postMessage(batch, [batch.data.buffer]);
}
function note(value: PoolNote): void {
  notes.push(value);
  if (turnFlush) return;
  turnFlush = true;
  setImmediate(flush);
}
function sample(name: string, value: number, tags: Tags, time: number): void {
  samples.add(name, value, tags, time);
  if (turnFlush || timedFlush) return;
  timedFlush = true;
  setTimeout(flush, 5);
}

const http = new HttpIo({ add: sample });
http.configure(data.tls, data.connections);
// The HTTP path is optimized before any VU reports ready, not during the test's first requests.
const warm = warmUpPool();
const link: PoolLink = {
  perform: (specs, vu) => http.performAll(specs, vu),
  post: (vu, event) => note({ vu, ...event }),
};
const script = new vm.Script(data.source, { filename: data.scriptPath });

/**
 * Node's web globals VU code may use besides k6's (the thread-per-VU worker has them all); shared objects, so a VU
 * that mutates one of them would be seen by the others.
 */
const webGlobals = Object.fromEntries(
  [
    'URL',
    'URLSearchParams',
    'TextEncoder',
    'TextDecoder',
    'atob',
    'btoa',
    'crypto',
    'structuredClone',
    'queueMicrotask',
    'performance',
  ].map((name) => [name, (globalThis as Record<string, unknown>)[name]]),
);

/** Iterations of one VU run back to back without a macrotask turn for at most this long: the others get theirs. */
const turnMs = 2;

class PoolVu {
  readonly state: PooledVuState;
  private readonly context: vm.Context;
  private readonly parse: (text: string) => unknown;
  private exports: Record<string, unknown> = {};
  private setupData: unknown;
  private readonly baseEnv: Record<string, string>;
  /** Set by the engine's interrupt until the VU's next iteration or call. */
  private interrupted = false;
  private stopCall: (() => void) | undefined;

  constructor(readonly id: number) {
    const state = new PooledVuState(id, link);
    this.state = state;
    this.baseEnv = { ...data.env };
    const loop = state.loop;
    this.context = vm.createContext({
      ...webGlobals,
      __k6_modules: createModules(state, () => (this.exports.options ?? {}) as Record<string, unknown>),
      __ENV: this.baseEnv,
      __VU: id,
      __ITER: 0,
      open: opener(state, data.scriptPath),
      console: vuConsole(state),
      setTimeout: loop.setTimeout,
      clearTimeout: loop.clearTimeout,
      setInterval: loop.setInterval,
      clearInterval: loop.clearInterval,
    });
    const realm = vm.runInContext('({ Math, JSON, Promise })', this.context) as {
      Math: Math;
      JSON: JSON;
      Promise: PromiseConstructor;
    };
    state.realm = { Math: realm.Math, Promise: realm.Promise };
    // Setup data is parsed in the VU's realm, as its own values.
    this.parse = (text) => realm.JSON.parse(text);
    realms.set(realm.Promise, this);
  }

  /**
   * Runs VU code to completion: its value once its promise settled and its event loop is idle; interruptible. Its end
   * is where k6's `noVUConnectionReuse` closes the VU's connections.
   */
  private readonly settle = async <T>(call: () => T): Promise<Awaited<T>> => {
    const loop = this.state.loop;
    try {
      const value = call();
      if (!isThenable(value) && loop.idle) return value as Awaited<T>;
      const stop = new Promise<never>((_, reject) => {
        this.stopCall = () => reject(new InterruptError());
      });
      stop.catch(() => undefined);
      if (this.interrupted) this.stopCall!();
      return (await loop.settle(value as T, stop)) as Awaited<T>;
    } finally {
      this.stopCall = undefined;
      this.state.dropPending();
      http.iterationEnded(this.id);
    }
  };

  /** A rejection nobody handled in this VU's realm: it fails the running call, or is logged between calls. */
  uncaught(reason: unknown): void {
    if (!this.state.loop.fail(reason))
      this.state.post({ type: 'log', level: 'error', message: `Uncaught (in promise) ${describe(reason)}` });
  }

  async init(): Promise<void> {
    try {
      const namespace = await this.settle(() => script.runInContext(this.context) as Record<string, unknown>);
      this.exports = { ...namespace };
      await warm;
      const exports = this.exports;
      note({
        vu: this.id,
        type: 'ready',
        exports: Object.keys(exports).filter((k) => typeof exports[k] === 'function'),
        options: JSON.parse(JSON.stringify(exports.options ?? {})),
        metrics: this.state.metricDefinitions,
      });
      this.state.phase = 'vu';
    } catch (error) {
      note({ vu: this.id, type: 'init-error', message: describe(error) });
    }
  }

  interrupt(): void {
    this.interrupted = true;
    this.stopCall?.();
  }

  private iterate(inScenario: number, inTest: number, progress: number): Promise<IterationEnd> {
    const fn = this.exports[this.state.scenario!.exec] as (data: unknown) => unknown;
    return iterateOnce(this.state, fn, this.setupData, this.settle, {
      inScenario,
      inTest,
      progress,
      setIter: (iteration) => {
        this.context.__ITER = iteration;
      },
    });
  }

  /** The VU's samples since the last call, into the batch ahead of the note they belong to. */
  private flushSamples(): void {
    for (const [name, value, tags, time] of this.state.samples) sample(name, value, tags, time);
    this.state.samples = [];
  }

  private done(end: IterationEnd): void {
    this.flushSamples();
    note({ vu: this.id, type: 'done', ...end });
  }

  /** One iteration, or a standing order of iterations until its time is up or the VU is interrupted. */
  async run(frame: IterateFrame): Promise<void> {
    this.interrupted = false;
    const state = this.state;
    if (frame.setupData !== undefined) this.setupData = this.parse(frame.setupData);
    takeFrame(state, frame, (env) => {
      this.context.__ENV = { ...this.baseEnv, ...env };
    });
    const repeat = frame.repeat;
    if (!repeat) {
      this.done(await this.iterate(frame.iterationInScenario, frame.iterationInTest, frame.progress));
      return;
    }
    const counter = new Int32Array(repeat.counter);
    let inScenario = frame.iterationInScenario;
    let turn = performance.now();
    for (;;) {
      const progress = Math.min(1, (Date.now() - repeat.start) / repeat.durationMs);
      const end = await this.iterate(inScenario++, Atomics.add(counter, 0, 1), progress);
      if (end.outcome !== 'full') {
        this.done(end);
        return;
      }
      this.flushSamples();
      if (end.error) note({ vu: this.id, type: 'iteration-error', error: end.error });
      if (performance.now() - turn >= turnMs) {
        await nextTurn();
        turn = performance.now();
      }
      if (Date.now() >= repeat.until || this.interrupted) break;
    }
    this.done({ outcome: 'full' });
  }

  async call(fn: 'setup' | 'teardown' | 'handleSummary', arg: string | undefined): Promise<void> {
    this.interrupted = false;
    const exported = this.exports[fn] as (arg: unknown) => unknown;
    const { samples: _, ...end } = await callExport(this.state, fn, exported, arg, this.settle);
    this.done(end);
  }
}

/** The VUs by the Promise constructor of their realm: an unhandled rejection is charged to its VU. */
const realms = new Map<PromiseConstructor, PoolVu>();
const vus = new Map<number, PoolVu>();

process.on('unhandledRejection', (reason, promise) => {
  const owner = realms.get(promise.constructor as PromiseConstructor);
  if (owner) owner.uncaught(reason);
  else console.error(`Uncaught (in promise) ${describe(reason)}`);
});

/** A fault of the pool machinery itself: the engine hears of it as the VU's error and the VU goes on serving. */
function guarded(vu: number, work: Promise<void>): void {
  work.catch((error: unknown) => note({ vu, type: 'done', outcome: 'full', error: describe(error) }));
}

parentPort!.on('message', (message: ToPool) => {
  if (message.type === 'init') {
    const vu = new PoolVu(message.vu);
    vus.set(message.vu, vu);
    void vu.init();
    return;
  }
  const vu = vus.get(message.vu);
  if (!vu) return;
  if (message.type === 'interrupt') vu.interrupt();
  else if (message.type === 'iterate') guarded(vu.id, vu.run(message.frame));
  else guarded(vu.id, vu.call(message.fn, message.arg));
});
