/**
 * `k6/http` for a VU: builds request specs (headers, tags, timeout, body encoding, response callback), hands them to
 * the main thread synchronously and wraps the answers as k6 Response objects.
 */

import { parseK6Duration } from '../../duration.js';
import type { ExpectedStatuses, HttpRequestSpec, HttpResponseData } from '../protocol.js';
import { failedResponse } from '../wire.js';
import { CookieJar, type ResponseCookie, responseCookies } from './cookies.js';
import { file, formBody, urlEncoded } from './form-body.js';
import { parseHTML, type Selection } from './html.js';
import { selectJsonPath } from './json-path.js';
import { isArrayBuffer } from './realm.js';
import { requestUrl, templatedUrl, UrlError } from './request-url.js';
import type { VuBase } from './state.js';

export const userAgent = 'Grafana k6/2.2.0 (scalegate builtin engine)';

interface Params {
  headers?: Record<string, unknown>;
  tags?: Record<string, unknown>;
  timeout?: number | string;
  redirects?: number;
  responseType?: 'text' | 'binary' | 'none';
  responseCallback?: ExpectedStatuses | null;
  throw?: boolean;
  cookies?: Record<string, unknown>;
  jar?: CookieJar | null;
  auth?: string;
}

type Body = string | ArrayBuffer | ArrayBufferView | Record<string, unknown> | null | undefined;

const defaultExpected: ExpectedStatuses = { codes: [], ranges: [{ min: 200, max: 399 }] };

type Request = (method: string, url: unknown, body?: Body, params?: Params) => Response;

interface SubmitFormOptions {
  formSelector?: string;
  submitSelector?: string;
  fields?: Record<string, unknown>;
  params?: Params;
}

class Response {
  /** The module's request function: submitForm and clickLink send their request as the VU's http.request. */
  readonly #request: Request;
  status!: number;
  status_text!: string;
  proto!: string;
  url!: string;
  headers!: Record<string, string>;
  body!: string | ArrayBuffer | null;
  timings!: HttpResponseData['timings'];
  error!: string;
  error_code!: number;
  remote_ip!: string;
  remote_port!: number;
  request!: HttpResponseData['request'];
  cookies: Record<string, ResponseCookie[]>;
  tls_version = '';
  tls_cipher_suite = '';

  // Field by field: a rest spread and Object.assign cost a pooled VU's request about a microsecond more.
  constructor(data: HttpResponseData, request: Request) {
    this.#request = request;
    this.status = data.status;
    this.status_text = data.status_text;
    this.proto = data.proto;
    this.url = data.url;
    this.headers = data.headers;
    this.body = data.body;
    this.timings = data.timings;
    this.error = data.error;
    this.error_code = data.error_code;
    this.remote_ip = data.remote_ip;
    this.remote_port = data.remote_port;
    this.request = data.request;
    if (data.tls_version !== undefined) this.tls_version = data.tls_version;
    this.cookies = data.setCookies ? responseCookies(data.url, data.setCookies) : {};
  }

  json(selector?: string): unknown {
    if (this.body === null || this.body === undefined)
      throw new Error(
        "the body is null so we can't transform it to JSON - this likely was because of a request error getting the response",
      );
    const text = typeof this.body === 'string' ? this.body : new TextDecoder().decode(this.body);
    const parsed = JSON.parse(text);
    return selector === undefined ? parsed : selectJsonPath(parsed, selector);
  }

  /** The body as a k6 Selection, optionally narrowed to `selector`. */
  html(selector?: string): Selection {
    const text =
      typeof this.body === 'string' ? this.body : this.body ? new TextDecoder().decode(this.body) : '';
    const document = parseHTML(text);
    return selector === undefined ? document : document.find(selector);
  }

