/**
 * Load generation: the builtin k6 engine against wrk (Debian) and autocannon on the same loopback target (a
 * separate Node process pinned to one core). Figures: requests per CPU-second of the generator (goal: builtin at
 * least 0.25 of wrk), p99 agreement at the same concurrency, constant-arrival-rate accuracy at 2,000 req/s (goal:
 * within 1 %), time until 200 VUs run (goal: 3 s) and memory per VU (goal: at most 10 MB). Ratios are against wrk
 * measured in the same run; each generator runs `repetitions` times, interleaved, and the median run (by requests
 * per CPU-second) is reported. Without wrk (Debian: `apt-get install -y wrk`) the bench says so and compares with
 * autocannon only. A closing table gives the floors of the engine's thread-per-VU design measured in the same run
 * (CPU per request by thread, a bare cross-thread round trip, a bare thread start), which say why a goal is missed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { waitAsync } from '../actions/lib/load/builtin/channel.js';
import { HttpIo } from '../actions/lib/load/builtin/http-io.js';
import { vuThreadOptions } from '../actions/lib/load/builtin/vu-handle.js';
import { runLoad } from '../actions/lib/load/index.js';
import { MetricRegistry } from '../actions/lib/load/metrics.js';
import { builtinClosedLoop, type ClosedLoop, connections, seconds } from './builtin-closed-loop.js';

const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
const repetitions = 3;
const dir = await mkdtemp(join(tmpdir(), 'scalegate-load-bench-'));

const serverSource = `
const http = require('node:http');
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('ok')); });
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;
const server = spawn('taskset', ['-c', '1', process.execPath, '-e', serverSource], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const port = await new Promise<number>((resolvePort) =>
  server.stdout.once('data', (d: Buffer) => resolvePort(Number(String(d).trim()))),
);
const url = `http://127.0.0.1:${port}/`;

/** Runs a command pinned to core 0 under bash, returning its output and the CPU seconds its children used. */
function measured(command: string): { output: string; cpuSeconds: number } {
  const run = spawnSync('bash', ['-c', `taskset -c 0 ${command}; times`], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const lines = run.stdout.trimEnd().split('\n');
  // `times` prints the shell's own CPU time, then its children's.
  const children = lines.pop() ?? '';
  lines.pop();
  const toSeconds = (t: string) => {
    const m = /(\d+)m([\d.]+)s/.exec(t);
    return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
  };
  const [user, sys] = children.split(/\s+/);
  return { output: lines.join('\n'), cpuSeconds: toSeconds(user ?? '') + toSeconds(sys ?? '') };
}

function wrkRun() {
  const { output, cpuSeconds } = measured(`wrk -t1 -c${connections} -d${seconds}s --latency ${url}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0);
  const p99Text = /\s99%\s+([\d.]+)(us|ms|s)/.exec(output);
  const p99Ms = p99Text
    ? Number(p99Text[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[p99Text[2]!]!
    : 0;
  return { rps, p99Ms, perCore: (rps * seconds) / cpuSeconds };
}

function autocannonRun() {
  const bin = join(import.meta.dirname, '..', 'node_modules', '.bin', 'autocannon');
  const { output, cpuSeconds } = measured(`${bin} -c ${connections} -d ${seconds} -j ${url} 2>/dev/null`);
  const result = JSON.parse(output.slice(output.indexOf('{')));
  const total = result.requests.total as number;
  return { rps: total / seconds, p99Ms: result.latency.p99 as number, perCore: total / cpuSeconds };
}

async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, body);
  return path;
}

const quiet = { log: () => undefined, stdout: () => undefined };

/** How the last builtin run hosted its VUs, from its `--verbose` line (pooled, or a thread each and why). */
let hosting = 'not reported';
const noted = {
  verbose: true,
  stdout: () => undefined,
  log: (line: string) => {
    const said = /VUs run (.*)/.exec(line);
    if (said) hosting = said[1]!;
  },
};
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * The engine's closed loop in a process pinned to core 0, as wrk and autocannon run: the figure that compares with
 * theirs on equal terms (unpinned, the engine's threads share core 1 with the target server).
 */
function pinnedClosedLoop(): ClosedLoop {
  const child = join(import.meta.dirname, 'builtin-closed-loop.ts');
  const run = spawnSync('taskset', ['-c', '0', process.execPath, '--import', 'tsx', child, url, dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`pinned closed loop exited with ${run.status ?? run.signal}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as ClosedLoop;
}

async function builtinArrivalRate(rate: number) {
  const path = await script(
    `arrival-${rate}.js`,
    `import http from 'k6/http';
export const options = { discardResponseBodies: true, scenarios: { open: { executor: 'constant-arrival-rate',
  rate: ${rate}, timeUnit: '1s', duration: '${seconds}s', preAllocatedVUs: 100, maxVUs: 300 } } };
export default function () { http.get('${url}'); }`,
  );
  const outJson = join(dir, `arrival-${rate}.ndjson`);
  const result = await runLoad({ script: path, runner: 'builtin', outJson, ...noted });
  const achieved = result.metrics.requests / seconds;
  // Iterations dropped in the scenario's first second (VU threads serving their first iterations) and after it.
  const start = Date.parse(result.windows.scenarios[0]!.start);
  let droppedFirstSecond = 0;
  for (const line of (await readFile(outJson, 'utf8')).split('\n')) {
    if (!line.includes('"dropped_iterations"')) continue;
    const point = JSON.parse(line);
    if (point.type === 'Point' && Date.parse(point.data.time) - start < 1000)
      droppedFirstSecond += point.data.value;
  }
  return {
    rate,
    achieved,
    dropped: result.metrics.droppedIterations,
    droppedFirstSecond,
    error: Math.abs(achieved - rate) / rate,
  };
}

async function builtinMemoryPerVu() {
  const vus = 200;
  const path = await script(
    'memory.js',
    `import http from 'k6/http';
import { sleep } from 'k6';
export const options = { vus: ${vus}, duration: '3s' };
export default function () { http.get('${url}'); sleep(1); }`,
  );
  globalThis.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const called = Date.now();
  const result = await runLoad({
    script: path,
    runner: 'builtin',
    ...noted,
    onProgress: () => {
      peak = Math.max(peak, process.memoryUsage().rss);
    },
  });
  return {
    hosting,
    vus,
    mbPerVu: (peak - baseline) / vus / 1e6,
    requests: result.metrics.requests,
    // From the call to the test clock's start: every VU's init context has run by then.
    startupSeconds: (Date.parse(result.windows.start) - called) / 1000,
  };
}

/** The first request of a run against the median of the next ones (k6's first request carries no warm-up). */
async function builtinFirstRequest() {
  const path = await script(
    'first.js',
    `import http from 'k6/http';
import { Trend } from 'k6/metrics';
const first = new Trend('first_request', true);
const later = new Trend('later_requests', true);
export const options = { vus: 1, iterations: 30, summaryTrendStats: ['avg', 'med'] };
export default function () { (__ITER === 0 ? first : later).add(http.get('${url}').timings.duration); }`,
  );
  const summaryExport = join(dir, 'first-summary.json');
  await runLoad({ script: path, runner: 'builtin', summaryExport, ...quiet });
  const metrics = JSON.parse(await readFile(summaryExport, 'utf8')).metrics;
  return { firstMs: metrics.first_request.avg as number, laterMs: metrics.later_requests.med as number };
}

/**
 * The floor of one VU thread: CPU per start and end of a worker thread that runs an empty ES module (Node's own
 * worker bootstrap, before any engine code), eight at a time as the engine starts them.
 */
async function threadStartFloor() {
  // The same kind of thread as a VU's (vu-handle.ts).
  const threads = 40;
  const empty = new URL(
    'data:text/javascript,import { parentPort } from "node:worker_threads"; parentPort.postMessage(0);',
  );
  const before = process.cpuUsage();
  for (let i = 0; i < threads; i += 8) {
    await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<void>((resolveStarted, rejectStarted) => {
            const worker = new Worker(empty, vuThreadOptions);
            worker.once('error', rejectStarted);
            worker.once('message', () => void worker.terminate().then(() => resolveStarted()));
          }),
      ),
    );
  }
  const used = process.cpuUsage(before);
  return { cpuMsPerThread: (used.user + used.system) / 1000 / threads };
}

