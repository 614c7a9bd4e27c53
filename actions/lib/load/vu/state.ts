/**
 * The per-VU state a worker thread keeps while running a k6 script: the phase (init or VU code), current tags and
 * group, buffered samples, and the synchronous call into the main thread (Atomics.wait on a shared control word).
 */
import { type MessagePort, parentPort, receiveMessageOnPort } from 'node:worker_threads';
import type { MetricDefinition, Sample, Tags } from '../metrics.js';
import {
  CONTROL_IDLE,
  CONTROL_INTERRUPTED,
  CONTROL_RESPONSE_READY,
  type FromVu,
  type HttpRequestSpec,
  type HttpResponseData,
  type ScenarioState,
} from '../protocol.js';

/** Thrown into VU code when the iteration is interrupted (gracefulStop/gracefulRampDown over, or test aborted). */
export class InterruptError extends Error {
  constructor() {
    super('iteration interrupted');
    this.name = 'InterruptError';
  }
}

/** `exec.test.abort()`: stops the whole test (exit code 108). */
export class AbortTestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AbortTestError';
  }
}

export class VuState {
  phase: 'init' | 'vu' = 'init';
  iteration = -1;
  iterationInScenario = 0;
  scenario: ScenarioState | undefined;
  groupPath = '';
  /** exec.vu.tags: user tags added to every sample of this VU. */
  readonly userTags: Tags = {};
  samples: Sample[] = [];
  readonly metricDefinitions: MetricDefinition[] = [];
  testStartTime = Date.now();
  iterationInTest = 0;
  progress = 0;
  vusActive = 0;
  vusInitialized = 0;
  iterationsCompleted = 0;
  iterationsInterrupted = 0;
  private requestId = 0;

  constructor(
    readonly vuId: number,
    private readonly control: Int32Array,
    private readonly responsePort: MessagePort,
  ) {}

  /** Tags of the current context (scenario, group, scenario tags, user tags). */
  tags(): Tags {
    const tags: Tags = { ...(this.scenario?.tags ?? {}), ...this.userTags, group: this.groupPath };
    if (this.scenario) tags.scenario = this.scenario.name;
    return tags;
  }

  emit(name: string, value: number, tags: Tags): void {
    this.samples.push([name, value, tags, Date.now()]);
  }

  requireVuContext(what: string): void {
    if (this.phase === 'init') throw new Error(`${what} is not available in the init context`);
  }

  post(message: FromVu): void {
    parentPort!.postMessage(message);
  }

  /** Blocks until the main thread answered the HTTP requests (in order), or throws InterruptError. */
  http(requests: HttpRequestSpec[]): HttpResponseData[] {
    const id = ++this.requestId;
    this.post({ type: 'http', id, requests });
    for (;;) {
      Atomics.wait(this.control, 0, CONTROL_IDLE);
      const state = Atomics.load(this.control, 0);
      if (state === CONTROL_INTERRUPTED) throw new InterruptError();
      if (state !== CONTROL_RESPONSE_READY) continue;
      Atomics.store(this.control, 0, CONTROL_IDLE);
      for (let m = receiveMessageOnPort(this.responsePort); m; m = receiveMessageOnPort(this.responsePort)) {
        const reply = m.message as { id: number; responses: HttpResponseData[] };
        if (reply.id === id) return reply.responses;
      }
    }
  }

  /** k6 `sleep`: blocks this VU only; interruptible. */
  sleep(ms: number): void {
    if (ms > 0) Atomics.wait(this.control, 0, CONTROL_IDLE, ms);
    if (Atomics.load(this.control, 0) === CONTROL_INTERRUPTED) throw new InterruptError();
  }

  /** Drops responses of requests an earlier, interrupted iteration left behind. */
  drainResponses(): void {
    while (receiveMessageOnPort(this.responsePort));
  }
}
