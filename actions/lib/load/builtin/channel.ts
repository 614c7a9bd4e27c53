/**
 * Shared-memory frames between the engine (main thread) and one VU worker, so that an HTTP call costs one wake-up
 * each way instead of structured-clone messages and event-loop turns. Each direction has one frame slot: the writer
 * puts JSON text into its area, stores the length and raises its "ready" word; a frame that does not fit, or that
 * carries binary data, travels as a message on a port that the reader drains synchronously (receiveMessageOnPort).
 * The VU blocks on the `signal` word (Atomics.wait) in synchronous calls, and waits on it with Atomics.waitAsync
 * while its event loop runs (idle, or awaiting in async VU code); the main thread is woken through one process-wide
 * doorbell (Atomics.waitAsync) that every VU rings, so one wake-up can serve many VUs under load. Answers to async
 * requests may come several at once: they queue on a port of their own, and a bump of `signal` tells the VU.
 */
import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';

/** Int32 word indexes of the control header. */
const SIGNAL = 0;
const TO_VU_READY = 1;
const INTERRUPTED = 2;
const FROM_VU_READY = 3;
const TO_VU_LENGTH = 4;
const FROM_VU_LENGTH = 5;
const HEADER_BYTES = 32;
const AREA_BYTES = 64 * 1024;
const VIA_PORT = -1;

/** Doorbell words: a ring counter, and whether the main thread is waiting on it. */
const RINGS = 0;
const SLEEPING = 1;

/** Atomics.waitAsync (V8, Node ≥ 16); the project's TypeScript lib predates its typing. */
export const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

export function createControlBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + 2 * AREA_BYTES);
}

export function createBellBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(8);
}

function writeFrame(area: Buffer, port: MessagePort, value: unknown, binary: boolean): number {
  if (!binary) {
    const text = JSON.stringify(value);
    if (text.length * 3 <= AREA_BYTES || Buffer.byteLength(text) <= AREA_BYTES) return area.write(text, 0);
  }
  port.postMessage(value);
  return VIA_PORT;
}

function readFrame<T>(area: Buffer, port: MessagePort, length: number): T {
  if (length !== VIA_PORT) return JSON.parse(area.toString('utf8', 0, length)) as T;
  return receiveMessageOnPort(port)!.message as T;
}

/** Rings the doorbell: one counter bump, and a notify only when the main thread sleeps on it. */
export function ring(bell: Int32Array): void {
  Atomics.add(bell, RINGS, 1);
  if (Atomics.load(bell, SLEEPING) === 1) Atomics.notify(bell, RINGS);
}

/** What both ends see of a channel: the control words, the two frame areas and the three ports. */
abstract class ChannelEnd {
  protected readonly words: Int32Array;
  protected readonly toVu: Buffer;
  protected readonly fromVu: Buffer;

  constructor(
    control: SharedArrayBuffer,
    protected readonly toVuPort: MessagePort,
    protected readonly fromVuPort: MessagePort,
    protected readonly asyncPort: MessagePort,
  ) {
    this.words = new Int32Array(control, 0, HEADER_BYTES / 4);
    this.toVu = Buffer.from(control, HEADER_BYTES, AREA_BYTES);
    this.fromVu = Buffer.from(control, HEADER_BYTES + AREA_BYTES, AREA_BYTES);
  }
}

/** The engine's end of a VU channel. */
export class EngineChannel extends ChannelEnd {
  /** Queues the answer to an async request; any number may be pending. */
  reply(value: unknown): void {
    this.asyncPort.postMessage(value);
    this.wake();
  }

  private wake(): void {
    Atomics.add(this.words, SIGNAL, 1);
    Atomics.notify(this.words, SIGNAL);
  }

  /** Sends a frame; `clearInterrupt` starts a new busy period (a fresh iteration or call). */
  send(value: unknown, binary = false, clearInterrupt = false): void {
    if (clearInterrupt) Atomics.store(this.words, INTERRUPTED, 0);
    Atomics.store(this.words, TO_VU_LENGTH, writeFrame(this.toVu, this.toVuPort, value, binary));
    Atomics.store(this.words, TO_VU_READY, 1);
    this.wake();
  }

  interrupt(): void {
    Atomics.store(this.words, INTERRUPTED, 1);
    this.wake();
  }

