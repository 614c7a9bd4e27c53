/**
 * The builtin runner: runs a k6 script unmodified with k6's lifecycle (init per VU → setup → scenarios → teardown →
 * thresholds → summary), one worker thread per VU, HTTP and metrics on this thread.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { bundleScript, ScriptError } from '../bundle.js';
import { MetricRegistry, type Sample } from '../metrics.js';
import { NdjsonOutput } from '../ndjson.js';
import { applyCliOverrides, ConfigError, deriveScenarios, type Scenario } from '../options.js';
import { ProgressTracker } from '../progress.js';
import { buildSummaryData, GroupTree, type SummaryData, toSummaryExport } from '../summary.js';
import { textSummary } from '../text-summary.js';
import { evaluateThresholds, parseThresholds, type Threshold } from '../thresholds.js';
import type { LoadMetricsSummary, LoadResult, LoadRunner, RunLoadOptions, ScenarioWindow } from '../types.js';
import { iso } from '../windows.js';
import { type ExecutorContext, plannedVus, runScenario } from './executors.js';
import { HttpIo } from './http-io.js';
import { type ReadyInfo, VuHandle, type VuHooks, type VuResult, vuWorkerFile } from './vu-handle.js';

export const EXIT = {
  ok: 0,
  thresholds: 99,
  config: 104,
  externalAbort: 105,
  script: 107,
  scriptAborted: 108,
  markedFailed: 110,
} as const;

/** Key numbers for callers that do not want to read the whole summary. */
export function keyNumbers(registry: MetricRegistry, durationMs: number): LoadMetricsSummary {
  const sink = (name: string) => registry.metrics.get(name)!.sink;
  const requests = sink('http_reqs').sum;
  const checks = sink('checks');
  return {
    requests,
    requestRate: durationMs > 0 ? requests / (durationMs / 1000) : 0,
    p95Ms: sink('http_req_duration').percentile(95),
    p99Ms: sink('http_req_duration').percentile(99),
    errorRate: sink('http_req_failed').stat('rate', 0) ?? 0,
    iterations: sink('iterations').sum,
    droppedIterations: sink('dropped_iterations').sum,
    checksPassRate: checks.empty ? undefined : checks.nonZero / checks.count,
  };
}

function systemEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

/** Writes handleSummary's map: `stdout`, `stderr` or a file path → text or bytes. */
async function writeSummaryOutputs(
  outputs: Record<string, { text?: string; base64?: string }>,
  cwd: string,
  stdout: (text: string) => void,
  log: (line: string) => void,
): Promise<void> {
  for (const [target, value] of Object.entries(outputs)) {
    const content = value.base64 !== undefined ? Buffer.from(value.base64, 'base64') : (value.text ?? '');
    if (target === 'stdout') stdout(content.toString());
    else if (target === 'stderr') log(content.toString().replace(/\n$/, ''));
    else await writeFile(resolve(cwd, target), content);
  }
}

