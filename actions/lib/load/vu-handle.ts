/**
 * The engine's side of one VU worker thread: starts it, relays its HTTP requests to HttpIo, answers through the
 * response port plus the shared control word, and turns its messages into iteration outcomes and samples.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { HttpIo } from './http-io.js';
import type { Sample } from './metrics.js';
import {
  CONTROL_IDLE,
  CONTROL_INTERRUPTED,
  CONTROL_RESPONSE_READY,
  type FromVu,
  type IterationOutcome,
  type ToVu,
  type VuWorkerData,
} from './protocol.js';

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

export type ReadyInfo = Extract<FromVu, { type: 'ready' }>;

/**
 * The VU worker entry as plain JavaScript: next to the bundled action (dist/workers/k6-vu.js), or, when running
 * from the TypeScript sources (CLI, tests), bundled once per process from actions/lib/workers/k6-vu.ts into a file
 * named by its content hash in the temporary folder (reused by later runs), so that hundreds of VU threads load one
 * small file instead of each compiling TypeScript.
 */
let workerFile: Promise<string> | undefined;
export function vuWorkerFile(): Promise<string> {
  workerFile ??= (async () => {
    const bundled = fileURLToPath(new URL('../workers/k6-vu.js', import.meta.url));
    if (existsSync(bundled)) return bundled;
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../workers/k6-vu.ts', import.meta.url))],
      bundle: true,
      write: false,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      logLevel: 'warning',
    });
    const code = result.outputFiles[0]!.text;
    const file = join(
      tmpdir(),
      `scalegate-k6-vu-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`,
    );
    if (!existsSync(file)) {
      const partial = `${file}.${process.pid}.tmp`;
      await writeFile(partial, code);
      await rename(partial, file);
    }
    return file;
  })();
  return workerFile;
}

export class VuHandle {
  readonly control = new Int32Array(new SharedArrayBuffer(4));
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private pending: ((result: VuResult) => void) | undefined;
  private ready: Promise<ReadyInfo>;
  /** Request ids of an interrupted iteration, whose late answers must not wake the next one. */
  private generation = 0;
  busy = false;
  hasSetupData = false;
  exited = false;

  constructor(
    readonly id: number,
    workerFile: string,
    code: string,
    scriptPath: string,
    env: Record<string, string>,
    private readonly hooks: VuHooks,
  ) {
    const channel = new MessageChannel();
    this.port = channel.port2;
    const data: VuWorkerData = {
      vuId: id,
      code,
      scriptPath,
      env,
      control: this.control.buffer as SharedArrayBuffer,
      responsePort: channel.port1,
    };
    this.worker = new Worker(workerFile, {
      workerData: data,
      transferList: [channel.port1],
      // The entry is plain JavaScript: do not inherit loader hooks such as tsx (slow start, memory per VU).
      execArgv: [],
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    this.ready = new Promise((resolveReady, rejectReady) => {
      this.worker.on('message', (message: FromVu) => {
        switch (message.type) {
          case 'ready':
            resolveReady(message);
            break;
          case 'init-error':
            rejectReady(new Error(message.message));
            break;
          case 'http':
            void this.answer(message.id, message.requests);
            break;
          case 'log':
            hooks.onLog(message.level, message.message, id);
            break;
          case 'test-fail':
            hooks.onTestFail(message.message);
            break;
          case 'done': {
            hooks.onSamples(message.samples);
            const resolveDone = this.pending;
            this.pending = undefined;
            this.busy = false;
            resolveDone?.({
              outcome: message.outcome,
              ...(message.error ? { error: message.error } : {}),
              ...(message.abortMessage ? { abortMessage: message.abortMessage } : {}),
              ...(message.result !== undefined ? { result: message.result } : {}),
            });
            break;
          }
        }
      });
      this.worker.on('error', (error) => {
        rejectReady(error);
        this.finishPending({ outcome: 'full', error: error.stack ?? String(error) });
      });
      this.worker.on('exit', () => {
        this.exited = true;
        rejectReady(new Error(`VU ${id} exited during init`));
        this.finishPending({ outcome: 'interrupted' });
      });
    });
    this.ready.catch(() => undefined);
  }

  whenReady(): Promise<ReadyInfo> {
    return this.ready;
  }

  private finishPending(result: VuResult): void {
    const resolveDone = this.pending;
    this.pending = undefined;
    this.busy = false;
    resolveDone?.(result);
  }

  private async answer(id: number, requests: Parameters<HttpIo['perform']>[0][]): Promise<void> {
    const generation = this.generation;
    const responses =
      requests.length === 1
        ? [await this.hooks.http.perform(requests[0]!)]
        : await Promise.all(requests.map((r) => this.hooks.http.perform(r)));
    if (generation !== this.generation || this.exited) return;
    this.port.postMessage({ id, responses });
    if (Atomics.compareExchange(this.control, 0, CONTROL_IDLE, CONTROL_RESPONSE_READY) === CONTROL_IDLE)
      Atomics.notify(this.control, 0);
  }

  private send(message: ToVu): Promise<VuResult> {
    if (this.exited) return Promise.resolve({ outcome: 'interrupted' });
    this.busy = true;
    Atomics.store(this.control, 0, CONTROL_IDLE);
    return new Promise((resolveDone) => {
      this.pending = resolveDone;
      this.worker.postMessage(message);
    });
  }

  iterate(message: Extract<ToVu, { type: 'iterate' }>): Promise<VuResult> {
    return this.send(message);
  }

  call(fn: 'setup' | 'teardown' | 'handleSummary', arg?: string): Promise<VuResult> {
    return this.send({ type: 'call', fn, ...(arg === undefined ? {} : { arg }) });
  }

  /** Stops the running iteration at its next sleep or HTTP call (k6's hard stop of an iteration). */
  interrupt(): void {
    if (!this.busy) return;
    this.generation++;
    Atomics.store(this.control, 0, CONTROL_INTERRUPTED);
    Atomics.notify(this.control, 0);
  }

  async terminate(): Promise<void> {
    this.exited = true;
    await this.worker.terminate();
  }
}
