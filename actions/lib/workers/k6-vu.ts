/**
 * Worker thread of one k6 VU: its own JS global scope, init context evaluated once, then iterations (or setup /
 * teardown / handleSummary for VU 0) on request from the engine. HTTP calls block this thread only.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runInThisContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { VuChannel } from '../load/builtin/channel.js';
import type { FromVu, FromVuInit, IterateFrame, ToVu, VuWorkerData } from '../load/builtin/protocol.js';
import { createDataModule } from '../load/builtin/vu/data-module.js';
import { createExecutionModule } from '../load/builtin/vu/execution-module.js';
import { createHttpModule } from '../load/builtin/vu/http-module.js';
import { k6Summary, k6Utils } from '../load/builtin/vu/jslib.js';
import { createK6Module } from '../load/builtin/vu/k6-module.js';
import { createMetricsModule } from '../load/builtin/vu/metrics-module.js';
import { AbortTestError, InterruptError, VuState } from '../load/builtin/vu/state.js';

const data = workerData as VuWorkerData;
const vu = new VuState(data.vuId, new VuChannel(data.control, data.bell, data.toVuPort, data.fromVuPort));
const postInit = (message: FromVuInit) => parentPort!.postMessage(message);
const done = (frame: Omit<Extract<FromVu, { type: 'done' }>, 'type'>) => vu.send({ type: 'done', ...frame });
const globals = globalThis as Record<string, unknown>;

let scriptExports: Record<string, unknown> = {};
const scriptOptions = () => (scriptExports.options ?? {}) as Record<string, unknown>;
const k6 = createK6Module(vu);
globals.__k6_modules = {
  k6,
  'k6/http': createHttpModule(vu, scriptOptions),
  'k6/metrics': createMetricsModule(vu),
  'k6/execution': createExecutionModule(vu, scriptOptions),
  'k6/data': createDataModule(vu),
  'k6-summary': k6Summary,
  'k6-utils': k6Utils,
};
const baseEnv = { ...data.env };
globals.__ENV = baseEnv;
globals.__VU = data.vuId;
globals.__ITER = 0;

const scriptDir = dirname(data.scriptPath);
globals.open = (path: string, mode?: string) => {
  if (vu.phase !== 'init') throw new Error('open() can be used only in the init context');
  const file = resolve(scriptDir, path);
  const bytes = readFileSync(file);
  return mode === 'b'
    ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    : bytes.toString('utf8');
};

const format = (args: unknown[]) =>
  args
    .map((a) =>
      typeof a === 'string' ? a : a instanceof Error ? String(a) : (JSON.stringify(a) ?? String(a)),
    )
    .join(' ');
for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  console[level] = (...args: unknown[]) =>
    vu.post({ type: 'log', level: level === 'log' ? 'info' : level, message: format(args) });
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

try {
  const module = { exports: {} as Record<string, unknown> };
  const evaluate = runInThisContext(`(function (module, exports) {${data.code}\n})`, {
    filename: data.scriptPath,
  });
  evaluate(module, module.exports);
  scriptExports = module.exports;
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

let setupData: unknown;

type IterationEnd = Pick<Extract<FromVu, { type: 'done' }>, 'outcome' | 'error' | 'abortMessage'>;

function iterateOnce(inScenario: number, inTest: number, progress: number): IterationEnd {
  const scenario = vu.scenario!;
  vu.iteration++;
  vu.iterationInScenario = inScenario;
  vu.iterationInTest = inTest;
  vu.progress = progress;
  vu.groupPath = '';
  vu.samples = [];
  globals.__ITER = vu.iteration;
  const fn = scriptExports[scenario.exec] as (data: unknown) => unknown;
  const start = performance.now();
  let error: string | undefined;
  try {
    fn(setupData);
  } catch (thrown) {
    vu.groupPath = '';
    if (thrown instanceof InterruptError) {
      vu.iterationsInterrupted++;
      return { outcome: 'interrupted' };
    }
    if (thrown instanceof AbortTestError) return { outcome: 'aborted', abortMessage: thrown.message };
    error = describe(thrown);
  }
  vu.iterationsCompleted++;
  const tags = vu.tags();
  vu.emit('iterations', 1, tags);
  vu.emit('iteration_duration', performance.now() - start, tags);
  return { outcome: 'full', ...(error ? { error } : {}) };
}

/** Completed iterations of a standing order are reported at least this often, with or without other frames. */
const recordFlushMs = 100;
const recordFlushCount = 64;