/**
 * The floor of one cross-thread round trip as the engine makes one per request: a thread posts a frame and blocks
 * (Atomics.wait) until the main thread, waiting with Atomics.waitAsync, answers; nothing else is done.
 */
async function roundTripFloor() {
  const rounds = 20_000;
  const words = new Int32Array(new SharedArrayBuffer(8));
  const source = `import { workerData } from 'node:worker_threads';
const w = new Int32Array(workerData);
for (let i = 1; i <= ${rounds}; i++) {
  Atomics.store(w, 0, i);
  Atomics.notify(w, 0);
  for (let seen = Atomics.load(w, 1); seen < i; seen = Atomics.load(w, 1)) Atomics.wait(w, 1, seen);
}`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`), {
    ...vuThreadOptions,
    workerData: words.buffer,
  });
  const exited = new Promise((r) => worker.once('exit', r));
  const before = process.cpuUsage();
  for (let i = 1; i <= rounds; i++) {
    for (let seen = Atomics.load(words, 0); seen < i; seen = Atomics.load(words, 0)) {
      const waiting = waitAsync(words, 0, seen);
      if (waiting.async) await waiting.value;
    }
    Atomics.store(words, 1, i);
    Atomics.notify(words, 1);
  }
  const used = process.cpuUsage(before);
  await exited;
  return { perCpuSecond: rounds / ((used.user + used.system) / 1e6) };
}

/**
 * HttpIo alone, as the engine's I/O thread (or a pool worker) runs it: `connections` concurrent request loops on this
 * thread for `seconds`, each a VU of its own (so on its own connection), through the plain HTTP/1.1 client or
 * through undici; requests per CPU-second.
 */
async function httpIoLoop(http1: boolean) {
  const io = new HttpIo(new MetricRegistry(), { http1 });
  const spec = {
    method: 'GET',
    url,
    headers: { 'User-Agent': 'k6/1.0.0 (https://k6.io/)' },
    body: null,
    timeoutMs: 60_000,
    redirects: 10,
    responseType: 'none' as const,
    tags: { scenario: 'default' },
    expected: { codes: [], ranges: [{ min: 200, max: 399 }] },
  };
  for (let i = 0; i < 2_000; i++) await io.perform(spec, 0);
  let requests = 0;
  const end = Date.now() + seconds * 1000;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: connections }, async (_, vu) => {
      while (Date.now() < end) {
        const response = await io.perform(spec, vu);
        if (response.status !== 200) throw new Error(`HttpIo bench: ${response.error}`);
        requests++;
      }
    }),
  );
  const used = process.cpuUsage(before);
  await io.close();
  return { perCore: requests / ((used.user + used.system) / 1e6) };
}

/** The run with the median requests per CPU-second. */
function median<T extends { perCore: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.perCore - b.perCore)[Math.floor(runs.length / 2)]!;
}

try {
  const runs = {
    wrk: [] as ReturnType<typeof wrkRun>[],
    autocannon: [] as ReturnType<typeof autocannonRun>[],
  };
  const builtinRuns: Awaited<ReturnType<typeof builtinClosedLoop>>[] = [];
  const threadRuns: Awaited<ReturnType<typeof builtinClosedLoop>>[] = [];
  const pinnedRuns: ClosedLoop[] = [];
  for (let i = 0; i < repetitions; i++) {
    if (hasWrk) runs.wrk.push(wrkRun());
    runs.autocannon.push(autocannonRun());
    builtinRuns.push(await builtinClosedLoop(url, dir, 'auto'));
    pinnedRuns.push(pinnedClosedLoop());
    threadRuns.push(await builtinClosedLoop(url, dir, 'threads'));
  }
  const autocannon = median(runs.autocannon);
  // The reference: wrk, or autocannon when wrk is missing (then said in the table).
  const wrk = hasWrk ? median(runs.wrk) : autocannon;
  const reference = hasWrk ? 'wrk' : 'autocannon (wrk is not installed: apt-get install -y wrk)';
  const builtin = median(builtinRuns);
  const threaded = median(threadRuns);
  const pinned = median(pinnedRuns);
  const spread = (all: { perCore: number }[]) =>
    `${fmt(Math.min(...all.map((r) => r.perCore)))}–${fmt(Math.max(...all.map((r) => r.perCore)))}`;
  const arrival = await builtinArrivalRate(2000);
  const arrivalLow = await builtinArrivalRate(500);
  const memory = await builtinMemoryPerVu();
  const firstRequest = await builtinFirstRequest();
  const threadFloor = await threadStartFloor();
  const roundTrip = await roundTripFloor();
  const ioRuns = { http1: [] as { perCore: number }[], undici: [] as { perCore: number }[] };
  for (let i = 0; i < repetitions; i++) {
    ioRuns.http1.push(await httpIoLoop(true));
    ioRuns.undici.push(await httpIoLoop(false));
  }
  const [ioHttp1, ioUndici] = [median(ioRuns.http1), median(ioRuns.undici)];
  const perRequestUs = 1e6 / builtin.perCore;
  const split = (run: typeof builtin) =>
    run.split
      ? ` (main thread ${fmt(run.split.mainUs)} µs, other threads ${fmt(run.split.othersUs)} µs)`
      : '';
  const goalUs = 1e6 / (0.25 * wrk.perCore);
  const threadsSeconds = (memory.vus * threadFloor.cpuMsPerThread) / 1000 / cpus().length;
  console.log(`## Load generation (builtin k6 engine vs wrk and autocannon)

Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}. Target: a Node http server pinned to
core 1; wrk and autocannon pinned to core 0; ${connections} connections / VUs, ${seconds} s each. "per core" = requests
per CPU-second the generator used, all threads counted (the builtin engine uses both cores, its threads sharing
core 1 with the server, unless pinned to core 0 as wrk is; its figure covers the steady state between its first and
last progress report). Median of ${repetitions} interleaved
runs; the range is over all runs.

