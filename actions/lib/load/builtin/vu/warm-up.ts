/**
 * A dry run of a VU's HTTP iteration path before the VU reports ready, as k6 has its VUs initialized before the
 * test clock starts: V8 compiles a thread's functions on their first call and a thread loads perf_hooks on its first
 * performance.now(), so a VU's first HTTP iteration cost ~2.1 ms of CPU against ~0.3 ms later (~1.1 ms after this
 * dry run); at t=0 of an arrival-rate scenario with 100 VUs that was ~200 ms of CPU on two cores, paid in dropped
 * iterations. The run uses the engine's code only, never the script's: a GET
 * through the VU's `k6/http` answered inside the thread (request spec, wire codec, Response) and a check. Nothing
 * leaves the thread: no request, no sample, no log, and the VU's state is as before.
 */
import type { HttpRequestSpec, HttpResponseData } from '../protocol.js';
import { failedResponse, fromWire, toWire } from '../wire.js';
import type { VuState } from './state.js';

/** What a dry run uses of the VU's modules. */
export interface WarmUpModules {
  k6: {
    check(value: unknown, sets: Record<string, (value: unknown) => boolean>): boolean;
    sleep(seconds: number): void | Promise<void>;
  };
  'k6/http': { request(method: string, url: string): unknown };
}

/** A 200 answer as the engine sends one, through the same codec (toWire → JSON → fromWire). */
function answer(spec: HttpRequestSpec): HttpResponseData {
  const response: HttpResponseData = {
    ...failedResponse(spec.method, spec.url, 0, ''),
    status: 200,
    status_text: '200 OK',
    proto: 'HTTP/1.1',
    body: spec.responseType === 'none' ? null : 'ok',
  };
  return fromWire(spec, JSON.parse(JSON.stringify(toWire(spec, response))));
}

/** `modules`: the VU's built-in modules (modules.ts). */
export function warmUp(vu: VuState, modules: Record<string, object>): void {
  const { k6, 'k6/http': http } = modules as unknown as WarmUpModules;
  const { phase, iteration, samples } = vu;
  vu.phase = 'vu';
  vu.samples = [];
  vu.answerLocally = (requests) => requests.map(answer);
  try {
    for (let i = 0; i < 2; i++) {
      const response = http.request('GET', 'http://127.0.0.1/');
      k6.check(response, { 'status is 200': (r) => (r as { status: number }).status === 200 });
    }
    // The sleep path without a wait: its first performance.now() loads the thread's perf_hooks (~1 ms).
    k6.sleep(0);
  } finally {
    vu.answerLocally = undefined;
    vu.phase = phase;
    vu.iteration = iteration;
    vu.samples = samples;
  }
}
