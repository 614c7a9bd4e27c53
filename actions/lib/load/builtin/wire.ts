/**
 * Compact form of an HTTP response on its way back to the VU: the request echo and final URL are left out when
 * the VU can rebuild them from its own request spec (no redirect was followed), and timings travel as an array.
 * Fewer keys mean cheaper JSON on both threads, which is most of the cost of a frame.
 */
import type { HttpRequestSpec, HttpResponseData, HttpTimings } from './protocol.js';

const timingNames = [
  'duration',
  'blocked',
  'looking_up',
  'connecting',
  'tls_handshaking',
  'sending',
  'waiting',
  'receiving',
] as const satisfies readonly (keyof HttpTimings)[];

export const zeroTimings: HttpTimings = {
  duration: 0,
  blocked: 0,
  looking_up: 0,
  connecting: 0,
  tls_handshaking: 0,
  sending: 0,
  waiting: 0,
  receiving: 0,
};

/** The response of a request that never got one (k6's status 0, with an error and its code). */
export function failedResponse(method: string, url: string, code: number, error: string): HttpResponseData {
  return {
    status: 0,
    status_text: '',
    proto: '',
    url,
    headers: {},
    body: null,
    timings: { ...zeroTimings },
    error,
    error_code: code,
    remote_ip: '',
    remote_port: 0,
    request: { method, url, headers: {}, body: '' },
  };
}

export type WireResponse = Omit<HttpResponseData, 'timings' | 'request' | 'url'> & {
  timings: number[];
  /** Present only after a redirect: the final hop's URL and request. */
  url?: string;
  request?: HttpResponseData['request'];
};

export function toWire(spec: HttpRequestSpec, response: HttpResponseData): WireResponse {
  const { timings, request, url } = response;
  // Copied key by key: V8 (Node 20) is slow to add properties to an object made by a spread or a rest pattern.
  const wire = {} as Record<string, unknown>;
  for (const key in response)
    if (key !== 'timings' && key !== 'request' && key !== 'url')
      wire[key] = response[key as keyof HttpResponseData];
  wire.timings = timingNames.map((name) => timings[name]);
  const echoed =
    url === spec.url &&
    request.url === spec.url &&
    request.method === spec.method &&
    Object.keys(request.headers).length === Object.keys(spec.headers).length;
  if (!echoed) {
    wire.url = url;
    wire.request = request;
  }
  return wire as WireResponse;
}

/** The request as k6 echoes it in `res.request` (each header a list of values, the body as text). */
export function requestEcho(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | Uint8Array | null,
): HttpResponseData['request'] {
  const lists: Record<string, string[]> = {};
  for (const name in headers) lists[name] = [headers[name]!];
  return {
    method,
    url,
    headers: lists,
    body: typeof body === 'string' ? body : body ? Buffer.from(body).toString('utf8') : '',
  };
}

export function fromWire(spec: HttpRequestSpec, wire: WireResponse): HttpResponseData {
  const timings = {} as HttpTimings;
  for (let i = 0; i < timingNames.length; i++) timings[timingNames[i]!] = wire.timings[i]!;
  const response = Object.assign({}, wire) as unknown as HttpResponseData;
  response.timings = timings;
  response.url = wire.url ?? spec.url;
  response.request = wire.request ?? requestEcho(spec.method, spec.url, spec.headers, spec.body);
  return response;
}
