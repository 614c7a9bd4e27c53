import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// actions/lib/workers/k6-vu.ts
import { setInterval as keepAlive } from "node:timers";
import { parentPort as parentPort2, workerData } from "node:worker_threads";

// actions/lib/load/builtin/channel.ts
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
var ChannelEnd = class {
  constructor(control, toVuPort, fromVuPort, asyncPort) {
    this.toVuPort = toVuPort;
    this.fromVuPort = fromVuPort;
    this.asyncPort = asyncPort;
    this.words = new Int32Array(control, 0, HEADER_BYTES / 4);
    this.toVu = Buffer.from(control, HEADER_BYTES, AREA_BYTES);
    this.fromVu = Buffer.from(control, HEADER_BYTES + AREA_BYTES, AREA_BYTES);
  }
  toVuPort;
  fromVuPort;
  asyncPort;
  words;
  toVu;
  fromVu;
};
var ChannelInterrupted = class extends Error {
};
var VuChannel = class extends ChannelEnd {
  bell;
  constructor(control, bell, toVuPort, fromVuPort, asyncPort) {
    super(control, toVuPort, fromVuPort, asyncPort);
    this.bell = new Int32Array(bell);
  }
  get interrupted() {
    return Atomics.load(this.words, INTERRUPTED) === 1;
  }
  /** The wake-up counter: read it before checking for work, then `changed(seen)` cannot miss a wake-up. */
  get seen() {
    return Atomics.load(this.words, SIGNAL);
  }
  /** Resolves once the engine woke this VU after `seen` was read, letting the VU's event loop run meanwhile. */
  async changed(seen) {
    const waiting = waitAsync(this.words, SIGNAL, seen);
    if (waiting.async) await waiting.value;
  }
  /** Answers to async requests received so far. */
  *replies() {
    for (let next = receiveMessageOnPort(this.asyncPort); next; next = receiveMessageOnPort(this.asyncPort))
      yield next.message;
  }
  /** The engine's pending frame, if any, without waiting. */
  take() {
    if (Atomics.load(this.words, TO_VU_READY) !== 1) return void 0;
    const value = readFrame(this.toVu, this.toVuPort, Atomics.load(this.words, TO_VU_LENGTH));
    Atomics.store(this.words, TO_VU_READY, 0);
    return value;
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
      const value = this.take();
      if (value !== void 0) return value;
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

// actions/lib/load/builtin/vu/realm.ts
import { types } from "node:util";
function isThenable(value) {
  return typeof value?.then === "function";
}
var isArrayBuffer = (value) => types.isArrayBuffer(value);
var isError = (value) => types.isNativeError(value);

// actions/lib/load/builtin/vu/encoding-module.ts
function toBytes(input) {
  if (typeof input === "string") return Buffer.from(input, "utf8");
  if (isArrayBuffer(input)) return Buffer.from(input);
  if (ArrayBuffer.isView(input)) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError(`expected a string or an ArrayBuffer, got ${typeof input}`);
}
function toArrayBuffer(bytes2) {
  return bytes2.buffer.slice(bytes2.byteOffset, bytes2.byteOffset + bytes2.byteLength);
}
function flavour(encoding) {
  const value = encoding === void 0 || encoding === "" ? "std" : String(encoding);
  if (value === "std" || value === "rawstd" || value === "url" || value === "rawurl") return value;
  throw new Error(`unsupported base64 encoding '${value}' (std, rawstd, url, rawurl)`);
}
function base64(bytes2, encoding) {
  const kind = flavour(encoding);
  const url = kind === "url" || kind === "rawurl";
  const text = bytes2.toString(url ? "base64url" : "base64");
  if (kind === "rawurl" || kind === "rawstd") return text.replace(/=+$/, "");
  return url ? text.padEnd(Math.ceil(text.length / 4) * 4, "=") : text;
}
function createEncodingModule() {
  return {
    b64encode(input, encoding) {
      return base64(toBytes(input), encoding);
    },
    b64decode(input, encoding, format2) {
      const kind = flavour(encoding);
      const text = String(input);
      const alphabet = kind === "url" || kind === "rawurl" ? /^[A-Za-z0-9_-]*=*$/ : /^[A-Za-z0-9+/]*=*$/;
      if (!alphabet.test(text)) throw new Error(`illegal base64 data in '${text.slice(0, 32)}'`);
      const bytes2 = Buffer.from(text, kind === "url" || kind === "rawurl" ? "base64url" : "base64");
      return format2 === "s" ? bytes2.toString("utf8") : toArrayBuffer(bytes2);
    }
  };
}

// actions/lib/load/builtin/vu/node-crypto.ts
import { createRequire } from "node:module";
var loaded;
function nodeCrypto() {
  loaded ??= createRequire(import.meta.url)("node:crypto");
  return loaded;
}

// actions/lib/load/builtin/vu/crypto-module.ts
var algorithms = {
  md4: "md4",
  md5: "md5",
  sha1: "sha1",
  sha256: "sha256",
  sha384: "sha384",
  sha512: "sha512",
  sha512_224: "sha512-224",
  sha512_256: "sha512-256",
  ripemd160: "ripemd160"
};
function algorithm(name) {
  const found = algorithms[String(name)];
  if (!found) throw new Error(`unsupported hash algorithm '${String(name)}'`);
  return found;
}
function encode(digest, encoding) {
  switch (encoding) {
    case "hex":
      return digest.toString("hex");
    case "base64":
      return base64(digest, "std");
    case "base64url":
      return base64(digest, "url");
    case "base64rawurl":
      return base64(digest, "rawurl");
    case "binary":
      return toArrayBuffer(digest);
    default:
      throw new Error(
        `invalid output encoding '${String(encoding)}' (hex, base64, base64url, base64rawurl, binary)`
      );
  }
}
var Hasher = class {
  constructor(inner) {
    this.inner = inner;
  }
  inner;
  update(input) {
    this.inner.update(toBytes(input));
  }
  digest(encoding) {
    return encode(this.inner.digest(), encoding);
  }
};
function createCryptoModule() {
  const digest = (name) => (input, encoding) => encode(nodeCrypto().createHash(algorithm(name)).update(toBytes(input)).digest(), encoding);
  const hashes = Object.fromEntries(Object.keys(algorithms).map((name) => [name, digest(name)]));
  return {
    ...hashes,
    hmac(name, secret, data2, encoding) {
      return encode(
        nodeCrypto().createHmac(algorithm(name), toBytes(secret)).update(toBytes(data2)).digest(),
        encoding
      );
    },
    createHash(name) {
      return new Hasher(nodeCrypto().createHash(algorithm(name)));
    },
    createHMAC(name, secret) {
      return new Hasher(nodeCrypto().createHmac(algorithm(name), toBytes(secret)));
    },
    randomBytes(size) {
      return toArrayBuffer(nodeCrypto().randomBytes(Number(size)));
    }
  };
}

// actions/lib/load/builtin/vu/data-module.ts
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

// actions/lib/load/builtin/vu/state.ts
import { parentPort } from "node:worker_threads";

// actions/lib/load/builtin/wire.ts
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
var zeroTimings = {
  duration: 0,
  blocked: 0,
  looking_up: 0,
  connecting: 0,
  tls_handshaking: 0,
  sending: 0,
  waiting: 0,
  receiving: 0
};
function failedResponse(method, url, code, error) {
  return {
    status: 0,
    status_text: "",
    proto: "",
    url,
    headers: {},
    body: null,
    timings: { ...zeroTimings },
    error,
    error_code: code,
    remote_ip: "",
    remote_port: 0,
    request: { method, url, headers: {}, body: "" }
  };
}
function toWire(spec, response) {
  const { timings, request, url } = response;
  const wire = {};
  for (const key in response)
    if (key !== "timings" && key !== "request" && key !== "url")
      wire[key] = response[key];
  wire.timings = timingNames.map((name) => timings[name]);
  const echoed = url === spec.url && request.url === spec.url && request.method === spec.method && Object.keys(request.headers).length === Object.keys(spec.headers).length;
  if (!echoed) {
    wire.url = url;
    wire.request = request;
  }
  return wire;
}
function requestEcho(method, url, headers, body) {
  const lists = {};
  for (const name in headers) lists[name] = [headers[name]];
  return {
    method,
    url,
    headers: lists,
    body: typeof body === "string" ? body : body ? Buffer.from(body).toString("utf8") : ""
  };
}
function fromWire(spec, wire) {
  const timings = {};
  for (let i = 0; i < timingNames.length; i++) timings[timingNames[i]] = wire.timings[i];
  const response = Object.assign({}, wire);
  response.timings = timings;
  response.url = wire.url ?? spec.url;
  response.request = wire.request ?? requestEcho(spec.method, spec.url, spec.headers, spec.body);
  return response;
}

// actions/lib/load/builtin/vu/event-loop.ts
import { clearInterval, setInterval, setTimeout } from "node:timers";
var EventLoop = class {
  timers = /* @__PURE__ */ new Map();
  nextId = 1;
  pending = 0;
  /** Bumped by reset(): releases of operations from before it no longer count. */
  epoch = 0;
  wakeIdle;
  failure;
  get idle() {
    return this.pending === 0;
  }
  /** Registers one operation VU code waits for; returns its release (idempotent). */
  hold() {
    this.pending++;
    const epoch = this.epoch;
    let released = false;
    return () => {
      if (released || epoch !== this.epoch) return;
      released = true;
      this.pending--;
      if (this.pending === 0) this.wakeIdle?.();
    };
  }
  /** An uncaught error of VU code outside the awaited promise: the running call fails with it (false: none runs). */
  fail(error) {
    this.failure?.(error);
    return this.failure !== void 0;
  }
  run(callback, args) {
    try {
      const result = callback(...args);
      if (isThenable(result)) result.then(void 0, (error) => void this.fail(error));
    } catch (error) {
      void this.fail(error);
    }
  }
  setTimeout = (callback, delay, ...args) => {
    if (typeof callback !== "function") throw new TypeError("setTimeout needs a function");
    const id = this.nextId++;
    const release = this.hold();
    const handle = setTimeout(
      () => {
        this.timers.delete(id);
        this.run(callback, args);
        release();
      },
      Math.max(0, Number(delay) || 0)
    );
    this.timers.set(id, { handle, release });
    return id;
  };
  /** An interval keeps the call alive until cleared, as in k6. */
  setInterval = (callback, delay, ...args) => {
    if (typeof callback !== "function") throw new TypeError("setInterval needs a function");
    const id = this.nextId++;
    const handle = setInterval(() => this.run(callback, args), Math.max(1, Number(delay) || 0));
    this.timers.set(id, { handle, release: this.hold() });
    return id;
  };
  clearTimeout = (id) => {
    const timer = this.timers.get(Number(id));
    if (!timer) return;
    this.timers.delete(Number(id));
    clearInterval(timer.handle);
    timer.release();
  };
  clearInterval = (id) => this.clearTimeout(id);
  /**
   * Waits for `value` (VU code's return value), then until nothing is pending; rejects with the first uncaught
   * error, or when `stop` rejects (interruption).
   */
  async settle(value, stop) {
    const failed = new Promise((_, reject) => {
      this.failure = reject;
    });
    try {
      const result = await Promise.race([value, failed, stop]);
      while (this.pending > 0) {
        const idle = new Promise((resolveIdle) => {
          this.wakeIdle = resolveIdle;
        });
        await Promise.race([idle, failed, stop]);
      }
      return result;
    } finally {
      this.failure = void 0;
      this.wakeIdle = void 0;
    }
  }
  /** Drops every pending timer (the call was interrupted or failed). */
  reset() {
    for (const timer of this.timers.values()) clearInterval(timer.handle);
    this.timers.clear();
    this.pending = 0;
    this.epoch++;
  }
};

// actions/lib/load/builtin/vu/state.ts
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
var VuBase = class {
  constructor(vuId) {
    this.vuId = vuId;
  }
  vuId;
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
  loop = new EventLoop();
  /**
   * Builtins of VU code's realm: randomSeed replaces its Math.random; http.asyncRequest answers with its Promise,
   * so that a rejection nobody handles is charged to this VU.
   */
  realm = { Math, Promise };
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
};
var VuState = class extends VuBase {
  constructor(vuId, channel2) {
    super(vuId);
    this.channel = channel2;
  }
  channel;
  pooled = false;
  requestId = 0;
  /** Async requests awaiting their answers, by request id. */
  inFlight = /* @__PURE__ */ new Map();
  /** Events of VU code, sent with the next frame (in order with the iteration that produced them). */
  events = [];
  /** Completed iterations of a standing order not reported yet: they ride on the VU's next frame. */
  records = [];
  /** When the VU last sent a frame (performance.now()). */
  lastSentAt = 0;
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
    this.lastSentAt = performance.now();
  }
  /**
   * Sends the completed iterations not reported yet on their own, before the VU waits (sleep, an await): no frame
   * they could ride on leaves while it waits, and the engine's figures must not lag behind by the wait.
   */
  flushRecords() {
    if (this.records.length > 0) this.send({ type: "records" });
  }
  /** Set during the warm-up dry run only (warm-up.ts): requests are answered in the thread, nothing is sent. */
  answerLocally;
  http(requests) {
    if (this.answerLocally) return this.answerLocally(requests);
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
  httpAsync(requests) {
    const id = ++this.requestId;
    return new Promise((resolve2) => {
      this.inFlight.set(id, { requests, resolve: resolve2, release: this.loop.hold() });
      this.send(
        { type: "http", id, requests, async: true },
        requests.some((r) => r.body instanceof Uint8Array)
      );
    });
  }
  /** Hands the answers received so far to their async requests. */
  deliverReplies() {
    for (const reply of this.channel.replies()) {
      const waiting = this.inFlight.get(reply.id);
      if (!waiting) continue;
      this.inFlight.delete(reply.id);
      waiting.resolve(reply.responses.map((r, i) => fromWire(waiting.requests[i], r)));
      waiting.release();
    }
  }
  dropPending() {
    this.inFlight.clear();
    this.loop.reset();
  }
  sleep(ms) {
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
};

// actions/lib/load/builtin/vu/execution-module.ts
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

// actions/lib/load/builtin/vu/form-body.ts
var FileData = class {
  constructor(data2, filename, content_type) {
    this.data = data2;
    this.filename = filename;
    this.content_type = content_type;
  }
  data;
  filename;
  content_type;
};
function file(data2, filename, contentType) {
  if (typeof data2 !== "string" && !isArrayBuffer(data2))
    throw new Error(`invalid type ${data2 === null ? "null" : typeof data2}, expected string or ArrayBuffer`);
  const name = filename ?? String(BigInt(Date.now()) * 1000000n);
  return new FileData(data2, name, contentType ?? "application/octet-stream");
}
function formValue(value) {
  if (value === null || value === void 0) return "";
  if (typeof value === "object") {
    console.warn(
      "cannot urlencode a nested value in a request form body; encoding it as an empty value, use JSON.stringify() to send structured data"
    );
    return "";
  }
  return String(value);
}
var escapeQuotes = (text) => text.replace(/[\\"]/g, (c) => `\\${c}`);
function multipart(fields) {
  const boundary = nodeCrypto().randomBytes(30).toString("hex");
  const chunks = [];
  let first = true;
  const part = (headers, data2) => {
    const lead = first ? `--${boundary}\r
` : `\r
--${boundary}\r
`;
    first = false;
    const head = headers.map(([k, v]) => `${k}: ${v}\r
`).join("");
    chunks.push(Buffer.from(`${lead}${head}\r
`), data2);
  };
  for (const [name, value] of Object.entries(fields)) {
    if (value instanceof FileData)
      part(
        [
          [
            "Content-Disposition",
            // k6 writes this header itself and escapes only the filename (Go's CreateFormField escapes a name).
            `form-data; name="${name}"; filename="${escapeQuotes(value.filename)}"`
          ],
          ["Content-Type", value.content_type]
        ],
        typeof value.data === "string" ? Buffer.from(value.data) : Buffer.from(new Uint8Array(value.data))
      );
    else
      part(
        [["Content-Disposition", `form-data; name="${escapeQuotes(name)}"`]],
        Buffer.from(formValue(value))
      );
  }
  chunks.push(Buffer.from(`\r
--${boundary}--\r
`));
  const all = Buffer.concat(chunks);
  return {
    body: new Uint8Array(all.buffer, all.byteOffset, all.byteLength),
    contentType: `multipart/form-data; boundary=${boundary}`
  };
}
function formBody(fields) {
  if (Object.values(fields).some((v) => v instanceof FileData)) return multipart(fields);
  return { body: urlEncoded(fields), contentType: "application/x-www-form-urlencoded" };
}
function urlEncoded(fields) {
  const form = new URLSearchParams();
  const keys = Object.keys(fields).sort();
  for (const [key, value] of keys.map((k) => [k, fields[k]]))
    for (const item of Array.isArray(value) ? value : [value]) form.append(key, formValue(item));
  return form.toString();
}

// actions/lib/load/builtin/vu/packages.ts
import { createRequire as createRequire2 } from "node:module";
var requireFrom;
function loadPackagesFrom(url) {
  requireFrom = createRequire2(url);
}
function loadPackage(name) {
  if (!requireFrom) throw new Error(`${name}: the VU was started without a package location`);
  return requireFrom(name);
}

// actions/lib/load/builtin/vu/html.ts
var cheerio;
var Selection = class _Selection {
  constructor($, nodes) {
    this.$ = $;
    this.nodes = nodes;
  }
  $;
  nodes;
  wrap(nodes) {
    return new _Selection(this.$, nodes);
  }
  find(selector) {
    return this.wrap(this.nodes.find(selector));
  }
  text() {
    return this.nodes.text();
  }
  html() {
    return this.nodes.html() ?? "";
  }
  attr(name, fallback) {
    return this.nodes.attr(name) ?? fallback;
  }
  /** k6's value of a form element (its Selection.val): by tag, from attributes, `undefined` for other elements. */
  val() {
    const first = this.nodes.first();
    const attr = (name) => first.attr(name);
    const valueOrHtml = (option) => option.attr("value") ?? option.html() ?? "";
    switch (this.nodeName()) {
      case "input": {
        const type = attr("type");
        return attr("value") ?? (type === "radio" || type === "checkbox" ? "on" : "");
      }
      case "button":
        return attr("value") ?? "";
      case "textarea":
        return first.html() ?? "";
      case "option":
        return valueOrHtml(first);
      case "select": {
        const selected = first.find("option[selected]");
        if (attr("multiple") !== void 0) return selected.toArray().map((o) => valueOrHtml(this.$(o)));
        return selected.length > 0 ? valueOrHtml(selected.first()) : "";
      }
      default:
        return void 0;
    }
  }
  /**
   * The successful controls of a form (or the selected controls themselves), as k6 picks them: named, not
   * disabled="disabled", not a button, image or file input, and checkboxes and radios only with checked="checked".
   */
  serializeArray() {
    const submittable = "input,select,textarea,keygen";
    const controls = this.nodes.is("form") ? this.nodes.find(submittable) : this.nodes.filter(submittable);
    const excluded = /* @__PURE__ */ new Set(["submit", "button", "reset", "image", "file"]);
    return this.wrap(controls).toArray().filter((control) => {
      const type = control.attr("type") ?? "";
      return (control.attr("name") ?? "") !== "" && control.attr("disabled") !== "disabled" && !excluded.has(type) && (control.attr("checked") === "checked" || type !== "checkbox" && type !== "radio");
    }).map((control) => ({ name: control.attr("name"), value: control.val() }));
  }
  serializeObject() {
    return Object.fromEntries(this.serializeArray().map(({ name, value }) => [name, value]));
  }
  /** The controls as a query string (last value of a name wins, keys sorted: Go's url.Values encoding). */
  serialize() {
    return urlEncoded(this.serializeObject());
  }
  data(key) {
    return key === void 0 ? this.nodes.data() : this.nodes.data(key);
  }
  first() {
    return this.wrap(this.nodes.first());
  }
  last() {
    return this.wrap(this.nodes.last());
  }
  eq(index) {
    return this.wrap(this.nodes.eq(index));
  }
  children(selector) {
    return this.wrap(selector ? this.nodes.children(selector) : this.nodes.children());
  }
  parent(selector) {
    return this.wrap(selector ? this.nodes.parent(selector) : this.nodes.parent());
  }
  next(selector) {
    return this.wrap(selector ? this.nodes.next(selector) : this.nodes.next());
  }
  prev(selector) {
    return this.wrap(selector ? this.nodes.prev(selector) : this.nodes.prev());
  }
  filter(selector) {
    return this.wrap(this.nodes.filter(selector));
  }
  not(selector) {
    return this.wrap(this.nodes.not(selector));
  }
  has(selector) {
    return this.wrap(this.nodes.has(selector));
  }
  closest(selector) {
    return this.wrap(this.nodes.closest(selector));
  }
  is(selector) {
    return this.nodes.is(selector);
  }
  size() {
    return this.nodes.length;
  }
  get length() {
    return this.nodes.length;
  }
  toArray() {
    return this.nodes.toArray().map((node) => this.wrap(this.$(node)));
  }
  each(callback) {
    this.toArray().forEach((element, index) => {
      callback(index, element);
    });
    return this;
  }
  map(callback) {
    return this.toArray().map((element, index) => callback(index, element));
  }
  /** The i-th element (k6 returns an Element; here a one-element Selection with the Element methods). */
  get(index) {
    return this.toArray()[index];
  }
  textContent() {
    return this.text();
  }
  innerHTML() {
    return this.html();
  }
  getAttribute(name) {
    return this.attr(name);
  }
  nodeName() {
    const node = this.nodes.get(0);
    return (node?.tagName ?? node?.name ?? "").toLowerCase();
  }
};
function parseHTML(html) {
  cheerio ??= loadPackage("cheerio/slim");
  const $ = cheerio.load(String(html));
  return new Selection($, $.root());
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

// actions/lib/load/builtin/vu/cookies.ts
var tough;
function toughCookie() {
  tough ??= loadPackage("tough-cookie");
  return tough;
}
function append(map, key, value) {
  const list = map[key];
  if (list) list.push(value);
  else map[key] = [value];
}
var CookieJar = class {
  inner;
  /** tough-cookie's jar, made on first use; `rejectPublicSuffixes` off so that loopback and bare hosts work. */
  get jar() {
    this.inner ??= new (toughCookie()).CookieJar(void 0, { rejectPublicSuffixes: false, looseMode: true });
    return this.inner;
  }
  cookiesForURL(url) {
    const out = {};
    for (const cookie of this.jar.getCookiesSync(String(url))) append(out, cookie.key, cookie.value);
    return out;
  }
  set(url, name, value, options = {}) {
    const cookie = new (toughCookie()).Cookie({
      key: String(name),
      value: String(value),
      ...options.domain ? { domain: options.domain } : {},
      ...options.path ? { path: options.path } : {},
      ...options.expires ? { expires: new Date(options.expires) } : {},
      ...options.max_age !== void 0 ? { maxAge: options.max_age } : {},
      secure: options.secure === true,
      httpOnly: options.http_only === true
    });
    this.jar.setCookieSync(cookie, String(url));
  }
  clear(url) {
    for (const cookie of this.jar.getCookiesSync(String(url)))
      this.jar.store.removeCookie(cookie.domain, cookie.path, cookie.key, () => void 0);
  }
  delete(url, name) {
    for (const cookie of this.jar.getCookiesSync(String(url)))
      if (cookie.key === name)
        this.jar.store.removeCookie(cookie.domain, cookie.path, cookie.key, () => void 0);
  }
  /** The `Cookie` header for a request to `url`, with the request's own cookies added or replacing. */
  header(url, own) {
    if (!this.inner && !own) return "";
    let pairs = this.jar.getCookiesSync(url).map((c) => [c.key, c.value]);
    for (const [name, spec] of Object.entries(own ?? {})) {
      const { value, replace } = spec !== null && typeof spec === "object" ? spec : { value: spec, replace: false };
      if (replace) pairs = pairs.filter(([key]) => key !== name);
      pairs.push([name, String(value)]);
    }
    return pairs.map(([k, v]) => `${k}=${v}`).join("; ");
  }
  /** Stores the `Set-Cookie` headers of every hop of a response. */
  store(setCookies) {
    for (const [url, header] of setCookies) this.jar.setCookieSync(header, url, { ignoreError: true });
  }
};
function responseCookies(url, setCookies) {
  const out = {};
  for (const [hop, header] of setCookies ?? []) {
    if (hop !== url) continue;
    const cookie = toughCookie().Cookie.parse(header, { loose: true });
    if (!cookie) continue;
    append(out, cookie.key, {
      name: cookie.key,
      value: cookie.value,
      domain: cookie.domain ?? "",
      path: cookie.path ?? "",
      http_only: cookie.httpOnly,
      secure: cookie.secure,
      max_age: typeof cookie.maxAge === "number" ? cookie.maxAge : 0,
      expires: cookie.expires instanceof Date ? cookie.expires.getTime() : 0
    });
  }
  return out;
}

// actions/lib/load/builtin/vu/json-path.ts
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

// actions/lib/load/builtin/vu/request-url.ts
var TemplatedUrl = class {
  constructor(url, name) {
    this.url = url;
    this.name = name;
  }
  url;
  name;
  toString() {
    return this.url;
  }
};
function templatedUrl(strings, ...values) {
  let url = "";
  let name = "";
  strings.forEach((part, i) => {
    url += part;
    name += part;
    if (i < values.length) {
      url += String(values[i]);
      name += "${}";
    }
  });
  return new TemplatedUrl(url, name);
}
var UrlError = class extends Error {
  constructor(url, code, message) {
    super(message);
    this.url = url;
    this.code = code;
  }
  url;
  code;
};
var cache = /* @__PURE__ */ new Map();
function parse(raw) {
  let parsed;
  try {
    parsed = new URL(raw);
  } catch {
    if (!raw.includes("://")) throw new UrlError(raw, 1e3, `unsupported protocol scheme ""`);
    throw new UrlError(raw, 1020, `invalid URL: parse "${raw}"`);
  }
  if (!parsed.username && !parsed.password) return { url: raw, shown: raw };
  const shown = mask(raw, parsed.password !== "");
  const credentials = {
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password)
  };
  parsed.username = "";
  parsed.password = "";
  return { url: parsed.toString(), shown, credentials };
}
function mask(url, hasPassword) {
  const scheme = url.indexOf("://") + 3;
  const at = url.indexOf("@", scheme);
  if (scheme < 3 || at < 0) return url;
  return `${url.slice(0, scheme)}${hasPassword ? "****:****" : "****"}${url.slice(at)}`;
}
function requestUrl(url) {
  const templated = url instanceof TemplatedUrl ? url : void 0;
  const raw = String(url);
  let known = cache.get(raw);
  if (!known) {
    known = parse(raw);
    if (cache.size < 1e3) cache.set(raw, known);
  }
  if (!templated) return known;
  const name = known.credentials ? mask(templated.name, known.credentials.password !== "") : templated.name;
  return { ...known, name };
}

// actions/lib/load/builtin/vu/http-module.ts
var userAgent = "Grafana k6/2.2.0 (scalegate builtin engine)";
var defaultExpected = { codes: [], ranges: [{ min: 200, max: 399 }] };
var Response = class {
  /** The module's request function: submitForm and clickLink send their request as the VU's http.request. */
  #request;
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
  cookies;
  tls_version = "";
  tls_cipher_suite = "";
  // Field by field: a rest spread and Object.assign cost a pooled VU's request about a microsecond more.
  constructor(data2, request) {
    this.#request = request;
    this.status = data2.status;
    this.status_text = data2.status_text;
    this.proto = data2.proto;
    this.url = data2.url;
    this.headers = data2.headers;
    this.body = data2.body;
    this.timings = data2.timings;
    this.error = data2.error;
    this.error_code = data2.error_code;
    this.remote_ip = data2.remote_ip;
    this.remote_port = data2.remote_port;
    this.request = data2.request;
    if (data2.tls_version !== void 0) this.tls_version = data2.tls_version;
    this.cookies = data2.setCookies ? responseCookies(data2.url, data2.setCookies) : {};
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
  /** The body as a k6 Selection, optionally narrowed to `selector`. */
  html(selector) {
    const text = typeof this.body === "string" ? this.body : this.body ? new TextDecoder().decode(this.body) : "";
    const document = parseHTML(text);
    return selector === void 0 ? document : document.find(selector);
  }
  /**
   * Fills in and submits a form of the page as k6 does: the first match of `formSelector` ('form'); its method
   * (GET by default) and action (resolved against this response's URL, which it defaults to); its controls'
   * values, the submit button's name and value, then `fields` over them; a GET sends them as the query.
   */
  submitForm(options = {}) {
    const formSelector = options.formSelector ?? "form";
    const form = this.html(formSelector);
    if (form.size() === 0)
      throw new Error(`no form found for selector '${formSelector}' in response '${this.url}'`);
    const method = (form.attr("method") || "GET").toUpperCase();
    const action = form.attr("action");
    const target = action === void 0 ? new URL(this.url) : new URL(action, this.url);
    const formValues = form.serializeObject();
    const values = { ...formValues };
    const submit = form.find(options.submitSelector ?? '[type="submit"]');
    const submitName = submit.attr("name");
    const submitValue = submit.val();
    if (submitName !== void 0 && submitValue !== void 0) values[submitName] = submitValue;
    Object.assign(values, options.fields);
    if (method !== "GET") {
      for (const [name, value] of Object.entries(values))
        if (Array.isArray(value) && value === formValues[name]) values[name] = `[${value.join(" ")}]`;
      return this.#request(method, target.toString(), values, options.params);
    }
    target.search = urlEncoded(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)])));
    return this.#request(method, target.toString(), null, options.params);
  }
  /** Follows a link of the page as k6 does: the first match of `selector` ('a[href]'), its href resolved. */
  clickLink(options = {}) {
    const selector = options.selector ?? "a[href]";
    const link = this.html(selector);
    if (link.size() === 0)
      throw new Error(`no element found for selector '${selector}' in response '${this.url}'`);
    const href = link.attr("href");
    if (href === void 0)
      throw new Error(
        `no valid href attribute value found on element '${selector}' in response '${this.url}'`
      );
    return this.#request("GET", new URL(href, this.url).toString(), null, options.params);
  }
};
function encodeBody(body, headers) {
  if (body === null || body === void 0) return null;
  if (typeof body === "string") return body;
  if (isArrayBuffer(body)) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  const form = formBody(body);
  if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
    headers["Content-Type"] = form.contentType;
  return form.body;
}
function createHttpModule(vu2, options) {
  let responseCallback = defaultExpected;
  let vuJar = new CookieJar();
  let jarIteration = vu2.iteration;
  const activeJar = () => {
    if (jarIteration !== vu2.iteration && options().noCookiesReset !== true) {
      vuJar = new CookieJar();
      jarIteration = vu2.iteration;
    }
    return vuJar;
  };
  const jarOf = (params) => params?.jar === void 0 ? activeJar() : params.jar;
  function spec(method, url, body, params = {}) {
    const target = requestUrl(url);
    if (params.auth !== void 0 && !["basic", "digest", "ntlm"].includes(params.auth))
      throw new Error(
        `params.auth '${params.auth}' is not supported by the builtin engine (basic, digest, ntlm)`
      );
    const digest = params.auth === "digest" ? target.credentials : void 0;
    const ntlm = params.auth === "ntlm" ? target.credentials : void 0;
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
    if (target.credentials && params.auth !== "digest" && params.auth !== "ntlm" && !Object.keys(headers).some((h) => h.toLowerCase() === "authorization")) {
      const { username, password } = target.credentials;
      headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
    }
    const hasCookieHeader = Object.keys(headers).some((h) => h.toLowerCase() === "cookie");
    const cookie = jarOf(params)?.header(target.url, params.cookies) ?? "";
    if (cookie && !hasCookieHeader) headers.Cookie = cookie;
    const encoded = encodeBody(body, headers);
    const tags = vu2.tags();
    if (target.name !== void 0) tags.name = target.name;
    if (params.tags) for (const [k, v] of Object.entries(params.tags)) tags[k] = String(v);
    const timeout = params.timeout ?? 6e4;
    const discard = opts.discardResponseBodies === true;
    return {
      method: method.toUpperCase(),
      url: target.url,
      ...target.shown !== target.url ? { shownUrl: target.shown } : {},
      ...digest ? { digest } : {},
      ...ntlm ? { ntlm } : {},
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
    if (data2.setCookies) jarOf(params)?.store(data2.setCookies);
    return new Response(data2, request);
  }
  function prepare(method, url, body, params) {
    try {
      return spec(method, url, body, params);
    } catch (error) {
      if (!(error instanceof UrlError)) throw error;
      return failedResponse(method.toUpperCase(), error.url, error.code, error.message);
    }
  }
  function request(method, url, body, params) {
    if (vu2.pooled) return asyncRequest(method, url, body, params);
    vu2.requireVuContext("making HTTP requests");
    const prepared = prepare(method, url, body, params);
    const data2 = "status" in prepared ? prepared : vu2.http([prepared])[0];
    return finish(data2, params);
  }
  function asyncRequest(method, url, body, params) {
    return vu2.realm.Promise.resolve(requestAsync(method, url, body, params));
  }
  async function requestAsync(method, url, body, params) {
    vu2.requireVuContext("making HTTP requests");
    const prepared = prepare(method, url, body, params);
    const data2 = "status" in prepared ? prepared : (await vu2.httpAsync([prepared]))[0];
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
    const prepared = normalized.map((r) => prepare(r.method, r.url, r.body, r.params));
    const specs = prepared.filter((p) => !("status" in p));
    const wrap = (answers) => {
      let next = 0;
      const responses = prepared.map((p) => "status" in p ? p : answers[next++]);
      const wrapped = responses.map((data2, i) => finish(data2, normalized[i].params));
      if (Array.isArray(requests)) return wrapped;
      return Object.fromEntries(normalized.map((r, i) => [r.key, wrapped[i]]));
    };
    if (vu2.pooled) return vu2.httpAsync(specs).then(wrap);
    return wrap(specs.length > 0 ? vu2.http(specs) : []);
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
    asyncRequest,
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
    url: templatedUrl,
    cookieJar: () => activeJar(),
    file,
    CookieJar
  };
  return http;
}

// actions/lib/load/options.ts
var ConfigError = class extends Error {
};
var commonFields = ["executor", "startTime", "gracefulStop", "exec", "env", "tags", "options"];
var executorFields = {
  "shared-iterations": ["vus", "iterations", "maxDuration"],
  "per-vu-iterations": ["vus", "iterations", "maxDuration"],
  "constant-vus": ["vus", "duration"],
  "ramping-vus": ["startVUs", "stages", "gracefulRampDown"],
  "constant-arrival-rate": ["rate", "timeUnit", "duration", "preAllocatedVUs", "maxVUs"],
  "ramping-arrival-rate": ["startRate", "timeUnit", "stages", "preAllocatedVUs", "maxVUs"]
};
function num(raw, key, where, fallback) {
  const value = raw[key];
  if (value === void 0 || value === null) {
    if (fallback === void 0) throw new ConfigError(`${where}: ${key} is required`);
    return fallback;
  }
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value);
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new ConfigError(`${where}: ${key} must be a number, got ${JSON.stringify(value)}`);
  return value;
}
function dur(raw, key, where, fallback) {
  const value = raw[key];
  if (value === void 0 || value === null || value === "") {
    if (fallback === void 0) throw new ConfigError(`${where}: ${key} is required`);
    return fallback;
  }
  try {
    const ms = parseK6Duration(value, `${where}.${key}`);
    if (ms < 0) throw new ConfigError(`${where}: ${key} must not be negative`);
    return ms;
  } catch (error) {
    throw new ConfigError(error.message);
  }
}
function stages(raw, where) {
  const list = raw.stages;
  if (!Array.isArray(list) || list.length === 0)
    throw new ConfigError(`${where}: stages needs at least one stage`);
  return list.map((s, i) => {
    const stage = s;
    const target = num(stage, "target", `${where}.stages[${i}]`, 0);
    if (target < 0) throw new ConfigError(`${where}.stages[${i}]: target must not be negative`);
    return { durationMs: dur(stage, "duration", `${where}.stages[${i}]`), target };
  });
}
function stringMap(value, where) {
  if (value === void 0 || value === null) return {};
  if (typeof value !== "object") throw new ConfigError(`${where}: expected an object of strings`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}
function parseScenario(name, raw) {
  const where = `scenarios.${name}`;
  if (!/^[0-9a-zA-Z_-]+$/.test(name)) throw new ConfigError(`${where}: invalid scenario name`);
  const executor = raw.executor;
  const allowed = executorFields[executor];
  if (!allowed) throw new ConfigError(`${where}: unknown executor ${JSON.stringify(raw.executor)}`);
  for (const key of Object.keys(raw)) {
    if (!commonFields.includes(key) && !allowed.includes(key))
      throw new ConfigError(`${where}: json: unknown field "${key}"`);
  }
  const exec = raw.exec === void 0 ? "default" : raw.exec;
  if (typeof exec !== "string" || exec === "") throw new ConfigError(`${where}: exec must name a function`);
  const base = {
    name,
    startTimeMs: dur(raw, "startTime", where, 0),
    gracefulStopMs: dur(raw, "gracefulStop", where, 3e4),
    exec,
    env: stringMap(raw.env, `${where}.env`),
    tags: stringMap(raw.tags, `${where}.tags`)
  };
  const positive = (value, field) => {
    if (!(value > 0)) throw new ConfigError(`${where}: ${field} must be more than 0`);
    return value;
  };
  const atLeastSecond = (value, field) => {
    if (value < 1e3) throw new ConfigError(`${where}: ${field} must be at least 1s`);
    return value;
  };
  switch (executor) {
    case "shared-iterations":
    case "per-vu-iterations": {
      const vus = positive(num(raw, "vus", where, 1), "vus");
      const iterations = positive(num(raw, "iterations", where, 1), "iterations");
      if (executor === "shared-iterations" && iterations < vus)
        throw new ConfigError(
          `${where}: the number of iterations (${iterations}) can't be less than vus (${vus})`
        );
      const maxDurationMs2 = atLeastSecond(dur(raw, "maxDuration", where, 6e5), "maxDuration");
      return { ...base, executor, vus, iterations, maxDurationMs: maxDurationMs2 };
    }
    case "constant-vus":
      return {
        ...base,
        executor,
        vus: positive(num(raw, "vus", where, 1), "vus"),
        durationMs: atLeastSecond(dur(raw, "duration", where), "duration")
      };
    case "ramping-vus": {
      const startVUs = num(raw, "startVUs", where, 1);
      const list = stages(raw, where);
      if (startVUs < 0) throw new ConfigError(`${where}: startVUs must not be negative`);
      if (Math.max(startVUs, ...list.map((s) => s.target)) <= 0)
        throw new ConfigError(`${where}: either startVUs or one of the stages' targets must be more than 0`);
      return {
        ...base,
        executor,
        startVUs,
        stages: list,
        gracefulRampDownMs: dur(raw, "gracefulRampDown", where, 3e4)
      };
    }
    case "constant-arrival-rate":
    case "ramping-arrival-rate": {
      const preAllocatedVUs = num(raw, "preAllocatedVUs", where);
      const maxVUs = num(raw, "maxVUs", where, preAllocatedVUs);
      if (preAllocatedVUs < 0) throw new ConfigError(`${where}: preAllocatedVUs must not be negative`);
      if (maxVUs < preAllocatedVUs)
        throw new ConfigError(`${where}: maxVUs can't be less than preAllocatedVUs`);
      const timeUnitMs = dur(raw, "timeUnit", where, 1e3);
      if (timeUnitMs <= 0) throw new ConfigError(`${where}: timeUnit must be more than 0`);
      if (executor === "constant-arrival-rate") {
        return {
          ...base,
          executor,
          rate: positive(num(raw, "rate", where), "rate"),
          timeUnitMs,
          durationMs: atLeastSecond(dur(raw, "duration", where), "duration"),
          preAllocatedVUs,
          maxVUs
        };
      }
      return {
        ...base,
        executor,
        startRate: num(raw, "startRate", where, 0),
        timeUnitMs,
        stages: stages(raw, where),
        preAllocatedVUs,
        maxVUs
      };
    }
  }
}
function deriveScenarios(options) {
  const has = (key) => options[key] !== void 0 && options[key] !== null;
  const stageList = Array.isArray(options.stages) ? options.stages : [];
  const scenarios = options.scenarios ?? {};
  const hasScenarios = Object.keys(scenarios).length > 0;
  const vus = has("vus") ? options.vus : 1;
  let raw;
  if (has("iterations")) {
    if (stageList.length > 0)
      throw new ConfigError("using `iterations` and `stages` options simultaneously is not allowed");
    if (hasScenarios)
      throw new ConfigError("using `iterations` and `scenarios` options simultaneously is not allowed");
    raw = {
      default: {
        executor: "shared-iterations",
        vus,
        iterations: options.iterations,
        ...has("duration") ? { maxDuration: options.duration } : {}
      }
    };
  } else if (has("duration")) {
    if (stageList.length > 0 || hasScenarios)
      throw new ConfigError("using `duration` with `stages` or `scenarios` simultaneously is not allowed");
    raw = { default: { executor: "constant-vus", vus, duration: options.duration } };
  } else if (stageList.length > 0) {
    if (hasScenarios)
      throw new ConfigError("using `stages` and `scenarios` options simultaneously is not allowed");
    const withDuration = stageList.filter((s) => s.duration !== void 0 && s.duration !== "");
    raw = { default: { executor: "ramping-vus", startVUs: vus, stages: withDuration } };
  } else if (has("vus") && !hasScenarios) {
    raw = { default: { executor: "shared-iterations", vus, iterations: vus } };
  } else if (hasScenarios) {
    raw = scenarios;
  } else {
    raw = { default: { executor: "per-vu-iterations", vus: 1, iterations: 1 } };
  }
  return Object.entries(raw).map(([name, config]) => parseScenario(name, config));
}

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
function formatData(bytes2) {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let value = bytes2;
  let unit = 0;
  while (value >= 1e3 && unit < units.length - 1) {
    value /= 1e3;
    unit++;
  }
  if (unit === 0 && Number.isInteger(value)) return `${value} B`;
  const rounded = Math.round(value * 10) / 10;
  return `${rounded.toFixed(rounded < 10 ? 1 : 0)} ${units[unit]}`;
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

// actions/lib/load/builtin/vu/jslib.ts
var k6Summary = { textSummary, jUnit };
var k6Url = { URL, URLSearchParams };
var k6UtilsExports = [
  "check",
  "parseDuration",
  "getCurrentStageIndex",
  "tagWithCurrentStageIndex",
  "tagWithCurrentStageProfile",
  "findBetween",
  "normalDistributionStages",
  "randomIntBetween",
  "randomItem",
  "randomString",
  "uuidv4"
];
var density = (x) => Math.exp(-(x * x) / 2) / Math.sqrt(2 * Math.PI);
function createK6Utils(vu2, options) {
  const random = () => vu2.realm.Math.random();
  const currentStages = () => {
    const name = vu2.scenario?.name;
    if (!name) throw new Error("getCurrentStageIndex is not available in the init context");
    const scenario = deriveScenarios(options()).find((s) => s.name === name);
    if (!scenario) throw new Error(`the test options do not contain the current scenario ${name}`);
    if (!("stages" in scenario))
      throw new Error(
        "only ramping-vus and ramping-arrival-rate have stages: no stage index on other executors"
      );
    return scenario.stages;
  };
  const getCurrentStageIndex = () => {
    const stages2 = currentStages();
    const elapsed = Date.now() - vu2.scenario.startTime;
    let end = 0;
    for (let i = 0; i < stages2.length; i++) {
      end += stages2[i].durationMs;
      if (elapsed < end) return i;
    }
    return stages2.length - 1;
  };
  function check(value, checkers, tags) {
    if (isThenable(value)) return Promise.resolve(value).then((v) => check(v, checkers, tags));
    const extra = Object.fromEntries(Object.entries(tags ?? {}).map(([k, v]) => [k, String(v)]));
    const report = (name, outcome) => {
      vu2.emit("checks", outcome ? 1 : 0, { ...vu2.tags(), ...extra, check: name });
      return Boolean(outcome);
    };
    const results = Object.entries(checkers).map(([name, checker]) => {
      const outcome = typeof checker === "function" ? checker(value) : checker;
      return isThenable(outcome) ? Promise.resolve(outcome).then((o) => report(name, o)) : report(name, outcome);
    });
    if (results.some(isThenable)) return Promise.all(results).then((all) => all.every(Boolean));
    return results.every(Boolean);
  }
  return {
    check,
    parseDuration(text) {
      if (text === null || text === void 0 || String(text).length === 0) throw new Error("str is empty");
      return parseK6Duration(String(text), "parseDuration");
    },
    getCurrentStageIndex,
    tagWithCurrentStageIndex() {
      vu2.userTags.stage = String(getCurrentStageIndex());
    },
    tagWithCurrentStageProfile() {
      const index = getCurrentStageIndex();
      const stages2 = currentStages();
      const previous = stages2[index - 1];
      const current = stages2[index];
      vu2.userTags.stage_profile = !previous || current.target > previous.target ? "ramp-up" : current.target === previous.target ? "steady" : "ramp-down";
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
      return found.length > 0 ? found : null;
    },
    /**
     * A bell curve of VUs: the standard normal density sampled at `stages + 1` evenly spaced points over [-2, 2],
     * scaled so that its peak is `maxVus`, held for 4/6 of the duration, with a sixth to ramp up before and to
     * ramp down to 0 after.
     */
    normalDistributionStages(maxVus, durationSeconds, stages2 = 10) {
      const points = Array.from({ length: stages2 + 1 }, (_, i) => density(-2 + 4 * i / stages2));
      const peak = Math.max(...points);
      const edge = Math.ceil(durationSeconds / 6);
      const inner = Math.ceil(4 * durationSeconds / (6 * stages2));
      return [...points, 0].map((p, i) => ({
        duration: `${i === 0 || i === stages2 + 1 ? edge : inner}s`,
        target: Math.round(p * maxVus / peak)
      }));
    },
    randomIntBetween(min, max) {
      return Math.floor(random() * (max - min + 1) + min);
    },
    randomItem(items) {
      return items[Math.floor(random() * items.length)];
    },
    randomString(length, charset = "abcdefghijklmnopqrstuvwxyz") {
      let out = "";
      for (let i = 0; i < length; i++) out += charset[Math.floor(random() * charset.length)];
      return out;
    },
    /** As k6-utils: from Math.random unless `secure` (so a randomSeed makes it repeat), else from k6/crypto. */
    uuidv4(secure = false) {
      if (secure) return nodeCrypto().randomUUID();
      let out = "";
      for (let i = 0; i < 32; i++) {
        const digit = Math.floor(random() * 16);
        out += (i === 12 ? 4 : i === 16 ? digit & 3 | 8 : digit).toString(16);
        if (i === 7 || i === 11 || i === 15 || i === 19) out += "-";
      }
      return out;
    }
  };
}
var jslibPackages = {
  "https://jslib.k6.io/papaparse/5.1.1/index.js": "papaparse",
  "https://jslib.k6.io/jsonpath/1.0.2/index.js": "jsonpath",
  "https://jslib.k6.io/form-urlencoded/3.0.0/index.js": "form-urlencoded",
  // Installed under an alias: the project's own dependencies use ajv 8.
  "https://jslib.k6.io/ajv/6.12.5/index.js": "ajv-6"
};
var packageModule = (name) => `npm:${name}`;

// actions/lib/load/builtin/vu/jslib-formdata.ts
function bytes(data2) {
  if (typeof data2 === "string") return Buffer.from(data2, "latin1");
  if (Array.isArray(data2)) return Buffer.from(Uint8Array.from(data2));
  if (isArrayBuffer(data2)) return Buffer.from(data2);
  if (ArrayBuffer.isView(data2)) return Buffer.from(data2.buffer, data2.byteOffset, data2.byteLength);
  return Buffer.alloc(0);
}
var FormData = class {
  boundary = `------RWWorkerFormDataBoundary${Math.random().toString(36)}`;
  parts = [];
  /** Whether a string value is a text part (0.0.2) rather than read as a FileData (0.0.1). */
  textValues = true;
  append(...args) {
    if (args.length < 2) throw new SyntaxError("Not enough arguments");
    const [field, value] = args;
    if (typeof value === "string" && this.textValues) {
      this.parts.push({ field, data: value, contentType: "text/plain" });
      return;
    }
    if (value === null || value === void 0)
      throw new TypeError(
        `FormData.append('${field}'): the value is ${value}, expected a string or http.file()`
      );
    const file2 = value;
    this.parts.push({ field, data: file2.data, filename: file2.filename, contentType: file2.content_type });
  }
  body() {
    const chunks = this.parts.flatMap((part) => {
      const filename = part.filename ? `; filename="${part.filename.replace(/"/g, "%22")}"` : "";
      const head = `--${this.boundary}\r
Content-Disposition: form-data; name="${part.field}"${filename}\r
Content-Type: ${part.contentType || "application/octet-stream"}\r
\r
`;
      return [bytes(head), bytes(part.data), bytes("\r\n")];
    });
    const all = Buffer.concat([...chunks, bytes(`--${this.boundary}--\r
`)]);
    return all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  }
};
var FormDataV001 = class extends FormData {
  textValues = false;
};

// actions/lib/load/builtin/vu/k6-module.ts
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
        if (isThenable(outcome)) throw new Error("check does not support async functions");
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
    const end = () => {
      vu2.emit("group_duration", performance.now() - start, vu2.tags());
      vu2.groupPath = parent;
    };
    let result;
    try {
      result = fn();
    } catch (error) {
      end();
      throw error;
    }
    if (!isThenable(result)) {
      end();
      return result;
    }
    if (!vu2.pooled) {
      end();
      throw new Error("group does not support async functions");
    }
    return Promise.resolve(result).finally(end);
  }
  function sleep(seconds) {
    return vu2.sleep(Number(seconds) * 1e3);
  }
  function fail(message) {
    throw new Error(message ?? "");
  }
  function randomSeed(seed) {
    let state = Math.trunc(seed) >>> 0;
    vu2.realm.Math.random = () => {
      state = state + 1831565813 >>> 0;
      let t = state;
      t = Math.imul(t ^ t >>> 15, t | 1);
      t ^= t + Math.imul(t ^ t >>> 7, t | 61);
      return ((t ^ t >>> 14) >>> 0) / 4294967296;
    };
  }
  return { check, group, sleep, fail, randomSeed };
}

// actions/lib/load/builtin/vu/metrics-module.ts
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

// actions/lib/load/builtin/vu/modules.ts
var factories = {
  k6: (vu2) => createK6Module(vu2),
  "k6/http": (vu2, options) => createHttpModule(vu2, options),
  "k6/metrics": (vu2) => createMetricsModule(vu2),
  "k6/execution": (vu2, options) => createExecutionModule(vu2, options),
  "k6/data": (vu2) => createDataModule(vu2),
  "k6/crypto": () => createCryptoModule(),
  "k6/html": () => ({ parseHTML }),
  "k6/encoding": () => createEncodingModule(),
  "k6/timers": (vu2) => ({
    setTimeout: vu2.loop.setTimeout,
    clearTimeout: vu2.loop.clearTimeout,
    setInterval: vu2.loop.setInterval,
    clearInterval: vu2.loop.clearInterval
  }),
  "k6-summary": () => k6Summary,
  "k6-utils": (vu2, options) => createK6Utils(vu2, options),
  "k6-url": () => k6Url,
  "k6-formdata": () => ({ FormData }),
  "k6-formdata-0.0.1": () => ({ FormData: FormDataV001 })
};
function createModules(vu2, options) {
  const modules = Object.fromEntries(
    Object.entries(factories).map(([name, create]) => [name, create(vu2, options)])
  );
  for (const name of new Set(Object.values(jslibPackages)))
    Object.defineProperty(modules, packageModule(name), { get: () => loadPackage(name) });
  return modules;
}
var namedExports = {
  k6: ["check", "group", "sleep", "fail", "randomSeed"],
  "k6/http": [
    "request",
    "asyncRequest",
    "get",
    "head",
    "post",
    "put",
    "patch",
    "del",
    "options",
    "batch",
    "expectedStatuses",
    "setResponseCallback",
    "url",
    "cookieJar",
    "CookieJar",
    "file"
  ],
  "k6/metrics": ["Counter", "Gauge", "Rate", "Trend"],
  "k6/execution": [],
  "k6/data": ["SharedArray"],
  "k6/crypto": Object.keys(createCryptoModule()),
  "k6/html": ["parseHTML"],
  "k6/encoding": Object.keys(createEncodingModule()),
  "k6/timers": ["setTimeout", "clearTimeout", "setInterval", "clearInterval"],
  "k6-summary": Object.keys(k6Summary),
  "k6-utils": k6UtilsExports,
  "k6-url": Object.keys(k6Url),
  "k6-formdata": ["FormData"],
  "k6-formdata-0.0.1": ["FormData"]
};

// actions/lib/load/builtin/vu/runtime.ts
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
function describe(error) {
  if (isError(error)) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
function format(args) {
  return args.map((a) => typeof a === "string" ? a : isError(a) ? String(a) : JSON.stringify(a) ?? String(a)).join(" ");
}
function vuConsole(vu2) {
  const line = (level) => (...args) => vu2.post({ type: "log", level, message: format(args) });
  return {
    log: line("info"),
    info: line("info"),
    warn: line("warn"),
    error: line("error"),
    debug: line("debug")
  };
}
function opener(vu2, scriptPath) {
  const scriptDir = dirname(scriptPath);
  return (path, mode) => {
    if (vu2.phase !== "init") throw new Error("open() can be used only in the init context");
    const bytes2 = readFileSync(resolve(scriptDir, path));
    return mode === "b" ? bytes2.buffer.slice(bytes2.byteOffset, bytes2.byteOffset + bytes2.byteLength) : bytes2.toString("utf8");
  };
}
function takeFrame(vu2, frame, setEnv) {
  if (frame.scenario) {
    if (vu2.scenario?.name !== frame.scenario.name) setEnv(frame.scenario.env);
    vu2.scenario = frame.scenario;
  }
  vu2.testStartTime = frame.testStartTime;
  vu2.vusActive = frame.vusActive;
  vu2.vusInitialized = frame.vusInitialized;
}
function startIteration(vu2, inScenario, inTest, progress) {
  vu2.iteration++;
  vu2.iterationInScenario = inScenario;
  vu2.iterationInTest = inTest;
  vu2.progress = progress;
  vu2.groupPath = "";
  vu2.samples = [];
  return vu2.iteration;
}
async function iterateOnce(vu2, fn, setupData2, settle2, at) {
  at.setIter(startIteration(vu2, at.inScenario, at.inTest, at.progress));
  const start = performance.now();
  let error;
  try {
    await settle2(() => fn(setupData2));
  } catch (thrown) {
    vu2.groupPath = "";
    if (thrown instanceof InterruptError) {
      vu2.iterationsInterrupted++;
      return { outcome: "interrupted" };
    }
    if (thrown instanceof AbortTestError) return { outcome: "aborted", abortMessage: thrown.message };
    error = describe(thrown);
  }
  vu2.iterationsCompleted++;
  const tags = vu2.tags();
  vu2.emit("iterations", 1, tags);
  vu2.emit("iteration_duration", performance.now() - start, tags);
  return { outcome: "full", ...error ? { error } : {} };
}
function encodeSummaryOutput(result) {
  if (!result || typeof result !== "object") return JSON.stringify(null);
  const out = {};
  for (const [key, value] of Object.entries(result)) {
    if (isArrayBuffer(value)) out[key] = { base64: Buffer.from(value).toString("base64") };
    else out[key] = { text: String(value) };
  }
  return JSON.stringify(out);
}
async function callExport(vu2, name, fn, arg, settle2) {
  vu2.scenario = void 0;
  vu2.groupPath = name === "handleSummary" ? "" : `::${name}`;
  vu2.samples = [];
  try {
    const value = await settle2(() => fn(arg === void 0 ? void 0 : JSON.parse(arg)));
    const result = name === "handleSummary" ? encodeSummaryOutput(value) : JSON.stringify(value);
    return { samples: vu2.samples, outcome: "full", ...result === void 0 ? {} : { result } };
  } catch (thrown) {
    if (thrown instanceof AbortTestError)
      return { samples: vu2.samples, outcome: "aborted", abortMessage: thrown.message };
    if (thrown instanceof InterruptError) return { samples: vu2.samples, outcome: "interrupted" };
    return { samples: vu2.samples, outcome: "full", error: describe(thrown) };
  }
}

// actions/lib/load/builtin/vu/warm-up.ts
function answer(spec) {
  const response = {
    ...failedResponse(spec.method, spec.url, 0, ""),
    status: 200,
    status_text: "200 OK",
    proto: "HTTP/1.1",
    body: spec.responseType === "none" ? null : "ok"
  };
  return fromWire(spec, JSON.parse(JSON.stringify(toWire(spec, response))));
}
function warmUp(vu2, modules) {
  const { k6, "k6/http": http } = modules;
  const { phase, iteration, samples } = vu2;
  vu2.phase = "vu";
  vu2.samples = [];
  vu2.answerLocally = (requests) => requests.map(answer);
  try {
    for (let i = 0; i < 2; i++) {
      const response = http.request("GET", "http://127.0.0.1/");
      k6.check(response, { "status is 200": (r) => r.status === 200 });
    }
    k6.sleep(0);
  } finally {
    vu2.answerLocally = void 0;
    vu2.phase = phase;
    vu2.iteration = iteration;
    vu2.samples = samples;
  }
}

// actions/lib/workers/k6-vu.ts
process.setSourceMapsEnabled(true);
var data = workerData;
var vu = new VuState(
  data.vuId,
  new VuChannel(data.control, data.bell, data.toVuPort, data.fromVuPort, data.asyncPort)
);
var channel = vu.channel;
loadPackagesFrom(data.packagesFrom);
var postInit = (message) => parentPort2.postMessage(message);
var done = (frame) => vu.send({ type: "done", ...frame });
var globals = globalThis;
var scriptExports = {};
var scriptOptions = () => scriptExports.options ?? {};
globals.__k6_modules = createModules(vu, scriptOptions);
var baseEnv = { ...data.env };
globals.__ENV = baseEnv;
globals.__VU = data.vuId;
globals.__ITER = 0;
globals.setTimeout = vu.loop.setTimeout;
globals.clearTimeout = vu.loop.clearTimeout;
globals.setInterval = vu.loop.setInterval;
globals.clearInterval = vu.loop.clearInterval;
process.on("unhandledRejection", (reason) => {
  if (!vu.loop.fail(reason)) console.error(`Uncaught (in promise) ${describe(reason)}`);
});
globals.open = opener(vu, data.scriptPath);
Object.assign(console, vuConsole(vu));
function watch() {
  let ended = false;
  const stop = (async () => {
    for (; ; ) {
      const seen = channel.seen;
      vu.deliverReplies();
      if (channel.interrupted) throw new InterruptError();
      vu.flushRecords();
      await channel.changed(seen);
      if (ended) return new Promise(() => void 0);
    }
  })();
  stop.catch(() => void 0);
  return {
    stop,
    end: () => {
      ended = true;
    }
  };
}
async function settle(call) {
  try {
    const value = call();
    if (!(value instanceof Promise) && vu.loop.idle) return value;
    const watcher = watch();
    try {
      return await vu.loop.settle(value, watcher.stop);
    } finally {
      watcher.end();
    }
  } finally {
    vu.dropPending();
  }
}
async function init() {
  try {
    const url = `data:text/javascript;base64,${Buffer.from(data.code).toString("base64")}`;
    const namespace = await settle(() => import(url));
    scriptExports = { ...namespace };
    warmUp(vu, globals.__k6_modules);
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
}
var setupData;
var iterate = (inScenario, inTest, progress) => iterateOnce(vu, scriptExports[vu.scenario.exec], setupData, settle, {
  inScenario,
  inTest,
  progress,
  setIter: (iteration) => {
    globals.__ITER = iteration;
  }
});
var recordFlushMs = 100;
var recordFlushCount = 64;
async function runIteration(message) {
  if (message.setupData !== void 0) setupData = JSON.parse(message.setupData);
  takeFrame(vu, message, (env) => {
    globals.__ENV = { ...baseEnv, ...env };
  });
  const repeat = message.repeat;
  if (!repeat) {
    const end = await iterate(message.iterationInScenario, message.iterationInTest, message.progress);
    done({ samples: vu.samples, ...end });
    return;
  }
  const counter = new Int32Array(repeat.counter);
  let inScenario = message.iterationInScenario;
  for (; ; ) {
    const now = Date.now();
    const progress = Math.min(1, (now - repeat.start) / repeat.durationMs);
    const end = await iterate(inScenario++, Atomics.add(counter, 0, 1), progress);
    if (end.outcome !== "full") {
      done({ samples: vu.samples, ...end });
      return;
    }
    vu.records.push({ samples: vu.samples, ...end.error ? { error: end.error } : {} });
    vu.samples = [];
    const after = Date.now();
    if (after >= repeat.until || channel.interrupted) break;
    if (vu.records.length >= recordFlushCount || performance.now() - vu.lastSentAt >= recordFlushMs)
      vu.flushRecords();
  }
  done({ samples: [], outcome: "full" });
}
async function runCall(message) {
  const fn = scriptExports[message.fn];
  done(await callExport(vu, message.fn, fn, message.arg, settle));
}
async function nextFrame() {
  for (; ; ) {
    const seen = channel.seen;
    vu.deliverReplies();
    const frame = channel.take();
    if (frame) return frame;
    await channel.changed(seen);
  }
}
async function serve() {
  for (; ; ) {
    const frame = await nextFrame();
    try {
      if (frame.type === "iterate") await runIteration(frame);
      else if (frame.type === "call") await runCall(frame);
    } catch (error) {
      done({ samples: [], outcome: "full", error: describe(error) });
    }
  }
}
await init();
if (vu.phase === "vu") {
  keepAlive(() => void 0, 2 ** 30);
  void serve();
}