  /** The VU's pending frame, if any (consumed). */
  receive<T>(): T | undefined {
    if (Atomics.load(this.words, FROM_VU_READY) !== 1) return undefined;
    const value = readFrame<T>(this.fromVu, this.fromVuPort, Atomics.load(this.words, FROM_VU_LENGTH));
    Atomics.store(this.words, FROM_VU_READY, 0);
    return value;
  }
}

/** Thrown out of a VU's blocking wait when the engine interrupted the current iteration. */
export class ChannelInterrupted extends Error {}

/** The VU worker's end of its channel. */
export class VuChannel extends ChannelEnd {
  private readonly bell: Int32Array;

  constructor(
    control: SharedArrayBuffer,
    bell: SharedArrayBuffer,
    toVuPort: MessagePort,
    fromVuPort: MessagePort,
    asyncPort: MessagePort,
  ) {
    super(control, toVuPort, fromVuPort, asyncPort);
    this.bell = new Int32Array(bell);
  }

  get interrupted(): boolean {
    return Atomics.load(this.words, INTERRUPTED) === 1;
  }

  /** The wake-up counter: read it before checking for work, then `changed(seen)` cannot miss a wake-up. */
  get seen(): number {
    return Atomics.load(this.words, SIGNAL);
  }

  /** Resolves once the engine woke this VU after `seen` was read, letting the VU's event loop run meanwhile. */
  async changed(seen: number): Promise<void> {
    const waiting = waitAsync(this.words, SIGNAL, seen);
    if (waiting.async) await waiting.value;
  }

  /** Answers to async requests received so far. */
  *replies<T>(): Generator<T> {
    for (let next = receiveMessageOnPort(this.asyncPort); next; next = receiveMessageOnPort(this.asyncPort))
      yield next.message as T;
  }

  /** The engine's pending frame, if any, without waiting. */
  take<T>(): T | undefined {
    if (Atomics.load(this.words, TO_VU_READY) !== 1) return undefined;
    const value = readFrame<T>(this.toVu, this.toVuPort, Atomics.load(this.words, TO_VU_LENGTH));
    Atomics.store(this.words, TO_VU_READY, 0);
    return value;
  }

  send(value: unknown, binary = false): void {
    // The slot is free except right after an interrupted request the engine has not picked up yet.
    while (Atomics.load(this.words, FROM_VU_READY) === 1)
      Atomics.wait(this.words, SIGNAL, Atomics.load(this.words, SIGNAL), 1);
    Atomics.store(this.words, FROM_VU_LENGTH, writeFrame(this.fromVu, this.fromVuPort, value, binary));
    Atomics.store(this.words, FROM_VU_READY, 1);
    ring(this.bell);
  }

  /**
   * Blocks until the engine sends a frame. With `interruptible`, throws ChannelInterrupted once the iteration is
   * interrupted; `timeoutMs` bounds the wait (undefined is returned when it passes).
   */
  wait<T>(interruptible: boolean, timeoutMs = Number.POSITIVE_INFINITY): T | undefined {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const signal = Atomics.load(this.words, SIGNAL);
      if (interruptible && Atomics.load(this.words, INTERRUPTED) === 1) throw new ChannelInterrupted();
      const value = this.take<T>();
      if (value !== undefined) return value;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return undefined;
      Atomics.wait(
        this.words,
        SIGNAL,
        signal,
        remaining === Number.POSITIVE_INFINITY ? undefined : remaining,
      );
    }
  }
}

/**
 * The main thread's single waiter on the doorbell: while channels are registered, each ring drains every channel
 * that has a frame pending.
 */
export class Doorbell {
  readonly buffer = createBellBuffer();
  private readonly bell = new Int32Array(this.buffer);
  private readonly receivers = new Set<() => void>();
  private listening = false;

  add(receiver: () => void): void {
    this.receivers.add(receiver);
    if (!this.listening) void this.listen();
  }

  delete(receiver: () => void): void {
    this.receivers.delete(receiver);
    // Wake the waiter so that it notices it has nothing left to listen for.
    if (this.receivers.size === 0) ring(this.bell);
  }

  private async listen(): Promise<void> {
    this.listening = true;
    try {
      while (this.receivers.size > 0) {
        const seen = Atomics.load(this.bell, RINGS);
        for (const receive of this.receivers) receive();
        Atomics.store(this.bell, SLEEPING, 1);
        const waiting = waitAsync(this.bell, RINGS, seen);
        if (waiting.async) await waiting.value;
        Atomics.store(this.bell, SLEEPING, 0);
      }
    } finally {
      this.listening = false;
    }
  }
}