export async function runBuiltin(options: RunLoadOptions): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stdout = options.stdout ?? ((text: string) => process.stdout.write(text));
  const scriptPath = resolve(cwd, options.script);
  const env = { ...systemEnv(), ...(options.env ?? {}) };
  const registry = new MetricRegistry();
  const groups = new GroupTree();
  registry.onSample((metric, value, tags) => groups.record(metric.name, value, tags));
  const progress = new ProgressTracker(registry);
  const http = new HttpIo(registry);
  const emptyWindows = () => ({ start: iso(Date.now()), end: iso(Date.now()), scenarios: [] });
  const failEarly = (exitCode: number, message: string): LoadResult => {
    log(`ERRO ${message}`);
    return {
      exitCode,
      runner: 'builtin',
      windows: emptyWindows(),
      thresholdsPassed: exitCode !== EXIT.thresholds,
      metrics: keyNumbers(registry, 0),
    };
  };

  let code: string;
  try {
    code = await bundleScript(scriptPath);
  } catch (error) {
    if (error instanceof ScriptError) return failEarly(EXIT.script, error.message);
    throw error;
  }

  let testStart = Date.now();
  const elapsed = () => ((Date.now() - testStart) / 1000).toFixed(0).padStart(4, '0');
  let markedFailed = false;
  const hooks: VuHooks = {
    http,
    onSamples(samples: Sample[]) {
      for (const [name, value, tags, time] of samples) registry.add(name, value, tags, time);
    },
    onLog(level, message) {
      // k6 prints console.debug only with --verbose.
      if (level === 'debug' && !options.verbose) return;
      log(`${level.toUpperCase().slice(0, 4)}[${elapsed()}] ${message} source=console`);
    },
    onTestFail(message) {
      markedFailed = true;
      log(`ERRO[${elapsed()}] ${message}`);
    },
  };
  const workerFile = await vuWorkerFile();
  const all: VuHandle[] = [];
  const vu0 = new VuHandle(0, workerFile, code, scriptPath, env, hooks);
  all.push(vu0);
  const cleanup = async () => {
    await Promise.all(all.map((vu) => vu.terminate()));
    await http.close();
  };

  let ready: ReadyInfo;
  let scenarios: Scenario[];
  let thresholds: Threshold[];
  let scriptOptions: Record<string, unknown>;
  try {
    ready = await vu0.whenReady();
  } catch (error) {
    await cleanup();
    return failEarly(EXIT.script, (error as Error).message);
  }
  try {
    scriptOptions = applyCliOverrides(ready.options, options.stages);
    scenarios = deriveScenarios(scriptOptions);
    for (const scenario of scenarios) {
      if (!ready.exports.includes(scenario.exec))
        throw new ConfigError(
          `scenarios.${scenario.name}: exec function '${scenario.exec}' is not exported by the script`,
        );
    }
    for (const def of ready.metrics) registry.define(def);
    thresholds = parseThresholds(scriptOptions.thresholds, registry);
    registry.submetric('http_req_duration{expected_response:true}');
  } catch (error) {
    await cleanup();
    if (error instanceof ConfigError) return failEarly(EXIT.config, error.message);
    return failEarly(EXIT.config, (error as Error).message);
  }
  const ndjson = options.outJson
    ? new NdjsonOutput(resolve(cwd, options.outJson), registry, thresholds)
    : undefined;

  // Init context of every planned VU, a few at a time so that thread start-up does not starve the machine.
  let nextVuId = 1;
  const newVu = async (): Promise<VuHandle> => {
    const vu = new VuHandle(nextVuId++, workerFile, code, scriptPath, env, hooks);
    all.push(vu);
    await vu.whenReady();
    return vu;
  };
  const perScenario = scenarios.map(plannedVus);
  const total = perScenario.reduce((a, b) => a + b, 0);
  const pool: VuHandle[] = [];
  const warmUp = HttpIo.warmUp();
  try {
    for (let i = 0; i < total; i += 8) {
      const batch = Array.from({ length: Math.min(8, total - i) }, () => newVu());
      pool.push(...(await Promise.all(batch)));
    }
  } catch (error) {
    await ndjson?.close();
    await cleanup();
    return failEarly(EXIT.script, (error as Error).message);
  }

  await warmUp;
  // Test run clock starts: setup, scenarios, teardown.
  testStart = Date.now();
  let exitCode: number = EXIT.ok;
  let stopped = false;
  let resolveStop!: () => void;
  const stopSignal = new Promise<void>((r) => {
    resolveStop = r;
  });
  const stop = (code: number, message: string) => {
    if (stopped) return;
    stopped = true;
    exitCode = code;
    log(`ERRO[${elapsed()}] ${message}`);
    resolveStop();
  };
  const onAbort = () => stop(EXIT.externalAbort, 'test run aborted by signal');
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const active = new Set<VuHandle>();
  let peakActive = 0;
  const running = new Map<string, { start: number; scenario: Scenario }>();
  let currentPhase = 'init';
  const stageLabel = () => {
    if (running.size === 0) return currentPhase;
    return [...running.values()]
      .map(({ start, scenario }) => {
        if (!('stages' in scenario)) return scenario.name;
        let at = Date.now() - start;
        let index = 0;
        while (index < scenario.stages.length - 1 && at >= scenario.stages[index]!.durationMs) {
          at -= scenario.stages[index]!.durationMs;
          index++;
        }
        return `${scenario.name} stage ${index + 1}/${scenario.stages.length}`;
      })
      .join(', ');
  };
  const vusTicker = setInterval(() => {
    const now = Date.now();
    registry.add('vus', active.size, {}, now);
    registry.add('vus_max', all.length - 1, {}, now);
    options.onProgress?.(progress.snapshot(now - testStart, stageLabel(), active.size, all.length - 1));
  }, 1000);
  const thresholdTicker = setInterval(() => {
    const crossed = evaluateThresholds(thresholds, Date.now() - testStart, false);
    if (crossed.length > 0) {
      const names = [...new Set(crossed.map((t) => t.key))].join(', ');
      stop(
        EXIT.thresholds,
        `thresholds on metrics '${names}' were crossed; at least one has abortOnFail enabled, stopping test prematurely`,
      );
    }
  }, 2000);

  let setupJson: string | undefined;
  let setupFailed = false;
  if (ready.exports.includes('setup') && !stopped) {
    currentPhase = 'setup';
    const result = await vu0.call('setup');
    if (result.error) {
      setupFailed = true;
      stop(EXIT.script, `setup() failed: ${result.error}`);
    } else if (result.outcome === 'aborted') stop(EXIT.scriptAborted, `test aborted: ${result.abortMessage}`);
    else setupJson = result.result;
  }

  const iterationCounters = new Map<string, number>();
  const sharedCounters = new Map<string, SharedArrayBuffer>();
  const vuScenarioIterations = new Map<string, number>();
  const frameFor = (
    vu: VuHandle,
    scenario: Scenario,
    scenarioStart: number,
    fraction: number,
    inTest: number,
  ) => {
    const key = `${vu.id}/${scenario.name}`;
    const inScenario = vuScenarioIterations.get(key) ?? 0;
    vuScenarioIterations.set(key, inScenario + 1);
    const sendSetup = !vu.hasSetupData && setupJson !== undefined;
    vu.hasSetupData = true;
    return {
      type: 'iterate' as const,
      scenario: {
        name: scenario.name,
        executor: scenario.executor,
        exec: scenario.exec,
        env: scenario.env,
        tags: scenario.tags,
        startTime: scenarioStart,
      },
      iterationInScenario: inScenario,
      iterationInTest: inTest,
      progress: fraction,
      testStartTime: testStart,
      vusActive: active.size,
      vusInitialized: all.length - 1,
      ...(sendSetup ? { setupData: setupJson } : {}),
    };
  };
  const report = (scenario: Scenario, result: { error?: string }) => {
    if (result.error)
      log(
        `ERRO[${elapsed()}] ${result.error.split('\n')[0]} executor=${scenario.executor} scenario=${scenario.name} source=stacktrace`,
      );
  };
  const finish = (scenario: Scenario, result: VuResult) => {
    report(scenario, result);
    if (result.outcome === 'aborted') stop(EXIT.scriptAborted, `test aborted: ${result.abortMessage}`);
    return result;
  };
  const ctx: ExecutorContext = {
    get stopped() {
      return stopped;
    },
    stopSignal,
    async iterate(vu, scenario, scenarioStart, fraction) {
      const inTest = iterationCounters.get(scenario.name) ?? 0;
      iterationCounters.set(scenario.name, inTest + 1);
      return finish(scenario, await vu.iterate(frameFor(vu, scenario, scenarioStart, fraction, inTest)));
    },
    async iterateUntil(vu, scenario, scenarioStart, until, durationMs) {
      let counter = sharedCounters.get(scenario.name);
      if (!counter) {
        counter = new SharedArrayBuffer(4);
        sharedCounters.set(scenario.name, counter);
      }
      // The VU numbers its iterations itself from here (iterationInTest from the shared counter).
      const frame = {
        ...frameFor(vu, scenario, scenarioStart, 0, 0),
        repeat: { until, counter, start: scenarioStart, durationMs },
      };
      return finish(scenario, await vu.iterate(frame, (record) => report(scenario, record)));
    },
    dropped(scenario, count) {
      registry.add('dropped_iterations', count, { scenario: scenario.name, ...scenario.tags }, Date.now());
    },
    async allocateVu() {
      try {
        return await newVu();
      } catch {
        return undefined;
      }
    },
    setActive(vu, isActive) {
      if (isActive) active.add(vu);
      else active.delete(vu);
      peakActive = Math.max(peakActive, active.size);
    },
    warn(message) {
      log(`WARN[${elapsed()}] ${message}`);
    },
  };

  const windows: ScenarioWindow[] = [];
  if (!stopped) {
    currentPhase = 'running';
    let offset = 0;
    const scenarioStart = Date.now();
    await Promise.all(
      scenarios.map(async (scenario, index) => {
        const vus = pool.slice(offset, offset + perScenario[index]!);
        offset += perScenario[index]!;
        await new Promise<void>((r) => {
          const timer = setTimeout(r, Math.max(0, scenarioStart + scenario.startTimeMs - Date.now()));
          void stopSignal.then(() => {
            clearTimeout(timer);
            r();
          });
        });
        if (stopped) return;
        running.set(scenario.name, { start: Date.now(), scenario });
        const run = await runScenario(scenario, vus, ctx);
        running.delete(scenario.name);
        windows.push({
          name: scenario.name,
          executor: scenario.executor,
          start: iso(run.start),
          end: iso(run.end),
          stages: run.stages,
        });
      }),
    );
  }
  windows.sort(
    (a, b) => scenarios.findIndex((s) => s.name === a.name) - scenarios.findIndex((s) => s.name === b.name),
  );

  if (ready.exports.includes('teardown') && !setupFailed) {
    currentPhase = 'teardown';
    const result = await vu0.call('teardown', setupJson);
    if (result.error) {
      log(`ERRO[${elapsed()}] teardown() failed: ${result.error}`);
      if (exitCode === EXIT.ok) exitCode = EXIT.script;
    } else if (result.outcome === 'aborted' && exitCode === EXIT.ok) exitCode = EXIT.scriptAborted;
  }
  const testEnd = Date.now();
  clearInterval(vusTicker);
  clearInterval(thresholdTicker);
  options.signal?.removeEventListener('abort', onAbort);
  // Runs shorter than the 1 s ticker still report their VUs, as k6's summary does.
  if (registry.metrics.get('vus')!.sink.empty) registry.add('vus', peakActive, {}, testEnd);
  if (registry.metrics.get('vus_max')!.sink.empty) registry.add('vus_max', all.length - 1, {}, testEnd);
  const durationMs = testEnd - testStart;
  evaluateThresholds(thresholds, durationMs, true);
  const thresholdsPassed = thresholds.every((t) => t.ok);
  if (!thresholdsPassed && exitCode === EXIT.ok) {
    const failed = [...new Set(thresholds.filter((t) => !t.ok).map((t) => t.key))].join(', ');
    log(`ERRO[${elapsed()}] thresholds on metrics '${failed}' have been crossed`);
    exitCode = EXIT.thresholds;
  }
  if (markedFailed && exitCode === EXIT.ok) exitCode = EXIT.markedFailed;
  await ndjson?.close();

  const data: SummaryData = buildSummaryData({
    registry,
    thresholds,
    groups,
    durationMs,
    ...(Array.isArray(scriptOptions.summaryTrendStats)
      ? { trendStats: (scriptOptions.summaryTrendStats as unknown[]).map(String) }
      : {}),
    timeUnit: typeof scriptOptions.summaryTimeUnit === 'string' ? scriptOptions.summaryTimeUnit : '',
    noColor: scriptOptions.noColor === true,
    setupData: setupJson === undefined ? undefined : JSON.parse(setupJson),
    stdoutTTY: process.stdout.isTTY === true,
    stderrTTY: process.stderr.isTTY === true,
  });
  let printedCustom = false;
  if (ready.exports.includes('handleSummary')) {
    const result = await vu0.call('handleSummary', JSON.stringify(data));
    if (result.error) log(`ERRO[${elapsed()}] handleSummary() failed: ${result.error}`);
    else if (result.result && result.result !== 'null') {
      await writeSummaryOutputs(JSON.parse(result.result), cwd, stdout, log);
      printedCustom = true;
    }
  }
  if (!printedCustom) stdout(`\n${textSummary(data, { indent: ' ', enableColors: false })}\n\n`);
  let summaryPath: string | undefined;
  if (options.summaryExport) {
    summaryPath = resolve(cwd, options.summaryExport);
    await writeFile(summaryPath, `${JSON.stringify(toSummaryExport(data), null, 4)}\n`);
  }
  await cleanup();
  return {
    exitCode,
    runner: 'builtin',
    windows: { start: iso(testStart), end: iso(testEnd), scenarios: windows },
    ...(summaryPath ? { summaryPath } : {}),
    thresholdsPassed,
    metrics: keyNumbers(registry, durationMs),
  };
}

export const builtinRunner: LoadRunner = { name: 'builtin', run: runBuiltin };