  /**
   * Fills in and submits a form of the page as k6 does: the first match of `formSelector` ('form'); its method
   * (GET by default) and action (resolved against this response's URL, which it defaults to); its controls'
   * values, the submit button's name and value, then `fields` over them; a GET sends them as the query.
   */
  submitForm(options: SubmitFormOptions = {}): Response {
    const formSelector = options.formSelector ?? 'form';
    const form = this.html(formSelector);
    if (form.size() === 0)
      throw new Error(`no form found for selector '${formSelector}' in response '${this.url}'`);
    const method = (form.attr('method') || 'GET').toUpperCase();
    const action = form.attr('action');
    const target = action === undefined ? new URL(this.url) : new URL(action, this.url);
    const formValues = form.serializeObject();
    const values: Record<string, unknown> = { ...formValues };
    const submit = form.find(options.submitSelector ?? '[type="submit"]');
    const submitName = submit.attr('name');
    const submitValue = submit.val();
    if (submitName !== undefined && submitValue !== undefined) values[submitName] = submitValue;
    Object.assign(values, options.fields);
    if (method !== 'GET') {
      // A multiple select's values reach k6's body encoder as a Go []string, which it prints as `[a b]`.
      for (const [name, value] of Object.entries(values))
        if (Array.isArray(value) && value === formValues[name]) values[name] = `[${value.join(' ')}]`;
      return this.#request(method, target.toString(), values, options.params);
    }
    // A GET sends each value as text (a multiple select's values joined by commas), as k6's query does.
    target.search = urlEncoded(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)])));
    return this.#request(method, target.toString(), null, options.params);
  }

  /** Follows a link of the page as k6 does: the first match of `selector` ('a[href]'), its href resolved. */
  clickLink(options: { selector?: string; params?: Params } = {}): Response {
    const selector = options.selector ?? 'a[href]';
    const link = this.html(selector);
    if (link.size() === 0)
      throw new Error(`no element found for selector '${selector}' in response '${this.url}'`);
    const href = link.attr('href');
    if (href === undefined)
      throw new Error(
        `no valid href attribute value found on element '${selector}' in response '${this.url}'`,
      );
    return this.#request('GET', new URL(href, this.url).toString(), null, options.params);
  }
}

function encodeBody(body: Body, headers: Record<string, string>): string | Uint8Array | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return body;
  if (isArrayBuffer(body)) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  const form = formBody(body);
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
    headers['Content-Type'] = form.contentType;
  return form.body;
}

