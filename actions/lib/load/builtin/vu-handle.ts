/**
 * The engine's side of one VU worker thread: starts it, relays its HTTP requests to HttpIo, answers over the VU's
 * shared-memory channel, and turns its frames into iteration outcomes, samples and log lines.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { Sample } from '../metrics.js';
import { createControlBuffer, Doorbell, EngineChannel } from './channel.js';
import type { HttpIo } from './http-io.js';
import type {
  FromVu,
  FromVuInit,
  HttpRequestSpec,
  IterateFrame,
  IterationOutcome,
  ScenarioState,
  ToVu,
  VuEvent,
  VuWorkerData,
} from './protocol.js';
import { toWire } from './wire.js';

export interface VuHooks {
  http: HttpIo;
  onSamples(samples: Sample[]): void;
  onLog(level: string, message: string, vuId: number): void;
  onTestFail(message: string): void;
}

export interface VuResult {
  outcome: IterationOutcome;
  error?: string;
  abortMessage?: string;
  result?: string;
}

export type ReadyInfo = Extract<FromVuInit, { type: 'ready' }>;

/** One waiter on the main thread for the frames of every VU of this process. */
const doorbell = new Doorbell();

/**
 * A worker entry as plain JavaScript: next to the bundled action (dist/workers/<name>.js), or, when running from the
 * TypeScript sources (CLI, tests), bundled once per process from actions/lib/workers/<name>.ts into a file named by
 * its content hash in the temporary folder (reused by later runs), so that hundreds of VU threads load one small
 * file instead of each compiling TypeScript.
 */
const workerFiles = new Map<string, Promise<string>>();
export function workerFile(name: 'k6-vu' | 'k6-pool'): Promise<string> {
  let file = workerFiles.get(name);
  if (!file) {
    file = bundleWorker(name);
    workerFiles.set(name, file);
  }
  return file;
}

