/**
 * What running VU code means, shared by both kinds of VU worker (a thread per VU, k6-vu.ts; many VUs per thread,
 * k6-pool.ts): its console, open(), one iteration and its outcome, a setup/teardown/handleSummary call. How VU code
 * is awaited and interrupted (`settle`) is the worker's.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FromVu, IterateFrame } from '../protocol.js';
import { isArrayBuffer, isError } from './realm.js';
import { AbortTestError, InterruptError, type VuBase } from './state.js';

/** Runs VU code to completion: its value once its promise settled and its event loop is idle. */
export type Settle = <T>(call: () => T) => Promise<Awaited<T>>;

type Done = Omit<Extract<FromVu, { type: 'done' }>, 'type'>;
export type IterationEnd = Pick<Done, 'outcome' | 'error' | 'abortMessage'>;

export function describe(error: unknown): string {
  if (isError(error)) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

function format(args: unknown[]): string {
  return args
    .map((a) => (typeof a === 'string' ? a : isError(a) ? String(a) : (JSON.stringify(a) ?? String(a))))
    .join(' ');
}

/** The console of VU code: each line goes to the engine as a log event (console.log at level info, as k6). */
export function vuConsole(
  vu: VuBase,
): Record<'log' | 'info' | 'warn' | 'error' | 'debug', (...a: unknown[]) => void> {
  const line =
    (level: string) =>
    (...args: unknown[]) =>
      vu.post({ type: 'log', level, message: format(args) });
  return {
    log: line('info'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    debug: line('debug'),
  };
}

/** k6's open(): a file relative to the script, as text or (mode 'b') an ArrayBuffer; init context only. */
export function opener(
  vu: VuBase,
  scriptPath: string,
): (path: string, mode?: string) => string | ArrayBuffer {
  const scriptDir = dirname(scriptPath);
  return (path, mode) => {
    if (vu.phase !== 'init') throw new Error('open() can be used only in the init context');
    const bytes = readFileSync(resolve(scriptDir, path));
    return mode === 'b'
      ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
      : bytes.toString('utf8');
  };
}

/**
 * Takes in what an iterate frame tells the VU: its scenario (`setEnv` gets the scenario's env when it changes) and
 * the test's figures.
 */
export function takeFrame(
  vu: VuBase,
  frame: IterateFrame,
  setEnv: (scenarioEnv: Record<string, string>) => void,
): void {
  if (frame.scenario) {
    if (vu.scenario?.name !== frame.scenario.name) setEnv(frame.scenario.env);
    vu.scenario = frame.scenario;
  }
  vu.testStartTime = frame.testStartTime;
  vu.vusActive = frame.vusActive;
  vu.vusInitialized = frame.vusInitialized;
}

/** Starts iteration bookkeeping of the VU; returns the iteration number (`__ITER`). */
function startIteration(vu: VuBase, inScenario: number, inTest: number, progress: number): number {
  vu.iteration++;
  vu.iterationInScenario = inScenario;
  vu.iterationInTest = inTest;
  vu.progress = progress;
  vu.groupPath = '';
  vu.samples = [];
  return vu.iteration;
}

/**
 * One iteration of the VU's scenario function: an interruption or abort ends it without counting it complete; an
 * exception still counts it (and is reported).
 */
export async function iterateOnce(
  vu: VuBase,
  fn: (data: unknown) => unknown,
  setupData: unknown,
  settle: Settle,
  at: { inScenario: number; inTest: number; progress: number; setIter: (iteration: number) => void },
): Promise<IterationEnd> {
  at.setIter(startIteration(vu, at.inScenario, at.inTest, at.progress));
  const start = performance.now();
  let error: string | undefined;
  try {
    await settle(() => fn(setupData));
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

function encodeSummaryOutput(result: unknown): string {
  if (!result || typeof result !== 'object') return JSON.stringify(null);
  const out: Record<string, { text?: string; base64?: string }> = {};
  for (const [key, value] of Object.entries(result)) {
    if (isArrayBuffer(value)) out[key] = { base64: Buffer.from(value).toString('base64') };
    else out[key] = { text: String(value) };
  }
  return JSON.stringify(out);
}

/** setup(), teardown() or handleSummary() of the script, with its JSON argument; the VU's done frame. */
export async function callExport(
  vu: VuBase,
  name: 'setup' | 'teardown' | 'handleSummary',
  fn: (arg: unknown) => unknown,
  arg: string | undefined,
  settle: Settle,
): Promise<Done> {
  vu.scenario = undefined;
  vu.groupPath = name === 'handleSummary' ? '' : `::${name}`;
  vu.samples = [];
  try {
    const value = await settle(() => fn(arg === undefined ? undefined : JSON.parse(arg)));
    const result = name === 'handleSummary' ? encodeSummaryOutput(value) : JSON.stringify(value);
    return { samples: vu.samples, outcome: 'full', ...(result === undefined ? {} : { result }) };
  } catch (thrown) {
    if (thrown instanceof AbortTestError)
      return { samples: vu.samples, outcome: 'aborted', abortMessage: thrown.message };
    if (thrown instanceof InterruptError) return { samples: vu.samples, outcome: 'interrupted' };
    return { samples: vu.samples, outcome: 'full', error: describe(thrown) };
  }
}
