import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// actions/lib/workers/k6-vu.ts
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { runInThisContext } from "node:vm";
import { parentPort as parentPort2, workerData } from "node:worker_threads";

// actions/lib/load/channel.ts
import { receiveMessageOnPort } from "node:worker_threads";
var SIGNAL = 0;
var TO_VU_READY = 1;
var INTERRUPTED = 2;
var FROM_VU_READY = 3;
var TO_VU_LENGTH = 4;
var FROM_VU_LENGTH = 5;
var HEADER_BYTES = 32;
var AREA_BYTES = 64 * 1024;
var VIA_PORT = -1;
var RINGS = 0;
var SLEEPING = 1;
var waitAsync = Atomics.waitAsync;
function writeFrame(area, port, value, binary) {
  if (!binary) {
    const text = JSON.stringify(value);
    if (text.length * 3 <= AREA_BYTES || Buffer.byteLength(text) <= AREA_BYTES) return area.write(text, 0);
  }
  port.postMessage(value);
  return VIA_PORT;
}
function readFrame(area, port, length) {
  if (length !== VIA_PORT) return JSON.parse(area.toString("utf8", 0, length));
  return receiveMessageOnPort(port).message;
}
function ring(bell) {
  Atomics.add(bell, RINGS, 1);
  if (Atomics.load(bell, SLEEPING) === 1) Atomics.notify(bell, RINGS);
}
var ChannelInterrupted = class extends Error {
};
var VuChannel = class {
  constructor(control, bell, toVuPort, fromVuPort) {
    this.toVuPort = toVuPort;
    this.fromVuPort = fromVuPort;
    this.words = new Int32Array(control, 0, HEADER_BYTES / 4);
    this.toVu = Buffer.from(control, HEADER_BYTES, AREA_BYTES);
    this.fromVu = Buffer.from(control, HEADER_BYTES + AREA_BYTES, AREA_BYTES);
    this.bell = new Int32Array(bell);
  }
  toVuPort;
  fromVuPort;
  words;
  toVu;
  fromVu;
  bell;
  get interrupted() {
    return Atomics.load(this.words, INTERRUPTED) === 1;
  }
  send(value, binary = false) {
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
  wait(interruptible, timeoutMs = Number.POSITIVE_INFINITY) {
    const deadline = performance.now() + timeoutMs;
    for (; ; ) {
      const signal = Atomics.load(this.words, SIGNAL);
      if (interruptible && Atomics.load(this.words, INTERRUPTED) === 1) throw new ChannelInterrupted();
      if (Atomics.load(this.words, TO_VU_READY) === 1) {
        const value = readFrame(this.toVu, this.toVuPort, Atomics.load(this.words, TO_VU_LENGTH));
        Atomics.store(this.words, TO_VU_READY, 0);
        return value;
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) return void 0;
      Atomics.wait(
        this.words,
        SIGNAL,
        signal,
        remaining === Number.POSITIVE_INFINITY ? void 0 : remaining
      );
    }
  }
};

// actions/lib/load/vu/data-module.ts
function createDataModule(vu2) {
  const built = /* @__PURE__ */ new Map();
  class SharedArray {
    constructor(name, build) {
      if (vu2.phase !== "init") throw new Error("SharedArray can only be constructed in the init context");
      if (!name) throw new Error("SharedArray needs a name");
      if (typeof build !== "function") throw new Error("SharedArray needs a function returning an array");
      let data2 = built.get(name);
      if (!data2) {
        const value = build();
        if (!Array.isArray(value)) throw new Error("SharedArray: the function must return an array");
        const frozen = Object.freeze(JSON.parse(JSON.stringify(value)).map(deepFreeze));
        built.set(name, frozen);
        data2 = frozen;
      }
      return data2;
    }
  }
  return { SharedArray };
}
function deepFreeze(value) {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

// actions/lib/load/vu/state.ts
import { parentPort } from "node:worker_threads";

// actions/lib/load/wire.ts
var timingNames = [
  "duration",
  "blocked",
  "looking_up",
  "connecting",
  "tls_handshaking",
  "sending",
  "waiting",
  "receiving"
];
function requestEcho(spec) {
  const headers = {};
  for (const name in spec.headers) headers[name] = [spec.headers[name]];
  const body = spec.body;
  return {
    method: spec.method,
    url: spec.url,
    headers,
    body: typeof body === "string" ? body : body ? Buffer.from(body).toString("utf8") : ""
  };
}
function fromWire(spec, wire) {
  const timings = {};
  for (let i = 0; i < timingNames.length; i++) timings[timingNames[i]] = wire.timings[i];
  return {
    ...wire,
    timings,
    url: wire.url ?? spec.url,
    request: wire.request ?? requestEcho(spec)
  };
}

// actions/lib/load/vu/state.ts
var InterruptError = class extends Error {
  constructor() {
    super("iteration interrupted");
    this.name = "InterruptError";
  }
};
var AbortTestError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "AbortTestError";
  }
};
var VuState = class {
  constructor(vuId, channel) {
    this.vuId = vuId;
    this.channel = channel;
  }
  vuId;
  channel;
  phase = "init";
  iteration = -1;
  iterationInScenario = 0;
  scenario;
  groupPath = "";
  /** exec.vu.tags: user tags added to every sample of this VU. */
  userTags = {};
  samples = [];
  metricDefinitions = [];
  testStartTime = Date.now();
  iterationInTest = 0;
  progress = 0;
  vusActive = 0;
  vusInitialized = 0;
  iterationsCompleted = 0;
  iterationsInterrupted = 0;
  requestId = 0;
  /** Events of VU code, sent with the next frame (in order with the iteration that produced them). */
  events = [];
  /** Completed iterations of a standing order not reported yet. */
  records = [];
  /** Tags of the current context (scenario, group, scenario tags, user tags). */
  tags() {
    const tags = { ...this.scenario?.tags ?? {}, ...this.userTags, group: this.groupPath };
    if (this.scenario) tags.scenario = this.scenario.name;
    return tags;
  }
  emit(name, value, tags) {
    this.samples.push([name, value, tags, Date.now()]);
  }
  requireVuContext(what) {
    if (this.phase === "init") throw new Error(`${what} is not available in the init context`);
  }
  /** Console output and test-fail: straight to the engine during init, else with the next frame. */
  post(event) {
    if (this.phase === "init") parentPort.postMessage(event);
    else this.events.push(event);
  }
  /** Sends a frame to the engine, with the events buffered so far. */
  send(frame, binary = false) {
    if (this.events.length > 0) {
      frame.events = this.events;
      this.events = [];
    }
    if (this.records.length > 0) {
      frame.records = this.records;
      this.records = [];
    }
    this.channel.send(frame, binary);
  }
  /** Blocks until the engine answered the HTTP requests (in order), or throws InterruptError. */
  http(requests) {
    const id = ++this.requestId;
    this.send(
      { type: "http", id, requests },
      requests.some((r) => r.body instanceof Uint8Array)
    );
    try {
      for (; ; ) {
        const reply = this.channel.wait(true);
        if (reply?.type === "http-reply" && reply.id === id)
          return reply.responses.map((r, i) => fromWire(requests[i], r));
      }
    } catch (error) {
      if (error instanceof ChannelInterrupted) throw new InterruptError();
      throw error;
    }
  }
  /** k6 `sleep`: blocks this VU only; interruptible. */
  sleep(ms) {
    const deadline = performance.now() + ms;
    try {
      for (let left = ms; left > 0; left = deadline - performance.now()) this.channel.wait(true, left);
    } catch (error) {
      if (error instanceof ChannelInterrupted) throw new InterruptError();
      throw error;
    }
    if (this.channel.interrupted) throw new InterruptError();
  }
};

