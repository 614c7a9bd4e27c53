/**
 * Frames between the engine (main thread: scheduler, HTTP I/O, metrics) and its VU worker threads, carried by the
 * shared-memory channel of channel.ts. A VU blocks on Atomics.wait while the main thread performs its HTTP requests.
 */
import type { MessagePort } from 'node:worker_threads';
import type { MetricDefinition, Sample, Tags } from '../metrics.js';
import type { WireResponse } from './wire.js';

/** Statuses a response callback accepts: single codes and inclusive ranges. */
export interface ExpectedStatuses {
  codes: number[];
  ranges: { min: number; max: number }[];
}

export interface HttpRequestSpec {
  method: string;
  url: string;
  /** `auth: 'digest'`: the URL's credentials, answered to the server's challenge instead of sent as Basic. */
  digest?: { username: string; password: string };
  /** `auth: 'ntlm'`: the URL's credentials, for an NTLM handshake instead of Basic. */
  ntlm?: { username: string; password: string };
  /** The URL as metric tags show it, when it differs (credentials masked). */
  shownUrl?: string;
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
  /** The TLS version of an https connection (`tls1.3`). */
  tls_version?: string;
  /** Every Set-Cookie header of the response and of the redirects before it, with the URL that set it. */
  setCookies?: [url: string, header: string][];
}

export interface VuWorkerData {
  vuId: number;
  /** The bundled script as an ES module (see bundle.ts). */
  code: string;
  scriptPath: string;
  env: Record<string, string>;
  /** The VU channel's control words and frame areas (see channel.ts). */
  control: SharedArrayBuffer;
  bell: SharedArrayBuffer;
  toVuPort: MessagePort;
  fromVuPort: MessagePort;
  /** Answers to async requests (http.asyncRequest): `{ id, responses }`. */
  asyncPort: MessagePort;
  /** A file URL of the engine: packages VU code loads on demand are resolved from there. */
  packagesFrom: string;
}

export interface ScenarioState {
  name: string;
  executor: string;
  exec: string;
  env: Record<string, string>;
  tags: Tags;
  startTime: number;
}

export interface IterateFrame {
  type: 'iterate';
  /** Sent when it differs from the VU's previous iteration only. */
  scenario?: ScenarioState;
  iterationInScenario: number;
  iterationInTest: number;
  progress: number;
  testStartTime: number;
  vusActive: number;
  vusInitialized: number;
  /** JSON of setup()'s result, sent with a VU's first iteration only. */
  setupData?: string;
  /**
   * A standing order (constant-vus): the VU starts iteration after iteration by itself until `until` (epoch ms) or
   * until interrupted, taking iterationInTest from the scenario's shared counter, and reports each completed
   * iteration with its next frame; the order ends with a `done` frame.
   */
  repeat?: { until: number; counter: SharedArrayBuffer; start: number; durationMs: number };
}

/** One completed iteration of a standing order. */
export interface IterationRecord {
  samples: Sample[];
  error?: string;
}

export type ToVu =
  | IterateFrame
  | { type: 'call'; fn: 'setup' | 'teardown' | 'handleSummary'; arg?: string }
  | { type: 'http-reply'; id: number; responses: WireResponse[] };

export type IterationOutcome = 'full' | 'interrupted' | 'aborted';

/** Console output and exec.test.fail() of VU code, delivered with the VU's next frame. */
export type VuEvent =
  | { type: 'log'; level: string; message: string }
  | { type: 'test-fail'; message: string };

export type FromVu =
  | {
      type: 'http';
      id: number;
      requests: HttpRequestSpec[];
      /** Answer on the async port: the VU's event loop goes on meanwhile. */
      async?: true;
      events?: VuEvent[];
      records?: IterationRecord[];
    }
  | { type: 'records'; events?: VuEvent[]; records?: IterationRecord[] }
  | {
      type: 'done';
      samples: Sample[];
      outcome: IterationOutcome;
      /** Uncaught exception of the iteration or call (logged; a thrown iteration still counts). */
      error?: string;
      abortMessage?: string;
      /** JSON result of a `call` (setup data; handleSummary's output map). */
      result?: string;
      events?: VuEvent[];
      records?: IterationRecord[];
    };

/** Messages on the worker's parentPort, during the init context only. */
export type FromVuInit =
  | {
      type: 'ready';
      exports: string[];
      options: Record<string, unknown>;
      metrics: MetricDefinition[];
    }
  | { type: 'init-error'; message: string }
  | VuEvent;