Reference: ${reference}.

| generator | req/s | req per CPU-second (range) | vs reference | p99 (ms) | p99 vs reference |
|---|---:|---:|---:|---:|---:|
${hasWrk ? `| wrk 4.1 | ${fmt(wrk.rps)} | ${fmt(wrk.perCore)} (${spread(runs.wrk)}) | 1.00 | ${fmt(wrk.p99Ms, 2)} | 1.00 |\n` : '| wrk | not installed | | | | |\n'}| autocannon | ${fmt(autocannon.rps)} | ${fmt(autocannon.perCore)} (${spread(runs.autocannon)}) | ${fmt(autocannon.perCore / wrk.perCore, 2)} | ${fmt(autocannon.p99Ms, 2)} | ${fmt(autocannon.p99Ms / wrk.p99Ms, 2)} |
| builtin engine (VUs ${builtin.hosting}) | ${fmt(builtin.rps)} | ${fmt(builtin.perCore)} (${spread(builtinRuns)}) | ${fmt(builtin.perCore / wrk.perCore, 2)} (goal ≥ 0.25 of wrk) | ${fmt(builtin.p99Ms, 2)} | ${fmt(builtin.p99Ms / wrk.p99Ms, 2)} |
| builtin engine pinned to core 0 as wrk is (VUs ${pinned.hosting}) | ${fmt(pinned.rps)} | ${fmt(pinned.perCore)} (${spread(pinnedRuns)}) | ${fmt(pinned.perCore / wrk.perCore, 2)} | ${fmt(pinned.p99Ms, 2)} | ${fmt(pinned.p99Ms / wrk.p99Ms, 2)} |
| builtin engine (VUs ${threaded.hosting}) | ${fmt(threaded.rps)} | ${fmt(threaded.perCore)} (${spread(threadRuns)}) | ${fmt(threaded.perCore / wrk.perCore, 2)} | ${fmt(threaded.p99Ms, 2)} | ${fmt(threaded.p99Ms / wrk.p99Ms, 2)} |