// actions/lib/load/vu/execution-module.ts
function createExecutionModule(vu2, options) {
  const inVu = (what) => {
    if (vu2.phase === "init" || !vu2.scenario) throw new Error(`${what} is not available in the init context`);
    return vu2.scenario;
  };
  return {
    get scenario() {
      const scenario = inVu("exec.scenario");
      return {
        name: scenario.name,
        executor: scenario.executor,
        startTime: scenario.startTime,
        progress: vu2.progress,
        iterationInInstance: vu2.iterationInTest,
        iterationInTest: vu2.iterationInTest
      };
    },
    get instance() {
      return {
        currentTestRunDuration: Date.now() - vu2.testStartTime,
        iterationsCompleted: vu2.iterationsCompleted,
        iterationsInterrupted: vu2.iterationsInterrupted,
        vusActive: vu2.vusActive,
        vusInitialized: vu2.vusInitialized
      };
    },
    get vu() {
      inVu("exec.vu");
      return {
        idInInstance: vu2.vuId,
        idInTest: vu2.vuId,
        iterationInInstance: vu2.iteration,
        iterationInScenario: vu2.iterationInScenario,
        tags: vu2.userTags,
        metrics: { tags: vu2.userTags, metadata: {} }
      };
    },
    test: {
      abort(message) {
        throw new AbortTestError(message ?? "test aborted");
      },
      fail(message) {
        vu2.post({ type: "test-fail", message: message ?? "test marked as failed" });
      },
      get options() {
        return options();
      }
    }
  };
}

