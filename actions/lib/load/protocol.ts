/**
 * Messages between the engine (main thread: scheduler, HTTP I/O, metrics) and its VU worker threads. A VU blocks on
 * Atomics.wait over `control` while the main thread performs its HTTP requests; the main thread posts the response
 * on the VU's response port, then flips control[0] to RESPONSE_READY and notifies.
 */
import type { MessagePort } from 'node:worker_threads';
import type { MetricDefinition, Sample, Tags } from './metrics.js';

export const CONTROL_IDLE = 0;
export const CONTROL_RESPONSE_READY = 1;
export const CONTROL_INTERRUPTED = 2;

/** Statuses a response callback accepts: single codes and inclusive ranges. */
export interface ExpectedStatuses {
  codes: number[];
  ranges: { min: number; max: number }[];
}

export interface HttpRequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array | null;
  timeoutMs: number;
  redirects: number;
  responseType: 'text' | 'binary' | 'none';
  /** Sample tags: VU/scenario/group tags plus the request's own `tags`. */
  tags: Tags;
  /** null = no response callback (http_req_failed not emitted). */
  expected: ExpectedStatuses | null;
}

export interface HttpTimings {
  duration: number;
  blocked: number;
  looking_up: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
}

export interface HttpResponseData {
  status: number;
  status_text: string;
  proto: string;
  url: string;
  headers: Record<string, string>;
  body: string | ArrayBuffer | null;
  timings: HttpTimings;
  error: string;
  error_code: number;
  remote_ip: string;
  remote_port: number;
  request: { method: string; url: string; headers: Record<string, string[]>; body: string };
}

export interface VuWorkerData {
  vuId: number;
  code: string;
  scriptPath: string;
  env: Record<string, string>;
  control: SharedArrayBuffer;
  responsePort: MessagePort;
}

export interface ScenarioState {
  name: string;
  executor: string;
  exec: string;
  env: Record<string, string>;
  tags: Tags;
  startTime: number;
}

export type ToVu =
  | {
      type: 'iterate';
      scenario: ScenarioState;
      iterationInScenario: number;
      iterationInTest: number;
      progress: number;
      testStartTime: number;
      vusActive: number;
      vusInitialized: number;
      /** JSON of setup()'s result, sent with a VU's first iteration only. */
      setupData?: string;
    }
  | { type: 'call'; fn: 'setup' | 'teardown' | 'handleSummary'; arg?: string };

export type IterationOutcome = 'full' | 'interrupted' | 'aborted';

export type FromVu =
  | {
      type: 'ready';
      exports: string[];
      options: Record<string, unknown>;
      metrics: MetricDefinition[];
    }
  | { type: 'init-error'; message: string }
  | { type: 'http'; id: number; requests: HttpRequestSpec[] }
  | {
      type: 'done';
      samples: Sample[];
      outcome: IterationOutcome;
      /** Uncaught exception of the iteration or call (logged; a thrown iteration still counts). */
      error?: string;
      abortMessage?: string;
      /** JSON result of a `call` (setup data; handleSummary's output map). */
      result?: string;
    }
  | { type: 'log'; level: string; message: string }
  | { type: 'test-fail'; message: string };