| builtin engine check (VUs ${memory.hosting}) | measured | goal |
|---|---:|---|
| constant-arrival-rate ${fmt(arrival.rate)}/s for ${seconds} s | ${fmt(arrival.achieved, 1)} req/s (error ${fmt(arrival.error * 100, 2)} %, dropped ${arrival.dropped}, ${arrival.droppedFirstSecond} of them in the first second) | within 1 % |
| constant-arrival-rate ${fmt(arrivalLow.rate)}/s for ${seconds} s (within capacity) | ${fmt(arrivalLow.achieved, 1)} req/s (error ${fmt(arrivalLow.error * 100, 2)} %, dropped ${arrivalLow.dropped}, ${arrivalLow.droppedFirstSecond} of them in the first second) | within 1 % |
| ${memory.vus} VUs initialized and running | ${fmt(memory.startupSeconds, 2)} s | ≤ 3 s |
| memory per VU (${memory.vus} VUs, RSS growth) | ${fmt(memory.mbPerVu, 2)} MB | ≤ 10 MB |
| first request of a run vs median of the next 29 | ${fmt(firstRequest.firstMs, 2)} ms vs ${fmt(firstRequest.laterMs, 2)} ms (${fmt(firstRequest.firstMs / firstRequest.laterMs, 1)}×) | no warm-up: same order |