// actions/lib/util/duration.ts
var unitMs = {
  ms: 1,
  s: 1e3,
  m: 6e4,
  h: 36e5,
  d: 864e5
};
var maxDurationMs = 7 * 864e5;

// actions/lib/load/duration.ts
var unitMs2 = { ...unitMs, ns: 1e-6, us: 1e-3, \u00B5s: 1e-3 };
var partPattern = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/y;
function parseK6Duration(value, field) {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value !== "string")
    throw new TypeError(`${field}: expected a duration, got ${JSON.stringify(value)}`);
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  let total = 0;
  let at = 0;
  while (at < text.length) {
    partPattern.lastIndex = at;
    const match = partPattern.exec(text);
    if (!match) throw new TypeError(`${field}: '${value}' is not a duration (e.g. 500ms, 30s, 1m30s, 2d)`);
    total += Number(match[1]) * unitMs2[match[2]];
    at = partPattern.lastIndex;
  }
  if (text === "") throw new TypeError(`${field}: empty duration`);
  return total;
}

// actions/lib/load/vu/json-path.ts
function selectJsonPath(value, path) {
  const parts = path.split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, "."));
  let current = value;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (current === null || current === void 0) return void 0;
    if (part === "#" && Array.isArray(current)) {
      const rest = parts.slice(i + 1).join(".");
      return rest === "" ? current.length : current.map((item) => selectJsonPath(item, rest));
    }
    current = current[part];
  }
  return current;
}

