/**
 * Worker thread of one k6 VU: its own JS global scope and event loop, the init context evaluated once (as an ES
 * module, so top-level await works) and a dry run of the engine's HTTP path (warm-up.ts) before it reports ready,
 * then iterations (or setup / teardown / handleSummary for VU 0) on request from the engine. A call ends when VU code's promise settled and its event loop has nothing pending, as in k6; an
 * interruption drops what is pending. Synchronous HTTP calls and sleep block this thread only.
 */
import { setInterval as keepAlive } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';
import { VuChannel } from '../load/builtin/channel.js';
import type { FromVu, FromVuInit, IterateFrame, ToVu, VuWorkerData } from '../load/builtin/protocol.js';
import { createModules } from '../load/builtin/vu/modules.js';
import { loadPackagesFrom } from '../load/builtin/vu/packages.js';
import {
  callExport,
  describe,
  iterateOnce,
  opener,
  takeFrame,
  vuConsole,
} from '../load/builtin/vu/runtime.js';
import { InterruptError, VuState } from '../load/builtin/vu/state.js';
import { warmUp } from '../load/builtin/vu/warm-up.js';

// Stack traces of VU code point into the script's own files (the bundle carries an inline source map).
process.setSourceMapsEnabled(true);

const data = workerData as VuWorkerData;
const vu = new VuState(
  data.vuId,
  new VuChannel(data.control, data.bell, data.toVuPort, data.fromVuPort, data.asyncPort),
);
const channel = vu.channel;
loadPackagesFrom(data.packagesFrom);
const postInit = (message: FromVuInit) => parentPort!.postMessage(message);
const done = (frame: Omit<Extract<FromVu, { type: 'done' }>, 'type'>) => vu.send({ type: 'done', ...frame });
const globals = globalThis as Record<string, unknown>;

let scriptExports: Record<string, unknown> = {};
const scriptOptions = () => (scriptExports.options ?? {}) as Record<string, unknown>;
globals.__k6_modules = createModules(vu, scriptOptions);
const baseEnv = { ...data.env };
globals.__ENV = baseEnv;
globals.__VU = data.vuId;
globals.__ITER = 0;
globals.setTimeout = vu.loop.setTimeout;
globals.clearTimeout = vu.loop.clearTimeout;
globals.setInterval = vu.loop.setInterval;
globals.clearInterval = vu.loop.clearInterval;
// A rejection nobody handles fails the running call, as k6 reports "Uncaught (in promise)"; between calls it is
// logged as an error, never dropped.
process.on('unhandledRejection', (reason) => {
  if (!vu.loop.fail(reason)) console.error(`Uncaught (in promise) ${describe(reason)}`);
});

globals.open = opener(vu, data.scriptPath);
Object.assign(console, vuConsole(vu));

/**
 * Rejects once the engine interrupts the running call. While VU code awaits, this is also what hands answers of
 * async requests to their promises.
 */
function watch(): { stop: Promise<never>; end: () => void } {
  let ended = false;
  const stop = (async (): Promise<never> => {
    for (;;) {
      const seen = channel.seen;
      vu.deliverReplies();
      if (channel.interrupted) throw new InterruptError();
      vu.flushRecords();
      await channel.changed(seen);
      if (ended) return new Promise<never>(() => undefined);
    }
  })();
  stop.catch(() => undefined);
  return {
    stop,
    end: () => {
      ended = true;
    },
  };
}

/** Runs VU code to completion: its value once its promise settled and its event loop is idle. */
async function settle<T>(call: () => T): Promise<Awaited<T>> {
  try {
    const value = call();
    // Plain synchronous code that left nothing pending (most iterations) needs no watcher.
    if (!(value instanceof Promise) && vu.loop.idle) return value as Awaited<T>;
    const watcher = watch();
    try {
      return (await vu.loop.settle(value, watcher.stop)) as Awaited<T>;
    } finally {
      watcher.end();
    }
  } finally {
    vu.dropPending();
  }
}