### Where the builtin engine's time goes (its floors, measured in this run)

With a thread per VU, the main thread does every request's I/O and answers the VU across threads; pooled VUs share
a few worker threads that do their own I/O and send the engine their samples in batches.

| cost | measured | bound it sets |
|---|---:|---|
| CPU per request, all threads (closed loop above, VUs ${builtin.hosting}) | ${fmt(perRequestUs)} µs${split(builtin)} | goal 0.25 × ${hasWrk ? 'wrk' : 'reference'}: ≤ ${fmt(goalUs)} µs |
| CPU per request, all threads (closed loop above, VUs ${threaded.hosting}) | ${fmt(1e6 / threaded.perCore)} µs${split(threaded)} | |
| HttpIo alone, ${connections} loops on one thread: plain HTTP/1.1 client (range) | ${fmt(1e6 / ioHttp1.perCore, 1)} µs CPU (${fmt(ioHttp1.perCore)}/CPU-s, ${spread(ioRuns.http1)}; ${fmt(ioHttp1.perCore / wrk.perCore, 2)} of wrk) | the I/O share of every request (HTTP, metrics) |
| HttpIo alone, the same through undici (https, HTTP/2, NTLM) (range) | ${fmt(1e6 / ioUndici.perCore, 1)} µs CPU (${fmt(ioUndici.perCore)}/CPU-s, ${spread(ioRuns.undici)}) | |
| one cross-thread round trip and nothing else | ${fmt(1e6 / roundTrip.perCpuSecond, 1)} µs CPU | at least one per request with a thread per VU |
| start of one thread running an empty module | ${fmt(threadFloor.cpuMsPerThread, 1)} ms CPU | ${memory.vus} VU threads: ≥ ${fmt(threadsSeconds, 2)} s on ${cpus().length} cores before any engine code (goal 3 s) |
`);
} finally {
  server.kill();
  await rm(dir, { recursive: true, force: true });
}