// actions/lib/load/vu/http-module.ts
var userAgent = "Grafana k6/2.2.0 (scalegate builtin engine)";
var defaultExpected = { codes: [], ranges: [{ min: 200, max: 399 }] };
var Response = class {
  status;
  status_text;
  proto;
  url;
  headers;
  body;
  timings;
  error;
  error_code;
  remote_ip;
  remote_port;
  request;
  cookies = {};
  tls_version = "";
  tls_cipher_suite = "";
  constructor(data2) {
    Object.assign(this, data2);
  }
  json(selector) {
    if (this.body === null || this.body === void 0)
      throw new Error(
        "the body is null so we can't transform it to JSON - this likely was because of a request error getting the response"
      );
    const text = typeof this.body === "string" ? this.body : new TextDecoder().decode(this.body);
    const parsed = JSON.parse(text);
    return selector === void 0 ? parsed : selectJsonPath(parsed, selector);
  }
  html() {
    throw new Error("response.html() is not supported by the builtin engine");
  }
};
function encodeBody(body, headers) {
  if (body === null || body === void 0) return null;
  if (typeof body === "string") return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      form.append(key, item === null || item === void 0 || typeof item === "object" ? "" : String(item));
    }
  }
  if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
    headers["Content-Type"] = "application/x-www-form-urlencoded";
  return form.toString();
}
function createHttpModule(vu2, options) {
  let responseCallback = defaultExpected;
  const validUrls = /* @__PURE__ */ new Set();
  function spec(method, url, body, params = {}) {
    const target = String(url);
    if (!validUrls.has(target)) {
      try {
        new URL(target);
      } catch {
        throw new Error(`invalid URL '${target}'`);
      }
      if (validUrls.size < 1e3) validUrls.add(target);
    }
    const headers = {};
    const opts = options();
    const ua = opts.userAgent === void 0 ? userAgent : String(opts.userAgent);
    if (ua) headers["User-Agent"] = ua;
    if (params.headers) {
      for (const [k, v] of Object.entries(params.headers)) {
        for (const existing of Object.keys(headers))
          if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing];
        headers[k] = String(v);
      }
    }
    const encoded = encodeBody(body, headers);
    const tags = vu2.tags();
    if (params.tags) for (const [k, v] of Object.entries(params.tags)) tags[k] = String(v);
    const timeout = params.timeout ?? 6e4;
    const discard = opts.discardResponseBodies === true;
    return {
      method: method.toUpperCase(),
      url: target,
      headers,
      body: encoded,
      timeoutMs: parseK6Duration(timeout, "params.timeout"),
      redirects: params.redirects ?? (typeof opts.maxRedirects === "number" ? opts.maxRedirects : 10),
      responseType: params.responseType ?? (discard ? "none" : "text"),
      tags,
      expected: params.responseCallback === void 0 ? responseCallback : params.responseCallback
    };
  }
  function finish(data2, params) {
    const shouldThrow = params?.throw ?? options().throw === true;
    if (data2.error && shouldThrow) throw new Error(data2.error);
    if (data2.error) console.warn(`Request Failed: ${data2.error}`);
    return new Response(data2);
  }
  function request(method, url, body, params) {
    vu2.requireVuContext("making HTTP requests");
    const [data2] = vu2.http([spec(method, url, body, params)]);
    return finish(data2, params);
  }
  function batch(requests) {
    vu2.requireVuContext("making HTTP requests");
    const entries = Array.isArray(requests) ? requests.map((r, i) => [String(i), r]) : Object.entries(requests);
    const normalized = entries.map(([key, item]) => {
      if (typeof item === "string") return { key, method: "GET", url: item, body: null, params: void 0 };
      if (Array.isArray(item)) return { key, method: item[0], url: item[1], body: item[2], params: item[3] };
      return { key, method: item.method ?? "GET", url: item.url, body: item.body, params: item.params };
    });
    const responses = vu2.http(normalized.map((r) => spec(r.method, r.url, r.body, r.params)));
    const wrapped = responses.map((data2, i) => finish(data2, normalized[i].params));
    if (Array.isArray(requests)) return wrapped;
    return Object.fromEntries(normalized.map((r, i) => [r.key, wrapped[i]]));
  }
  function expectedStatuses(...statuses) {
    const result = { codes: [], ranges: [] };
    for (const status of statuses) {
      if (typeof status === "number") result.codes.push(status);
      else if (status && typeof status.min === "number" && typeof status.max === "number")
        result.ranges.push(status);
      else throw new Error("expectedStatuses takes status codes or {min, max} objects");
    }
    return result;
  }
  const http = {
    request,
    get: (url, params) => request("GET", url, null, params),
    head: (url, params) => request("HEAD", url, null, params),
    post: (url, body, params) => request("POST", url, body, params),
    put: (url, body, params) => request("PUT", url, body, params),
    patch: (url, body, params) => request("PATCH", url, body, params),
    del: (url, body, params) => request("DELETE", url, body, params),
    options: (url, body, params) => request("OPTIONS", url, body, params),
    batch,
    expectedStatuses,
    setResponseCallback(callback) {
      responseCallback = callback;
    },
    url(strings, ...values) {
      return strings.reduce((out, s, i) => out + s + (i < values.length ? String(values[i]) : ""), "");
    }
  };
  return http;
}

