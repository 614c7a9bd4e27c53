/**
 * The per-VU state kept while running a k6 script: the phase (init or VU code), current tags and group, buffered
 * samples and events (VuBase), and how the VU reaches HTTP: a VU thread calls into the main thread synchronously
 * over its VU channel (VuState); a pooled VU (pooled-state.ts) does HTTP in its worker and its blocking k6 calls
 * return Promises.
 */
import { parentPort } from 'node:worker_threads';
import type { MetricDefinition, Sample, Tags } from '../../metrics.js';
import { ChannelInterrupted, type VuChannel } from '../channel.js';
import type {
  FromVu,
  HttpRequestSpec,
  HttpResponseData,
  IterationRecord,
  ScenarioState,
  ToVu,
  VuEvent,
} from '../protocol.js';
import { fromWire, type WireResponse } from '../wire.js';
import { EventLoop } from './event-loop.js';

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

/** What every VU keeps, whichever way it reaches HTTP; the k6 modules are built on it. */
export abstract class VuBase {
  /** Pooled VUs: the blocking k6 calls (http.get…, sleep, group) return Promises (the script awaits them). */
  abstract readonly pooled: boolean;
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
  readonly loop = new EventLoop();
  /**
   * Builtins of VU code's realm: randomSeed replaces its Math.random; http.asyncRequest answers with its Promise,
   * so that a rejection nobody handles is charged to this VU.
   */
  realm: { Math: Math; Promise: PromiseConstructor } = { Math, Promise };

  constructor(readonly vuId: number) {}

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

  /** Console output and exec.test.fail() of VU code, on their way to the engine. */
  abstract post(event: VuEvent): void;

  /** Blocks until the engine answered the HTTP requests (in order), or throws InterruptError (threads only). */
  abstract http(requests: HttpRequestSpec[]): HttpResponseData[];

  /** Sends requests without blocking: the promise settles with their answers (http.asyncRequest). */
  abstract httpAsync(requests: HttpRequestSpec[]): Promise<HttpResponseData[]>;

  /** k6 `sleep`: blocks this VU only; interruptible. A pooled VU's sleep is a Promise on its event loop. */
  abstract sleep(ms: number): void | Promise<void>;

  /** Forgets everything the current call waited for: its timers and async requests. */
  abstract dropPending(): void;
}

/** A VU on its own worker thread: HTTP is a synchronous call into the main thread over the VU channel. */
export class VuState extends VuBase {
  readonly pooled = false;
  private requestId = 0;
  /** Async requests awaiting their answers, by request id. */
  private readonly inFlight = new Map<
    number,
    { requests: HttpRequestSpec[]; resolve: (responses: HttpResponseData[]) => void; release: () => void }
  >();

  /** Events of VU code, sent with the next frame (in order with the iteration that produced them). */
  private events: VuEvent[] = [];
  /** Completed iterations of a standing order not reported yet: they ride on the VU's next frame. */
  records: IterationRecord[] = [];
  /** When the VU last sent a frame (performance.now()). */
  lastSentAt = 0;

  constructor(
    vuId: number,
    readonly channel: VuChannel,
  ) {
    super(vuId);
  }

  /** Console output and test-fail: straight to the engine during init, else with the next frame. */
  post(event: VuEvent): void {
    if (this.phase === 'init') parentPort!.postMessage(event);
    else this.events.push(event);
  }

  /** Sends a frame to the engine, with the events buffered so far. */
  send(frame: FromVu, binary = false): void {
    if (this.events.length > 0) {
      frame.events = this.events;
      this.events = [];
    }
    if (this.records.length > 0) {
      frame.records = this.records;
      this.records = [];
    }
    this.channel.send(frame, binary);
    this.lastSentAt = performance.now();
  }

  /**
   * Sends the completed iterations not reported yet on their own, before the VU waits (sleep, an await): no frame
   * they could ride on leaves while it waits, and the engine's figures must not lag behind by the wait.
   */
  flushRecords(): void {
    if (this.records.length > 0) this.send({ type: 'records' });
  }

  /** Set during the warm-up dry run only (warm-up.ts): requests are answered in the thread, nothing is sent. */
  answerLocally: ((requests: HttpRequestSpec[]) => HttpResponseData[]) | undefined;

  http(requests: HttpRequestSpec[]): HttpResponseData[] {
    if (this.answerLocally) return this.answerLocally(requests);
    const id = ++this.requestId;
    this.send(
      { type: 'http', id, requests },
      requests.some((r) => r.body instanceof Uint8Array),
    );
    try {
      for (;;) {
        const reply = this.channel.wait<ToVu>(true);
        if (reply?.type === 'http-reply' && reply.id === id)
          return reply.responses.map((r, i) => fromWire(requests[i]!, r));
      }
    } catch (error) {
      if (error instanceof ChannelInterrupted) throw new InterruptError();
      throw error;
    }
  }

  httpAsync(requests: HttpRequestSpec[]): Promise<HttpResponseData[]> {
    const id = ++this.requestId;
    return new Promise((resolve) => {
      this.inFlight.set(id, { requests, resolve, release: this.loop.hold() });
      this.send(
        { type: 'http', id, requests, async: true },
        requests.some((r) => r.body instanceof Uint8Array),
      );
    });
  }

  /** Hands the answers received so far to their async requests. */
  deliverReplies(): void {
    for (const reply of this.channel.replies<{ id: number; responses: WireResponse[] }>()) {
      const waiting = this.inFlight.get(reply.id);
      // Answers to requests of an interrupted call are dropped.
      if (!waiting) continue;
      this.inFlight.delete(reply.id);
      waiting.resolve(reply.responses.map((r, i) => fromWire(waiting.requests[i]!, r)));
      waiting.release();
    }
  }

  dropPending(): void {
    this.inFlight.clear();
    this.loop.reset();
  }

  sleep(ms: number): void {
    this.flushRecords();
    const deadline = performance.now() + ms;
    try {
      for (let left = ms; left > 0; left = deadline - performance.now()) this.channel.wait(true, left);
    } catch (error) {
      if (error instanceof ChannelInterrupted) throw new InterruptError();
      throw error;
    }
    if (this.channel.interrupted) throw new InterruptError();
  }
}