function runIteration(message: IterateFrame): void {
  if (message.setupData !== undefined) setupData = JSON.parse(message.setupData);
  if (message.scenario) {
    if (vu.scenario?.name !== message.scenario.name) globals.__ENV = { ...baseEnv, ...message.scenario.env };
    vu.scenario = message.scenario;
  }
  vu.testStartTime = message.testStartTime;
  vu.vusActive = message.vusActive;
  vu.vusInitialized = message.vusInitialized;
  const repeat = message.repeat;
  if (!repeat) {
    const end = iterateOnce(message.iterationInScenario, message.iterationInTest, message.progress);
    done({ samples: vu.samples, ...end });
    return;
  }
  const counter = new Int32Array(repeat.counter);
  let inScenario = message.iterationInScenario;
  let flushedAt = Date.now();
  for (;;) {
    const now = Date.now();
    const progress = Math.min(1, (now - repeat.start) / repeat.durationMs);
    const end = iterateOnce(inScenario++, Atomics.add(counter, 0, 1), progress);
    if (end.outcome !== 'full') {
      done({ samples: vu.samples, ...end });
      return;
    }
    vu.records.push({ samples: vu.samples, ...(end.error ? { error: end.error } : {}) });
    vu.samples = [];
    const after = Date.now();
    if (after >= repeat.until || vu.channel.interrupted) break;
    if (vu.records.length >= recordFlushCount || after - flushedAt >= recordFlushMs) {
      vu.send({ type: 'records' });
      flushedAt = after;
    }
  }
  done({ samples: [], outcome: 'full' });
}

function encodeSummaryOutput(result: unknown): string {
  if (!result || typeof result !== 'object') return JSON.stringify(null);
  const out: Record<string, { text?: string; base64?: string }> = {};
  for (const [key, value] of Object.entries(result)) {
    if (value instanceof ArrayBuffer) out[key] = { base64: Buffer.from(value).toString('base64') };
    else out[key] = { text: String(value) };
  }
  return JSON.stringify(out);
}

async function runCall(message: Extract<ToVu, { type: 'call' }>): Promise<void> {
  vu.scenario = undefined;
  vu.groupPath = message.fn === 'handleSummary' ? '' : `::${message.fn}`;
  vu.samples = [];
  const fn = scriptExports[message.fn] as (arg: unknown) => unknown;
  const arg = message.arg === undefined ? undefined : JSON.parse(message.arg);
  try {
    const value = message.fn === 'handleSummary' ? await fn(arg) : fn(arg);
    const result = message.fn === 'handleSummary' ? encodeSummaryOutput(value) : JSON.stringify(value);
    done({ samples: vu.samples, outcome: 'full', ...(result === undefined ? {} : { result }) });
  } catch (thrown) {
    if (thrown instanceof AbortTestError)
      done({ samples: vu.samples, outcome: 'aborted', abortMessage: thrown.message });
    else if (thrown instanceof InterruptError) done({ samples: vu.samples, outcome: 'interrupted' });
    else done({ samples: vu.samples, outcome: 'full', error: describe(thrown) });
  }
}

/**
 * After init the VU serves the engine's frames, blocked on its channel in between; the await after each frame lets
 * promise jobs queued by VU code run before the next one.
 */
async function serve(): Promise<void> {
  for (;;) {
    const frame = vu.channel.wait<ToVu>(false)!;
    if (frame.type === 'iterate') runIteration(frame);
    else if (frame.type === 'call') await runCall(frame);
    await undefined;
  }
}

if (vu.phase === 'vu') void serve();