// actions/lib/load/vu/jslib.ts
import { randomUUID } from "node:crypto";

// actions/lib/load/text-summary.ts
function formatTime(ms, unit) {
  if (unit === "ms") return `${ms.toFixed(2)}ms`;
  if (unit === "s") return `${(ms / 1e3).toFixed(2)}s`;
  if (unit === "us" || unit === "\xB5s") return `${(ms * 1e3).toFixed(2)}\xB5s`;
  if (ms === 0) return "0s";
  if (ms < 1) return `${(ms * 1e3).toFixed(2)}\xB5s`;
  if (ms < 1e3) return `${ms.toFixed(2)}ms`;
  if (ms < 6e4) return `${(ms / 1e3).toFixed(2)}s`;
  const minutes = Math.floor(ms / 6e4);
  return `${minutes}m${(ms % 6e4 / 1e3).toFixed(1)}s`;
}
function formatData(bytes) {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1e3 && unit < units.length - 1) {
    value /= 1e3;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
function formatNumber(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(6).replace(/0+$/, "").replace(/\.$/, "");
}
function metricValue(metric, timeUnit) {
  const v = metric.values;
  const fmt = (n) => metric.contains === "time" ? formatTime(n, timeUnit) : metric.contains === "data" ? formatData(n) : formatNumber(n);
  switch (metric.type) {
    case "counter":
      return `${fmt(v.count ?? 0).padEnd(10)} ${metric.contains === "data" ? `${formatData(v.rate ?? 0)}/s` : `${formatNumber(Number((v.rate ?? 0).toFixed(6)))}/s`}`;
    case "gauge":
      return `${fmt(v.value ?? 0).padEnd(10)} min=${fmt(v.min ?? 0)} max=${fmt(v.max ?? 0)}`;
    case "rate":
      return `${((v.rate ?? 0) * 100).toFixed(2)}% ${v.passes ?? 0} out of ${(v.passes ?? 0) + (v.fails ?? 0)}`;
    case "trend":
      return Object.entries(v).map(([stat, n]) => `${stat}=${stat === "count" ? n : fmt(n)}`).join(" ");
  }
}
function groupLines(group, indent, color) {
  const lines = [];
  for (const check of group.checks) {
    const total = check.passes + check.fails;
    if (check.fails === 0) lines.push(`${indent}${color(32, `\u2713 ${check.name}`)}`);
    else {
      lines.push(`${indent}${color(31, `\u2717 ${check.name}`)}`);
      lines.push(
        `${indent} \u21B3  ${Math.floor(check.passes / total * 100)}% \u2014 \u2713 ${check.passes} / \u2717 ${check.fails}`
      );
    }
  }
  for (const child of group.groups) {
    lines.push("", `${indent}\u2588 ${child.name}`, "");
    lines.push(...groupLines(child, `${indent}  `, color));
  }
  return lines;
}
function textSummary(data2, options = {}) {
  const indent = options.indent ?? " ";
  const colors = options.enableColors ?? false;
  const color = (code, s) => colors ? `\x1B[${code}m${s}\x1B[0m` : s;
  const lines = [];
  const checks = groupLines(data2.root_group, `${indent}    `, color);
  if (checks.length > 0) lines.push(...checks, "");
  const names = Object.keys(data2.metrics).sort();
  const width = Math.max(...names.map((n) => n.length), 10) + 3;
  for (const name of names) {
    const metric = data2.metrics[name];
    const thresholds = Object.values(metric.thresholds ?? {});
    const mark = thresholds.length === 0 ? " " : thresholds.every((t) => t.ok) ? color(32, "\u2713") : color(31, "\u2717");
    const label = name.includes("{") ? `  ${name}` : name;
    const text = `${indent}  ${mark} ${`${label}`.padEnd(width, ".")}: ${metricValue(metric, data2.options.summaryTimeUnit)}`;
    lines.push(text);
  }
  return lines.join("\n");
}
function jUnit(data2, options = {}) {
  const escapeXml = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const cases = [];
  let failures = 0;
  for (const [metric, entry] of Object.entries(data2.metrics)) {
    for (const [expression, result] of Object.entries(entry.thresholds ?? {})) {
      const name = escapeXml(`${metric} - ${expression}`);
      if (result.ok) cases.push(`<testcase name="${name}" />`);
      else {
        failures++;
        cases.push(`<testcase name="${name}"><failure message="failed" /></testcase>`);
      }
    }
  }
  const suite = escapeXml(options.name ?? "k6 thresholds");
  return `<?xml version="1.0"?>
<testsuites tests="${cases.length}" failures="${failures}">
<testsuite name="${suite}" tests="${cases.length}" failures="${failures}">${cases.join("\n")}
</testsuite>
</testsuites>`;
}

// actions/lib/load/vu/jslib.ts
var k6Summary = { textSummary, jUnit };
var k6Utils = {
  randomIntBetween(min, max) {
    return Math.floor(Math.random() * (max - min + 1) + min);
  },
  randomItem(items) {
    return items[Math.floor(Math.random() * items.length)];
  },
  randomString(length, charset = "abcdefghijklmnopqrstuvwxyz") {
    let out = "";
    for (let i = 0; i < length; i++) out += charset[Math.floor(Math.random() * charset.length)];
    return out;
  },
  uuidv4() {
    return randomUUID();
  },
  findBetween(content, left, right, repeat = false) {
    const found = [];
    let from = 0;
    for (; ; ) {
      const start = content.indexOf(left, from);
      if (start < 0) break;
      const end = content.indexOf(right, start + left.length);
      if (end < 0) break;
      found.push(content.slice(start + left.length, end));
      if (!repeat) return found[0];
      from = end + right.length;
    }
    return repeat ? found : null;
  }
};

// actions/lib/load/vu/k6-module.ts
function createK6Module(vu2) {
  function check(value, checks, extraTags) {
    vu2.requireVuContext("check");
    let all = true;
    const extra = Object.fromEntries(Object.entries(extraTags ?? {}).map(([k, v]) => [k, String(v)]));
    for (const [name, predicate] of Object.entries(checks)) {
      if (name.includes("::")) throw new Error(`check name '${name}' may not contain '::'`);
      const tags = { ...vu2.tags(), ...extra, check: name };
      let passed;
      try {
        const outcome = typeof predicate === "function" ? predicate(value) : predicate;
        if (outcome instanceof Promise) throw new Error("check does not support async functions");
        passed = Boolean(outcome);
      } catch (error) {
        vu2.emit("checks", 0, tags);
        throw error;
      }
      vu2.emit("checks", passed ? 1 : 0, tags);
      if (!passed) all = false;
    }
    return all;
  }
  function group(name, fn) {
    vu2.requireVuContext("group");
    if (name.includes("::")) throw new Error(`group name '${name}' may not contain '::'`);
    if (typeof fn !== "function") throw new Error("group requires a function");
    const parent = vu2.groupPath;
    vu2.groupPath = `${parent}::${name}`;
    const start = performance.now();
    try {
      const result = fn();
      if (result instanceof Promise) throw new Error("group does not support async functions");
      return result;
    } finally {
      vu2.emit("group_duration", performance.now() - start, vu2.tags());
      vu2.groupPath = parent;
    }
  }
  function sleep(seconds) {
    vu2.sleep(Number(seconds) * 1e3);
  }
  function fail(message) {
    throw new Error(message ?? "");
  }
  function randomSeed(seed) {
    let state = Math.trunc(seed) >>> 0;
    Math.random = () => {
      state = state + 1831565813 >>> 0;
      let t = state;
      t = Math.imul(t ^ t >>> 15, t | 1);
      t ^= t + Math.imul(t ^ t >>> 7, t | 61);
      return ((t ^ t >>> 14) >>> 0) / 4294967296;
    };
  }
  return { check, group, sleep, fail, randomSeed };
}

// actions/lib/load/vu/metrics-module.ts
function createMetricsModule(vu2) {
  const make = (type) => class {
    name;
    constructor(name, isTime = false) {
      if (vu2.phase !== "init") throw new Error("metrics must be declared in the init context");
      if (!/^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/.test(String(name)))
        throw new Error(`invalid metric name '${name}': 2 to 129 letters, digits and underscores`);
      this.name = String(name);
      const contains = isTime ? "time" : "default";
      const known = vu2.metricDefinitions.find((d) => d.name === this.name);
      if (known && (known.type !== type || known.contains !== contains))
        throw new Error(`metric '${this.name}' already registered with a different type`);
      if (!known) vu2.metricDefinitions.push({ name: this.name, type, contains });
    }
    add(value, tags) {
      vu2.requireVuContext("adding to metrics");
      const number = typeof value === "boolean" ? value ? 1 : 0 : Number(value);
      if (value === null || value === void 0 || Number.isNaN(number)) {
        console.warn(`${this.name}: ignoring the invalid value ${String(value)}`);
        return false;
      }
      const extra = Object.fromEntries(Object.entries(tags ?? {}).map(([k, v]) => [k, String(v)]));
      vu2.emit(this.name, number, { ...vu2.tags(), ...extra });
      return true;
    }
  };
  return { Counter: make("counter"), Gauge: make("gauge"), Rate: make("rate"), Trend: make("trend") };
}

// actions/lib/workers/k6-vu.ts
var data = workerData;
var vu = new VuState(data.vuId, new VuChannel(data.control, data.bell, data.toVuPort, data.fromVuPort));
var postInit = (message) => parentPort2.postMessage(message);
var done = (frame) => vu.send({ type: "done", ...frame });
var globals = globalThis;
var scriptExports = {};
var scriptOptions = () => scriptExports.options ?? {};
var k6 = createK6Module(vu);
globals.__k6_modules = {
  k6,
  "k6/http": createHttpModule(vu, scriptOptions),
  "k6/metrics": createMetricsModule(vu),
  "k6/execution": createExecutionModule(vu, scriptOptions),
  "k6/data": createDataModule(vu),
  "k6-summary": k6Summary,
  "k6-utils": k6Utils
};
var baseEnv = { ...data.env };
globals.__ENV = baseEnv;
globals.__VU = data.vuId;
globals.__ITER = 0;
var scriptDir = dirname(data.scriptPath);
globals.open = (path, mode) => {
  if (vu.phase !== "init") throw new Error("open() can be used only in the init context");
  const file = resolve(scriptDir, path);
  const bytes = readFileSync(file);
  return mode === "b" ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) : bytes.toString("utf8");
};
var format = (args) => args.map(
  (a) => typeof a === "string" ? a : a instanceof Error ? String(a) : JSON.stringify(a) ?? String(a)
).join(" ");
for (const level of ["log", "info", "warn", "error", "debug"]) {
  console[level] = (...args) => vu.post({ type: "log", level: level === "log" ? "info" : level, message: format(args) });
}
function describe(error) {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
try {
  const module = { exports: {} };
  const evaluate = runInThisContext(`(function (module, exports) {${data.code}
})`, {
    filename: data.scriptPath
  });
  evaluate(module, module.exports);
  scriptExports = module.exports;
  postInit({
    type: "ready",
    exports: Object.keys(scriptExports).filter((k) => typeof scriptExports[k] === "function"),
    options: JSON.parse(JSON.stringify(scriptExports.options ?? {})),
    metrics: vu.metricDefinitions
  });
  vu.phase = "vu";
} catch (error) {
  postInit({ type: "init-error", message: describe(error) });
}
var setupData;
function iterateOnce(inScenario, inTest, progress) {
  const scenario = vu.scenario;
  vu.iteration++;
  vu.iterationInScenario = inScenario;
  vu.iterationInTest = inTest;
  vu.progress = progress;
  vu.groupPath = "";
  vu.samples = [];
  globals.__ITER = vu.iteration;
  const fn = scriptExports[scenario.exec];
  const start = performance.now();
  let error;
  try {
    fn(setupData);
  } catch (thrown) {
    vu.groupPath = "";
    if (thrown instanceof InterruptError) {
      vu.iterationsInterrupted++;
      return { outcome: "interrupted" };
    }
    if (thrown instanceof AbortTestError) return { outcome: "aborted", abortMessage: thrown.message };
    error = describe(thrown);
  }
  vu.iterationsCompleted++;
  const tags = vu.tags();
  vu.emit("iterations", 1, tags);
  vu.emit("iteration_duration", performance.now() - start, tags);
  return { outcome: "full", ...error ? { error } : {} };
}
var recordFlushMs = 100;
var recordFlushCount = 64;
function runIteration(message) {
  if (message.setupData !== void 0) setupData = JSON.parse(message.setupData);
  if (message.scenario) {
    if (vu.scenario?.name !== message.scenario.name) globals.__ENV = { ...baseEnv, ...message.scenario.env };
    vu.scenario = message.scenario;
  }
  vu.testStartTime = message.testStartTime;
  vu.vusActive = message.vusActive;
  vu.vusInitialized = message.vusInitialized;
  const repeat = message.repeat;
  if (!repeat) {
    const end = iterateOnce(message.iterationInScenario, message.iterationInTest, message.progress);
    done({ samples: vu.samples, ...end });
    return;
  }
  const counter = new Int32Array(repeat.counter);
  let inScenario = message.iterationInScenario;
  let flushedAt = Date.now();
  for (; ; ) {
    const now = Date.now();
    const progress = Math.min(1, (now - repeat.start) / repeat.durationMs);
    const end = iterateOnce(inScenario++, Atomics.add(counter, 0, 1), progress);
    if (end.outcome !== "full") {
      done({ samples: vu.samples, ...end });
      return;
    }
    vu.records.push({ samples: vu.samples, ...end.error ? { error: end.error } : {} });
    vu.samples = [];
    const after = Date.now();
    if (after >= repeat.until || vu.channel.interrupted) break;
    if (vu.records.length >= recordFlushCount || after - flushedAt >= recordFlushMs) {
      vu.send({ type: "records" });
      flushedAt = after;
    }
  }
  done({ samples: [], outcome: "full" });
}
function encodeSummaryOutput(result) {
  if (!result || typeof result !== "object") return JSON.stringify(null);
  const out = {};
  for (const [key, value] of Object.entries(result)) {
    if (value instanceof ArrayBuffer) out[key] = { base64: Buffer.from(value).toString("base64") };
    else out[key] = { text: String(value) };
  }
  return JSON.stringify(out);
}
async function runCall(message) {
  vu.scenario = void 0;
  vu.groupPath = message.fn === "handleSummary" ? "" : `::${message.fn}`;
  vu.samples = [];
  const fn = scriptExports[message.fn];
  const arg = message.arg === void 0 ? void 0 : JSON.parse(message.arg);
  try {
    const value = message.fn === "handleSummary" ? await fn(arg) : fn(arg);
    const result = message.fn === "handleSummary" ? encodeSummaryOutput(value) : JSON.stringify(value);
    done({ samples: vu.samples, outcome: "full", ...result === void 0 ? {} : { result } });
  } catch (thrown) {
    if (thrown instanceof AbortTestError)
      done({ samples: vu.samples, outcome: "aborted", abortMessage: thrown.message });
    else if (thrown instanceof InterruptError) done({ samples: vu.samples, outcome: "interrupted" });
    else done({ samples: vu.samples, outcome: "full", error: describe(thrown) });
  }
}
async function serve() {
  for (; ; ) {
    const frame = vu.channel.wait(false);
    if (frame.type === "iterate") runIteration(frame);
    else if (frame.type === "call") await runCall(frame);
    await void 0;
  }
}
if (vu.phase === "vu") void serve();