export function createHttpModule(vu: VuBase, options: () => Record<string, unknown>) {
  let responseCallback: ExpectedStatuses | null = defaultExpected;

  /** The VU's own jar, emptied before each iteration as k6 does (unless the `noCookiesReset` option). */
  let vuJar = new CookieJar();
  let jarIteration = vu.iteration;
  const activeJar = () => {
    if (jarIteration !== vu.iteration && options().noCookiesReset !== true) {
      vuJar = new CookieJar();
      jarIteration = vu.iteration;
    }
    return vuJar;
  };
  const jarOf = (params: Params | undefined) => (params?.jar === undefined ? activeJar() : params.jar);

  function spec(method: string, url: unknown, body: Body, params: Params = {}): HttpRequestSpec {
    const target = requestUrl(url);
    if (params.auth !== undefined && !['basic', 'digest', 'ntlm'].includes(params.auth))
      throw new Error(
        `params.auth '${params.auth}' is not supported by the builtin engine (basic, digest, ntlm)`,
      );
    // Digest and NTLM answer the server's challenge with the URL's credentials instead of sending them as Basic.
    const digest = params.auth === 'digest' ? target.credentials : undefined;
    const ntlm = params.auth === 'ntlm' ? target.credentials : undefined;
    const headers: Record<string, string> = {};
    const opts = options();
    const ua = opts.userAgent === undefined ? userAgent : String(opts.userAgent);
    if (ua) headers['User-Agent'] = ua;
    if (params.headers) {
      for (const [k, v] of Object.entries(params.headers)) {
        for (const existing of Object.keys(headers))
          if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing];
        headers[k] = String(v);
      }
    }
    if (
      target.credentials &&
      params.auth !== 'digest' &&
      params.auth !== 'ntlm' &&
      !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')
    ) {
      const { username, password } = target.credentials;
      headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    const hasCookieHeader = Object.keys(headers).some((h) => h.toLowerCase() === 'cookie');
    const cookie = jarOf(params)?.header(target.url, params.cookies) ?? '';
    if (cookie && !hasCookieHeader) headers.Cookie = cookie;
    const encoded = encodeBody(body, headers);
    const tags = vu.tags();
    if (target.name !== undefined) tags.name = target.name;
    if (params.tags) for (const [k, v] of Object.entries(params.tags)) tags[k] = String(v);
    const timeout = params.timeout ?? 60_000;
    const discard = opts.discardResponseBodies === true;
    return {
      method: method.toUpperCase(),
      url: target.url,
      ...(target.shown !== target.url ? { shownUrl: target.shown } : {}),
      ...(digest ? { digest } : {}),
      ...(ntlm ? { ntlm } : {}),
      headers,
      body: encoded,
      timeoutMs: parseK6Duration(timeout, 'params.timeout'),
      redirects: params.redirects ?? (typeof opts.maxRedirects === 'number' ? opts.maxRedirects : 10),
      responseType: params.responseType ?? (discard ? 'none' : 'text'),
      tags,
      expected: params.responseCallback === undefined ? responseCallback : params.responseCallback,
    };
  }

  function finish(data: HttpResponseData, params: Params | undefined): Response {
    const shouldThrow = params?.throw ?? options().throw === true;
    if (data.error && shouldThrow) throw new Error(data.error);
    if (data.error) console.warn(`Request Failed: ${data.error}`);
    if (data.setCookies) jarOf(params)?.store(data.setCookies);
    return new Response(data, request);
  }

  /** A request spec, or the failed response of a URL that cannot be requested (sent nowhere). */
  function prepare(method: string, url: unknown, body: Body, params?: Params) {
    try {
      return spec(method, url, body, params);
    } catch (error) {
      if (!(error instanceof UrlError)) throw error;
      return failedResponse(method.toUpperCase(), error.url, error.code, error.message);
    }
  }

  /** Blocks the VU until the answer; a pooled VU gets the Promise of asyncRequest (the script awaits it). */
  function request(method: string, url: unknown, body?: Body, params?: Params): Response {
    if (vu.pooled) return asyncRequest(method, url, body, params) as unknown as Response;
    vu.requireVuContext('making HTTP requests');
    const prepared = prepare(method, url, body, params);
    const data = 'status' in prepared ? prepared : vu.http([prepared])[0]!;
    return finish(data, params);
  }

  /** http.asyncRequest: the same request without blocking the VU, a promise of VU code's realm. */
  function asyncRequest(method: string, url: unknown, body?: Body, params?: Params): Promise<Response> {
    return vu.realm.Promise.resolve(requestAsync(method, url, body, params));
  }

  async function requestAsync(method: string, url: unknown, body?: Body, params?: Params): Promise<Response> {
    vu.requireVuContext('making HTTP requests');
    const prepared = prepare(method, url, body, params);
    const data = 'status' in prepared ? prepared : (await vu.httpAsync([prepared]))[0]!;
    return finish(data, params);
  }

  type BatchItem =
    | string
    | [string, string, Body?, Params?]
    | { method?: string; url: string; body?: Body; params?: Params };
  function batch(requests: BatchItem[] | Record<string, BatchItem>): Response[] | Record<string, Response> {
    vu.requireVuContext('making HTTP requests');
    const entries = Array.isArray(requests)
      ? requests.map((r, i) => [String(i), r] as const)
      : Object.entries(requests);
    const normalized = entries.map(([key, item]) => {
      if (typeof item === 'string') return { key, method: 'GET', url: item, body: null, params: undefined };
      if (Array.isArray(item)) return { key, method: item[0], url: item[1], body: item[2], params: item[3] };
      return { key, method: item.method ?? 'GET', url: item.url, body: item.body, params: item.params };
    });
    const prepared = normalized.map((r) => prepare(r.method, r.url, r.body, r.params));
    const specs = prepared.filter((p): p is HttpRequestSpec => !('status' in p));
    const wrap = (answers: HttpResponseData[]) => {
      let next = 0;
      const responses = prepared.map((p) => ('status' in p ? p : answers[next++]!));
      const wrapped = responses.map((data, i) => finish(data, normalized[i]!.params));
      if (Array.isArray(requests)) return wrapped;
      return Object.fromEntries(normalized.map((r, i) => [r.key, wrapped[i]!]));
    };
    // A pooled VU gets a Promise of the responses (the script awaits it).
    if (vu.pooled) return vu.httpAsync(specs).then(wrap) as unknown as Response[];
    return wrap(specs.length > 0 ? vu.http(specs) : []);
  }

  function expectedStatuses(...statuses: (number | { min: number; max: number })[]): ExpectedStatuses {
    const result: ExpectedStatuses = { codes: [], ranges: [] };
    for (const status of statuses) {
      if (typeof status === 'number') result.codes.push(status);
      else if (status && typeof status.min === 'number' && typeof status.max === 'number')
        result.ranges.push(status);
      else throw new Error('expectedStatuses takes status codes or {min, max} objects');
    }
    return result;
  }

  const http = {
    request,
    asyncRequest,
    get: (url: unknown, params?: Params) => request('GET', url, null, params),
    head: (url: unknown, params?: Params) => request('HEAD', url, null, params),
    post: (url: unknown, body?: Body, params?: Params) => request('POST', url, body, params),
    put: (url: unknown, body?: Body, params?: Params) => request('PUT', url, body, params),
    patch: (url: unknown, body?: Body, params?: Params) => request('PATCH', url, body, params),
    del: (url: unknown, body?: Body, params?: Params) => request('DELETE', url, body, params),
    options: (url: unknown, body?: Body, params?: Params) => request('OPTIONS', url, body, params),
    batch,
    expectedStatuses,
    setResponseCallback(callback: ExpectedStatuses | null) {
      responseCallback = callback;
    },
    url: templatedUrl,
    cookieJar: () => activeJar(),
    file,
    CookieJar,
  };
  return http;
}