async function bundleWorker(name: string): Promise<string> {
  const bundled = fileURLToPath(new URL(`../workers/${name}.js`, import.meta.url));
  if (existsSync(bundled)) return bundled;
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`../../workers/${name}.ts`, import.meta.url))],
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
    // CommonJS dependencies (undici in the pool worker) call require(); ESM output needs one in scope.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  const code = result.outputFiles[0]!.text;
  const file = join(
    tmpdir(),
    `scalegate-${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`,
  );
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}.tmp`;
    await writeFile(partial, code);
    await rename(partial, file);
  }
  return file;
}

/** The entry of a thread-per-VU worker (k6-vu.ts). */
export const vuWorkerFile = (): Promise<string> => workerFile('k6-vu');

/**
 * How long an interrupted VU may take to stop by itself before its thread is terminated: VU code stops at once in a
 * sleep, an HTTP call or an await; only code busy on the CPU needs the hard stop.
 */
export const interruptGraceMs = 250;

/**
 * What a VU thread starts with: a plain JavaScript entry, so no loader hooks such as tsx are inherited (slow start,
 * memory per VU), and a small young generation (memory per VU).
 */
export const vuThreadOptions = { execArgv: [] as string[], resourceLimits: { maxYoungGenerationSizeMb: 4 } };

/** How executors and TestRun drive a VU, whether it has a thread of its own (ThreadVu) or lives in a pool. */
export interface VuHandle {
  readonly id: number;
  busy: boolean;
  hasSetupData: boolean;
  exited: boolean;
  whenReady(): Promise<ReadyInfo>;
  iterate(
    frame: IterateFrame & { scenario: ScenarioState },
    onIterationError?: (error: string) => void,
  ): Promise<VuResult>;
  call(fn: 'setup' | 'teardown' | 'handleSummary', arg?: string): Promise<VuResult>;
  interrupt(): void;
  terminate(): Promise<void>;
}

/** A frame that starts a busy period of the VU: an iteration (or standing order) or a call. */
export type StartFrame = IterateFrame | Extract<ToVu, { type: 'call' }>;

/**
 * What both kinds of VU handle share: one call at a time, its outcome, iterate frames without a repeated scenario,
 * and k6's hard stop (ask the VU to stop, then force it after the grace period).
 */
export abstract class VuCalls implements VuHandle {
  protected pending: ((result: VuResult) => void) | undefined;
  protected ready!: Promise<ReadyInfo>;
  /** The scenario of the VU's previous iteration: iterate frames carry it only when it changes. */
  protected lastScenario: ScenarioState | undefined;
  protected onIterationError: ((error: string) => void) | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  busy = false;
  hasSetupData = false;
  exited = false;

  constructor(readonly id: number) {}

  whenReady(): Promise<ReadyInfo> {
    return this.ready;
  }

  /** Hands the frame to the VU (which answers with its outcome). */
  protected abstract deliver(frame: StartFrame): void;
  /** Asks the VU to stop its running call at its next await. */
  protected abstract askToStop(): void;
  /** Stops a VU that did not stop by itself (busy on the CPU) by replacing its thread. */
  protected abstract forceStop(): void;

  protected finishPending(result: VuResult): void {
    const resolveDone = this.pending;
    this.pending = undefined;
    clearTimeout(this.killTimer);
    this.busy = false;
    resolveDone?.(result);
  }

  private async send(frame: StartFrame): Promise<VuResult> {
    if (this.exited) return { outcome: 'interrupted' };
    // Resolved at once, except for a VU whose thread is being replaced.
    try {
      await this.ready;
    } catch (error) {
      return { outcome: 'full', error: (error as Error).message };
    }
    this.busy = true;
    return new Promise((resolveDone) => {
      this.pending = resolveDone;
      this.deliver(frame);
    });
  }

  /**
   * Runs one iteration, or with `frame.repeat` a standing order of iterations: `onIterationError` then hears of
   * every completed iteration that threw, and the result is the interrupted or aborted iteration that ended the
   * order, or an empty full one when its time was up.
   */
  iterate(
    frame: IterateFrame & { scenario: ScenarioState },
    onIterationError?: (error: string) => void,
  ): Promise<VuResult> {
    const same =
      this.lastScenario?.name === frame.scenario.name &&
      this.lastScenario.startTime === frame.scenario.startTime;
    this.lastScenario = frame.scenario;
    this.onIterationError = onIterationError;
    if (!same) return this.send(frame);
    const { scenario: _, ...rest } = frame;
    return this.send(rest);
  }

  call(fn: 'setup' | 'teardown' | 'handleSummary', arg?: string): Promise<VuResult> {
    this.lastScenario = undefined;
    return this.send({ type: 'call', fn, ...(arg === undefined ? {} : { arg }) });
  }

  /**
   * k6's hard stop of an iteration: VU code stops at its next sleep, HTTP call or await; code that never yields is
   * stopped by replacing its thread (a fresh one serves the VU's next call).
   */
  interrupt(): void {
    if (!this.busy) return;
    this.askToStop();
    clearTimeout(this.killTimer);
    this.killTimer = setTimeout(() => {
      if (this.busy && !this.exited) this.forceStop();
    }, interruptGraceMs);
  }

  async terminate(): Promise<void> {
    this.exited = true;
    clearTimeout(this.killTimer);
  }
}

export class ThreadVu extends VuCalls {
  private worker!: Worker;
  private channel!: EngineChannel;
  private readonly receiver = () => this.receive();
  /** Request ids of an interrupted iteration, whose late answers must not wake the next one. */
  private generation = 0;
  /** Set while the thread is terminated to stop a busy iteration: a fresh one replaces it. */
  private killed = false;

  constructor(
    id: number,
    private readonly workerFile: string,
    private readonly code: string,
    private readonly scriptPath: string,
    private readonly env: Record<string, string>,
    private readonly hooks: VuHooks,
  ) {
    super(id);
    this.start();
  }

  /** Starts the VU's thread and evaluates its init context. */
  private start(): void {
    const toVu = new MessageChannel();
    const fromVu = new MessageChannel();
    const replies = new MessageChannel();
    const control = createControlBuffer();
    this.channel = new EngineChannel(control, toVu.port2, fromVu.port2, replies.port2);
    const data: VuWorkerData = {
      vuId: this.id,
      code: this.code,
      scriptPath: this.scriptPath,
      env: this.env,
      control,
      bell: doorbell.buffer,
      toVuPort: toVu.port1,
      fromVuPort: fromVu.port1,
      asyncPort: replies.port1,
      packagesFrom: import.meta.url,
    };
    const worker = new Worker(this.workerFile, {
      workerData: data,
      transferList: [toVu.port1, fromVu.port1, replies.port1],
      ...vuThreadOptions,
      stdout: false,
      stderr: false,
    });
    this.worker = worker;
    this.killed = false;
    this.hasSetupData = false;
    this.lastScenario = undefined;
    doorbell.add(this.receiver);
    this.ready = new Promise((resolveReady, rejectReady) => {
      worker.on('message', (message: FromVuInit) => {
        if (message.type === 'ready') resolveReady(message);
        else if (message.type === 'init-error') rejectReady(new Error(message.message));
        else this.event(message);
      });
      worker.on('error', (error) => {
        rejectReady(error);
        this.finishPending({ outcome: 'full', error: error.stack ?? String(error) });
      });
      worker.on('exit', () => {
        doorbell.delete(this.receiver);
        rejectReady(new Error(`VU ${this.id} exited during init`));
        this.finishPending({ outcome: 'interrupted' });
        // A VU whose busy iteration was stopped gets a fresh thread at once, so that its next frame is built for
        // it (setup data, scenario) as for a new VU.
        if (this.killed && !this.exited) this.start();
        else this.exited = true;
      });
    });
    this.ready.catch(() => undefined);
  }

  private event(event: VuEvent): void {
    if (event.type === 'log') this.hooks.onLog(event.level, event.message, this.id);
    else this.hooks.onTestFail(event.message);
  }

  private receive(): void {
    const frame = this.channel.receive<FromVu>();
    if (!frame) return;
    for (const event of frame.events ?? []) this.event(event);
    // A record is an iteration that ended: it rides on the VU's next frame, so before that frame's requests.
    for (const record of frame.records ?? []) {
      this.hooks.http.iterationEnded(this.id);
      this.hooks.onSamples(record.samples);
      if (record.error) this.onIterationError?.(record.error);
    }
    if (frame.type === 'records') return;
    if (frame.type === 'http') {
      void this.answer(frame.id, frame.requests, frame.async === true);
      return;
    }
    this.hooks.http.iterationEnded(this.id);
    this.hooks.onSamples(frame.samples);
    this.onIterationError = undefined;
    this.finishPending({
      outcome: frame.outcome,
      ...(frame.error ? { error: frame.error } : {}),
      ...(frame.abortMessage ? { abortMessage: frame.abortMessage } : {}),
      ...(frame.result !== undefined ? { result: frame.result } : {}),
    });
  }

  /** Performs the VU's requests; a blocking call gets its answer in the frame slot, an async one on its port. */
  private async answer(id: number, requests: HttpRequestSpec[], async: boolean): Promise<void> {
    const generation = this.generation;
    const channel = this.channel;
    const responses = await this.hooks.http.performAll(requests, this.id);
    if (channel !== this.channel || this.exited) return;
    const wire = responses.map((r, i) => toWire(requests[i]!, r));
    if (async) {
      channel.reply({ id, responses: wire });
      return;
    }
    if (generation !== this.generation) return;
    channel.send(
      { type: 'http-reply', id, responses: wire } satisfies ToVu,
      responses.some((r) => r.body instanceof ArrayBuffer),
    );
  }

  /** A standing order carries the scenario's shared counter, which only a port message can share. */
  protected deliver(frame: StartFrame): void {
    this.channel.send(frame, frame.type === 'iterate' && frame.repeat !== undefined, true);
  }

  protected askToStop(): void {
    this.generation++;
    this.channel.interrupt();
  }

  protected forceStop(): void {
    this.killed = true;
    void this.worker.terminate();
  }

  override async terminate(): Promise<void> {
    await super.terminate();
    doorbell.delete(this.receiver);
    await this.worker.terminate();
  }
}
