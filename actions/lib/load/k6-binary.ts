/**
 * The `k6` runner: runs the real k6 binary with the caller's flags passed through, then reads its
 * `--summary-export` and `--out json` files (temporary ones when the caller did not ask for them) for the result,
 * the windows and live progress.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { spawnTied } from '../util/tied-spawn.js';
import { inspectScript, plannedWindows } from './inspect.js';
import { NdjsonFollower } from './ndjson-reader.js';
import type { LoadMetricsSummary, LoadResult, LoadRunner, RunLoadOptions } from './types.js';
import { iso } from './windows.js';

/** The k6 executable on PATH, if any. */
export function findK6(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'k6');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Builds `k6 run` arguments; paths are absolute so the working directory does not matter. */
export function k6RunArgs(options: RunLoadOptions, summaryExport: string, outJson: string): string[] {
  const cwd = options.cwd ?? process.cwd();
  const args = ['run', `--summary-export=${summaryExport}`, '--out', `json=${outJson}`];
  const passThrough = options.k6Args ?? [];
  if (!passThrough.some((a) => a.startsWith('--summary-trend-stats')))
    args.push('--summary-trend-stats=avg,min,med,max,p(90),p(95),p(99)');
  for (const [key, value] of Object.entries(options.env ?? {})) args.push('-e', `${key}=${value}`);
  for (const stage of (options.stages ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean))
    args.push('--stage', stage);
  if (options.verbose) args.push('--verbose');
  args.push(...passThrough, resolve(cwd, options.script));
  return args;
}

type ExportMetrics = Record<string, Record<string, number | Record<string, boolean>>>;

/** Key numbers from a `--summary-export` document (Rate metrics carry `value`; threshold true = failed). */
export function keyNumbersFromExport(summary: { metrics?: ExportMetrics }): {
  metrics: LoadMetricsSummary;
  thresholdsPassed: boolean;
} {
  const m = summary.metrics ?? {};
  const num = (metric: string, key: string) => {
    const value = m[metric]?.[key];
    return typeof value === 'number' ? value : 0;
  };
  const thresholdsPassed = Object.values(m).every((metric) =>
    Object.values((metric.thresholds ?? {}) as Record<string, boolean>).every((failed) => failed === false),
  );
  return {
    thresholdsPassed,
    metrics: {
      requests: num('http_reqs', 'count'),
      requestRate: num('http_reqs', 'rate'),
      p95Ms: num('http_req_duration', 'p(95)'),
      p99Ms: num('http_req_duration', 'p(99)'),
      errorRate: num('http_req_failed', 'value'),
      iterations: num('iterations', 'count'),
      droppedIterations: num('dropped_iterations', 'count'),
      checksPassRate: m.checks ? num('checks', 'value') : undefined,
    },
  };
}

export async function runK6Binary(options: RunLoadOptions, k6 = findK6()): Promise<LoadResult> {
  if (!k6)
    throw new Error('k6 is not on PATH (install it, e.g. grafana/setup-k6-action, or use --runner builtin)');
  const cwd = options.cwd ?? process.cwd();
  const temp = await mkdtemp(join(tmpdir(), 'scalegate-k6-'));
  const summaryPath = options.summaryExport
    ? resolve(cwd, options.summaryExport)
    : join(temp, 'summary.json');
  const outJson = options.outJson ? resolve(cwd, options.outJson) : join(temp, 'points.json');
  const env = { ...process.env, ...(options.env ?? {}) } as Record<string, string>;
  const inspection = await inspectScript(resolve(cwd, options.script), env, options.stages).catch(
    () => undefined,
  );
  const follower = new NdjsonFollower(outJson);
  const started = Date.now();
  // k6 dies with scalegate even when scalegate is SIGKILLed: load must never go on against a cluster unattended.
  const child = spawnTied(k6, k6RunArgs(options, summaryPath, outJson), {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = options.stdout ?? ((text: string) => process.stdout.write(text));
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  child.stdout!.on('data', (chunk: Buffer) => stdout(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => log(chunk.toString().replace(/\n$/, '')));
  const onAbort = () => child.kill('SIGINT');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let last = Date.now();
  const ticker = setInterval(() => {
    void follower.poll().then(() => {
      const now = Date.now();
      const sorted = follower.intervalDurations.sort((a, b) => a - b);
      options.onProgress?.({
        elapsedMs: now - started,
        stage: 'running',
        vus: follower.vus,
        vusMax: follower.vusMax,
        requestRate: follower.intervalRequests / Math.max(0.001, (now - last) / 1000),
        p95Ms: sorted.length ? sorted[Math.ceil(sorted.length * 0.95) - 1]! : 0,
        errors: follower.errors,
        requests: follower.requests,
        iterations: follower.iterations,
      });
      follower.intervalDurations = [];
      follower.intervalRequests = 0;
      last = now;
    });
  }, 1000);
  const exitCode = await new Promise<number>((resolveExit, rejectExit) => {
    child.once('error', rejectExit);
    child.once('close', (code) => resolveExit(code ?? 105));
  }).finally(() => {
    clearInterval(ticker);
    options.signal?.removeEventListener('abort', onAbort);
  });
  const ended = Date.now();
  await follower.poll();
  const summary = await readFile(summaryPath, 'utf8')
    .then((text) => JSON.parse(text))
    .catch(() => ({}));
  const numbers = keyNumbersFromExport(summary);
  const scenarios = plannedWindows(inspection?.scenarios ?? [], started).map((window) => {
    const seen = follower.scenarioTimes.get(window.name);
    if (!seen) return window;
    // k6 starts scenarios after init and setup: move the planned stages to where the samples show the start.
    const shift = (time: string) => iso(Date.parse(time) + seen.first - Date.parse(window.start));
    const stages = window.stages.map((stage) => ({
      ...stage,
      start: shift(stage.start),
      end: shift(stage.end),
    }));
    return { ...window, start: iso(seen.first), end: iso(seen.last), stages };
  });
  await rm(temp, { recursive: true, force: true });
  return {
    exitCode,
    runner: 'k6',
    windows: { start: iso(started), end: iso(ended), scenarios },
    ...(options.summaryExport ? { summaryPath } : {}),
    thresholdsPassed: exitCode !== 99 && numbers.thresholdsPassed,
    metrics: numbers.metrics,
  };
}

export const k6Runner: LoadRunner = { name: 'k6', run: (options) => runK6Binary(options) };