async function init(): Promise<void> {
  try {
    const url = `data:text/javascript;base64,${Buffer.from(data.code).toString('base64')}`;
    const namespace = await settle(() => import(url) as Promise<Record<string, unknown>>);
    scriptExports = { ...namespace };
    warmUp(vu, globals.__k6_modules as Record<string, object>);
    postInit({
      type: 'ready',
      exports: Object.keys(scriptExports).filter((k) => typeof scriptExports[k] === 'function'),
      options: JSON.parse(JSON.stringify(scriptExports.options ?? {})),
      metrics: vu.metricDefinitions,
    });
    vu.phase = 'vu';
  } catch (error) {
    postInit({ type: 'init-error', message: describe(error) });
  }
}

let setupData: unknown;

const iterate = (inScenario: number, inTest: number, progress: number) =>
  iterateOnce(vu, scriptExports[vu.scenario!.exec] as (data: unknown) => unknown, setupData, settle, {
    inScenario,
    inTest,
    progress,
    setIter: (iteration) => {
      globals.__ITER = iteration;
    },
  });

/**
 * Completed iterations of a standing order ride on the VU's next frame (an HTTP call, usually) or leave before it
 * waits (VuState.flushRecords); they are sent on their own after an iteration when the VU sent no frame for this
 * long (iterations busy on the CPU), or when this many are pending.
 */
const recordFlushMs = 100;
const recordFlushCount = 64;

async function runIteration(message: IterateFrame): Promise<void> {
  if (message.setupData !== undefined) setupData = JSON.parse(message.setupData);
  takeFrame(vu, message, (env) => {
    globals.__ENV = { ...baseEnv, ...env };
  });
  const repeat = message.repeat;
  if (!repeat) {
    const end = await iterate(message.iterationInScenario, message.iterationInTest, message.progress);
    done({ samples: vu.samples, ...end });
    return;
  }
  const counter = new Int32Array(repeat.counter);
  let inScenario = message.iterationInScenario;
  for (;;) {
    const now = Date.now();
    const progress = Math.min(1, (now - repeat.start) / repeat.durationMs);
    const end = await iterate(inScenario++, Atomics.add(counter, 0, 1), progress);
    if (end.outcome !== 'full') {
      done({ samples: vu.samples, ...end });
      return;
    }
    vu.records.push({ samples: vu.samples, ...(end.error ? { error: end.error } : {}) });
    vu.samples = [];
    const after = Date.now();
    if (after >= repeat.until || channel.interrupted) break;
    if (vu.records.length >= recordFlushCount || performance.now() - vu.lastSentAt >= recordFlushMs)
      vu.flushRecords();
  }
  done({ samples: [], outcome: 'full' });
}

async function runCall(message: Extract<ToVu, { type: 'call' }>): Promise<void> {
  const fn = scriptExports[message.fn] as (arg: unknown) => unknown;
  done(await callExport(vu, message.fn, fn, message.arg, settle));
}

/** The engine's next frame; the event loop runs while waiting for it. */
async function nextFrame(): Promise<ToVu> {
  for (;;) {
    const seen = channel.seen;
    // Late answers to requests of an interrupted call: dropped.
    vu.deliverReplies();
    const frame = channel.take<ToVu>();
    if (frame) return frame;
    await channel.changed(seen);
  }
}

/** After init the VU serves the engine's frames one at a time. */
async function serve(): Promise<void> {
  for (;;) {
    const frame = await nextFrame();
    try {
      if (frame.type === 'iterate') await runIteration(frame);
      else if (frame.type === 'call') await runCall(frame);
    } catch (error) {
      // A fault of the VU machinery itself: the engine hears of it and the VU goes on serving.
      done({ samples: [], outcome: 'full', error: describe(error) });
    }
  }
}

await init();
if (vu.phase === 'vu') {
  // A pending Atomics.waitAsync does not keep a thread's event loop alive: this handle does, until terminated.
  keepAlive(() => undefined, 2 ** 30);
  void serve();
}
