/**
 * One run of the builtin engine as k6's phases, each a method: load (bundle, init context of VU 0, options,
 * scenarios, thresholds) → initialize VUs → start the clock → setup → scenarios → teardown → summary. The class holds
 * what the phases share: the metrics, the VUs, the stop state and the log.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { bundleScript, ScriptError } from '../bundle.js';
import { MetricRegistry, type Sample } from '../metrics.js';
import { NdjsonOutput } from '../ndjson.js';
import {
  applyCliOverrides,
  ConfigError,
  connectionOptions,
  deriveScenarios,
  type Scenario,
} from '../options.js';
import { ProgressTracker } from '../progress.js';
import { buildSummaryData, GroupTree, type SummaryData, toSummaryExport } from '../summary.js';
import { textSummary } from '../text-summary.js';
import { evaluateThresholds, parseThresholds, type Threshold } from '../thresholds.js';
import type { LoadMetricsSummary, LoadResult, RunLoadOptions, ScenarioWindow } from '../types.js';
import { iso } from '../windows.js';
import { type ExecutorContext, plannedVus, runScenario } from './executors.js';
import { type ConnectionOptions, HttpIo, type TlsOptions } from './http-io.js';
import { VuPool } from './pool/pooled-vu.js';
import { type PoolPlan, planPooled } from './pool/rewrite.js';
import { parseTlsAuth } from './tls-auth.js';
import {
  type ReadyInfo,
  ThreadVu,
  type VuHandle,
  type VuHooks,
  type VuResult,
  vuWorkerFile,
  workerFile,
} from './vu-handle.js';

/** k6's exit codes. */
const EXIT = {
  ok: 0,
  thresholds: 99,
  config: 104,
  externalAbort: 105,
  script: 107,
  scriptAborted: 108,
  markedFailed: 110,
} as const;

/**
 * VU inits in flight at once while VUs are initialized: thread starts (a thread per VU), or init contexts in the
 * pool's workers, which cost a fraction of a thread start.
 */
const initWindow = { threads: 8, pooled: 64 };

/** Key numbers for callers that do not want to read the whole summary. */
function keyNumbers(registry: MetricRegistry, durationMs: number): LoadMetricsSummary {
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

/** A phase that ends the run before the test starts: its exit code and message. */
export class EarlyExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** What loading the script found out: the init context's exports, the options and what derives from them. */
interface Loaded {
  code: string;
  ready: ReadyInfo;
  options: Record<string, unknown>;
  scenarios: Scenario[];
  thresholds: Threshold[];
}

export class TestRun {
  readonly registry = new MetricRegistry();
  private readonly groups = new GroupTree();
  private readonly progress = new ProgressTracker(this.registry);
  private readonly http = new HttpIo(this.registry);
  private readonly cwd: string;
  private readonly scriptPath: string;
  private readonly env: Record<string, string>;
  readonly log: (line: string) => void;
  private readonly stdout: (text: string) => void;
  private readonly all: VuHandle[] = [];
  private readonly hooks: VuHooks;
  private loaded!: Loaded;
  private workerFile!: string;
  /** The VUs' pool when the script runs pooled (VU 0, for setup/teardown/handleSummary, keeps a thread). */
  private vuPool: VuPool | undefined;
  private ndjson: NdjsonOutput | undefined;
  private nextVuId = 1;
  /** VUs initialized before the test, in scenario order. */
  private pool: VuHandle[] = [];
  private testStart = Date.now();
  private exitCode: number = EXIT.ok;
  private markedFailed = false;
  private stopped = false;
  private resolveStop!: () => void;
  private readonly stopSignal = new Promise<void>((r) => {
    this.resolveStop = r;
  });
  private readonly active = new Set<VuHandle>();
  private peakActive = 0;
  private readonly running = new Map<string, { start: number; scenario: Scenario }>();
  private phase = 'init';
  private tickers: NodeJS.Timeout[] = [];
  private setupJson: string | undefined;
  private setupFailed = false;
  private windows: ScenarioWindow[] = [];
  private readonly onAbort = () => this.stop(EXIT.externalAbort, 'test run aborted by signal');

  constructor(private readonly options: RunLoadOptions) {
    this.cwd = options.cwd ?? process.cwd();
    this.log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    this.stdout = options.stdout ?? ((text: string) => process.stdout.write(text));
    this.scriptPath = resolve(this.cwd, options.script);
    this.env = { ...systemEnv(), ...(options.env ?? {}) };
    this.registry.onSample((metric, value, tags) => this.groups.record(metric.name, value, tags));
    const registry = this.registry;
    this.hooks = {
      http: this.http,
      onSamples(samples: Sample[]) {
        for (const [name, value, tags, time] of samples) registry.add(name, value, tags, time);
      },
      onLog: (level, message) => {
        // k6 prints console.debug only with --verbose.
        if (level === 'debug' && !options.verbose) return;
        this.log(`${level.toUpperCase().slice(0, 4)}[${this.elapsed()}] ${message} source=console`);
      },
      onTestFail: (message) => {
        this.markedFailed = true;
        this.log(`ERRO[${this.elapsed()}] ${message}`);
      },
    };
  }

  private elapsed(): string {
    return ((Date.now() - this.testStart) / 1000).toFixed(0).padStart(4, '0');
  }

  /** The result of a run that ended before its test started. */
  earlyResult(exit: EarlyExit): LoadResult {
    this.log(`ERRO ${exit.message}`);
    const now = iso(Date.now());
    return {
      exitCode: exit.exitCode,
      runner: 'builtin',
      windows: { start: now, end: now, scenarios: [] },
      thresholdsPassed: exit.exitCode !== EXIT.thresholds,
      metrics: keyNumbers(this.registry, 0),
    };
  }

  private newVu(): VuHandle {
    const vu = this.vuPool && this.all.length > 0 ? this.vuPool.newVu(this.nextVuId++) : this.newThreadVu();
    this.all.push(vu);
    return vu;
  }

  private newThreadVu(): ThreadVu {
    return new ThreadVu(
      this.all.length === 0 ? 0 : this.nextVuId++,
      this.workerFile,
      this.loaded?.code ?? '',
      this.scriptPath,
      this.env,
      this.hooks,
    );
  }

  /** Phase 1: bundles the script, runs VU 0's init context, validates the options. */
  async load(): Promise<void> {
    let code: string;
    try {
      code = await bundleScript(this.scriptPath);
    } catch (error) {
      if (error instanceof ScriptError) throw new EarlyExit(EXIT.script, error.message);
      throw error;
    }
    this.workerFile = await vuWorkerFile();
    this.loaded = { code } as Loaded;
    let ready: ReadyInfo;
    try {
      ready = await this.newVu().whenReady();
    } catch (error) {
      throw new EarlyExit(EXIT.script, (error as Error).message);
    }
    try {
      const options = applyCliOverrides(ready.options, this.options.stages);
      const scenarios = deriveScenarios(options);
      for (const scenario of scenarios) {
        if (!ready.exports.includes(scenario.exec))
          throw new ConfigError(
            `scenarios.${scenario.name}: exec function '${scenario.exec}' is not exported by the script`,
          );
      }
      if (options.tlsCipherSuites !== undefined)
        throw new ConfigError(
          'option tlsCipherSuites is not supported by the builtin engine (use runner k6)',
        );
      const tls: TlsOptions = {
        insecureSkipTLSVerify: options.insecureSkipTLSVerify === true,
        tlsAuth: parseTlsAuth(options.tlsAuth),
        ...(options.tlsVersion !== undefined
          ? { tlsVersion: options.tlsVersion as TlsOptions['tlsVersion'] }
          : {}),
      };
      const connections: ConnectionOptions = connectionOptions(options);
      this.http.configure(tls, connections);
      await this.hostVus(code, tls, connections);
      for (const def of ready.metrics) this.registry.define(def);
      const thresholds = parseThresholds(options.thresholds, this.registry);
      this.registry.submetric('http_req_duration{expected_response:true}');
      this.loaded = { code, ready, options, scenarios, thresholds };
    } catch (error) {
      throw new EarlyExit(EXIT.config, (error as Error).message);
    }
    if (this.options.outJson)
      this.ndjson = new NdjsonOutput(
        resolve(this.cwd, this.options.outJson),
        this.registry,
        this.loaded.thresholds,
      );
  }

  /** Pools the VUs when the script can run pooled; `--verbose` says which way they run, and why. */
  private async hostVus(code: string, tls: TlsOptions, connections: ConnectionOptions): Promise<void> {
    const plan: PoolPlan =
      this.options.vuHosting === 'threads'
        ? { pooled: false, reason: 'a thread per VU was asked for' }
        : (this.options.poolPlan ?? planPooled)(code);
    if (!plan.pooled) {
      if (this.options.verbose) this.log(`INFO[0000] VUs run a thread each: ${plan.reason}`);
      return;
    }
    this.vuPool = new VuPool(
      await workerFile('k6-pool'),
      {
        source: plan.source,
        scriptPath: this.scriptPath,
        env: this.env,
        tls,
        connections,
        packagesFrom: import.meta.url,
      },
      this.registry,
      this.hooks,
    );
    const threads = this.vuPool.size === 1 ? '1 worker thread' : `${this.vuPool.size} worker threads`;
    if (this.options.verbose) this.log(`INFO[0000] VUs run pooled: ${threads}`);
  }

  /**
   * Phase 2: the init context of every planned VU, a few thread starts in flight at a time so that start-up does not
   * starve the machine; a window rather than lock-step batches, so that one slow start holds up no other.
   */
  async initVus(): Promise<void> {
    const total = this.loaded.scenarios.map(plannedVus).reduce((a, b) => a + b, 0);
    const warmUp = HttpIo.warmUp();
    // VU ids follow creation order, so the pool keeps scenario order whatever order their starts finish in.
    const vus: VuHandle[] = [];
    let failed = false;
    const starter = async () => {
      while (vus.length < total && !failed) {
        const vu = this.newVu();
        vus.push(vu);
        await vu.whenReady();
      }
    };
    try {
      await Promise.all(
        Array.from({ length: Math.min(initWindow[this.vuPool ? 'pooled' : 'threads'], total) }, starter),
      );
    } catch (error) {
      failed = true;
      throw new EarlyExit(EXIT.script, (error as Error).message);
    }
    this.pool = vus;
    await warmUp;
  }

  private stop(code: number, message: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.exitCode = code;
    this.log(`ERRO[${this.elapsed()}] ${message}`);
    this.resolveStop();
  }

  private stageLabel(): string {
    if (this.running.size === 0) return this.phase;
    return [...this.running.values()]
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
  }

  /** Phase 3: the test clock starts; VU gauges, progress and abortOnFail thresholds tick; aborts are heard. */
  start(): void {
    this.testStart = Date.now();
    const signal = this.options.signal;
    if (signal?.aborted) this.onAbort();
    signal?.addEventListener('abort', this.onAbort, { once: true });
    const vusMax = () => this.all.length - 1;
    this.tickers.push(
      setInterval(() => {
        const now = Date.now();
        this.registry.add('vus', this.active.size, {}, now);
        this.registry.add('vus_max', vusMax(), {}, now);
        this.options.onProgress?.(
          this.progress.snapshot(now - this.testStart, this.stageLabel(), this.active.size, vusMax()),
        );
      }, 1000),
      setInterval(() => {
        const crossed = evaluateThresholds(this.loaded.thresholds, Date.now() - this.testStart, false);
        if (crossed.length === 0) return;
        const names = [...new Set(crossed.map((t) => t.key))].join(', ');
        this.stop(
          EXIT.thresholds,
          `thresholds on metrics '${names}' were crossed; at least one has abortOnFail enabled, stopping test prematurely`,
        );
      }, 2000),
    );
  }

  /** Phase 4: setup() on VU 0; its JSON result goes to every VU's first iteration. */
  async setup(): Promise<void> {
    if (!this.loaded.ready.exports.includes('setup') || this.stopped) return;
    this.phase = 'setup';
    const result = await this.all[0]!.call('setup');
    if (result.error) {
      this.setupFailed = true;
      this.stop(EXIT.script, `setup() failed: ${result.error}`);
    } else if (result.outcome === 'aborted')
      this.stop(EXIT.scriptAborted, `test aborted: ${result.abortMessage}`);
    else this.setupJson = result.result;
  }

  /** How executors drive VUs: iteration frames, outcomes, dropped iterations, extra VUs. */
  private executorContext(): ExecutorContext {
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
      const sendSetup = !vu.hasSetupData && this.setupJson !== undefined;
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
        testStartTime: this.testStart,
        vusActive: this.active.size,
        vusInitialized: this.all.length - 1,
        ...(sendSetup ? { setupData: this.setupJson } : {}),
      };
    };
    const report = (scenario: Scenario, result: { error?: string }) => {
      if (result.error)
        this.log(
          `ERRO[${this.elapsed()}] ${result.error.split('\n')[0]} executor=${scenario.executor} scenario=${scenario.name} source=stacktrace`,
        );
    };
    const finish = (scenario: Scenario, result: VuResult) => {
      report(scenario, result);
      if (result.outcome === 'aborted') this.stop(EXIT.scriptAborted, `test aborted: ${result.abortMessage}`);
      return result;
    };
    const run = this;
    return {
      get stopped() {
        return run.stopped;
      },
      stopSignal: this.stopSignal,
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
        return finish(scenario, await vu.iterate(frame, (error) => report(scenario, { error })));
      },
      dropped: (scenario, count) => {
        this.registry.add(
          'dropped_iterations',
          count,
          { scenario: scenario.name, ...scenario.tags },
          Date.now(),
        );
      },
      allocateVu: async () => {
        const vu = this.newVu();
        return vu.whenReady().then(
          () => vu,
          () => undefined,
        );
      },
      setActive: (vu, isActive) => {
        if (isActive) this.active.add(vu);
        else this.active.delete(vu);
        this.peakActive = Math.max(this.peakActive, this.active.size);
      },
      warn: (message) => this.log(`WARN[${this.elapsed()}] ${message}`),
    };
  }

  /** Phase 5: every scenario from its startTime, on its share of the VU pool. */
  async scenarios(): Promise<void> {
    if (this.stopped) return;
    this.phase = 'running';
    const ctx = this.executorContext();
    const { scenarios } = this.loaded;
    const perScenario = scenarios.map(plannedVus);
    let offset = 0;
    const scenarioStart = Date.now();
    await Promise.all(
      scenarios.map(async (scenario, index) => {
        const vus = this.pool.slice(offset, offset + perScenario[index]!);
        offset += perScenario[index]!;
        await new Promise<void>((r) => {
          const timer = setTimeout(r, Math.max(0, scenarioStart + scenario.startTimeMs - Date.now()));
          void this.stopSignal.then(() => {
            clearTimeout(timer);
            r();
          });
        });
        if (this.stopped) return;
        this.running.set(scenario.name, { start: Date.now(), scenario });
        const run = await runScenario(scenario, vus, ctx);
        this.running.delete(scenario.name);
        this.windows.push({
          name: scenario.name,
          executor: scenario.executor,
          start: iso(run.start),
          end: iso(run.end),
          stages: run.stages,
        });
      }),
    );
    const order = (name: string) => scenarios.findIndex((s) => s.name === name);
    this.windows.sort((a, b) => order(a.name) - order(b.name));
  }

  /** Phase 6: teardown() on VU 0 (not after a failed setup), then the clock stops. */
  async teardown(): Promise<number> {
    if (this.loaded.ready.exports.includes('teardown') && !this.setupFailed) {
      this.phase = 'teardown';
      const result = await this.all[0]!.call('teardown', this.setupJson);
      if (result.error) {
        this.log(`ERRO[${this.elapsed()}] teardown() failed: ${result.error}`);
        if (this.exitCode === EXIT.ok) this.exitCode = EXIT.script;
      } else if (result.outcome === 'aborted' && this.exitCode === EXIT.ok)
        this.exitCode = EXIT.scriptAborted;
    }
    const testEnd = Date.now();
    for (const ticker of this.tickers) clearInterval(ticker);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    // Runs shorter than the 1 s ticker still report their VUs, as k6's summary does.
    if (this.registry.metrics.get('vus')!.sink.empty) this.registry.add('vus', this.peakActive, {}, testEnd);
    if (this.registry.metrics.get('vus_max')!.sink.empty)
      this.registry.add('vus_max', this.all.length - 1, {}, testEnd);
    return testEnd;
  }

  /** Phase 7: final thresholds, exit code, handleSummary or the text summary, the summary export. */
  async summary(testEnd: number): Promise<LoadResult> {
    const { thresholds, options: scriptOptions, ready } = this.loaded;
    const durationMs = testEnd - this.testStart;
    evaluateThresholds(thresholds, durationMs, true);
    const thresholdsPassed = thresholds.every((t) => t.ok);
    if (!thresholdsPassed && this.exitCode === EXIT.ok) {
      const failed = [...new Set(thresholds.filter((t) => !t.ok).map((t) => t.key))].join(', ');
      this.log(`ERRO[${this.elapsed()}] thresholds on metrics '${failed}' have been crossed`);
      this.exitCode = EXIT.thresholds;
    }
    if (this.markedFailed && this.exitCode === EXIT.ok) this.exitCode = EXIT.markedFailed;
    await this.ndjson?.close();
    this.ndjson = undefined;

    const data: SummaryData = buildSummaryData({
      registry: this.registry,
      thresholds,
      groups: this.groups,
      durationMs,
      ...(Array.isArray(scriptOptions.summaryTrendStats)
        ? { trendStats: (scriptOptions.summaryTrendStats as unknown[]).map(String) }
        : {}),
      timeUnit: typeof scriptOptions.summaryTimeUnit === 'string' ? scriptOptions.summaryTimeUnit : '',
      noColor: scriptOptions.noColor === true,
      setupData: this.setupJson === undefined ? undefined : JSON.parse(this.setupJson),
      stdoutTTY: process.stdout.isTTY === true,
      stderrTTY: process.stderr.isTTY === true,
    });
    let printedCustom = false;
    if (ready.exports.includes('handleSummary')) {
      const result = await this.all[0]!.call('handleSummary', JSON.stringify(data));
      if (result.error) this.log(`ERRO[${this.elapsed()}] handleSummary() failed: ${result.error}`);
      else if (result.result && result.result !== 'null') {
        await this.writeSummaryOutputs(JSON.parse(result.result));
        printedCustom = true;
      }
    }
    if (!printedCustom) this.stdout(`\n${textSummary(data, { indent: ' ', enableColors: false })}\n\n`);
    let summaryPath: string | undefined;
    if (this.options.summaryExport) {
      summaryPath = resolve(this.cwd, this.options.summaryExport);
      await writeFile(summaryPath, `${JSON.stringify(toSummaryExport(data), null, 4)}\n`);
    }
    return {
      exitCode: this.exitCode,
      runner: 'builtin',
      windows: { start: iso(this.testStart), end: iso(testEnd), scenarios: this.windows },
      ...(summaryPath ? { summaryPath } : {}),
      thresholdsPassed,
      metrics: keyNumbers(this.registry, durationMs),
    };
  }

  /** Writes handleSummary's map: `stdout`, `stderr` or a file path → text or bytes. */
  private async writeSummaryOutputs(
    outputs: Record<string, { text?: string; base64?: string }>,
  ): Promise<void> {
    for (const [target, value] of Object.entries(outputs)) {
      const content = value.base64 !== undefined ? Buffer.from(value.base64, 'base64') : (value.text ?? '');
      if (target === 'stdout') this.stdout(content.toString());
      else if (target === 'stderr') this.log(content.toString().replace(/\n$/, ''));
      else await writeFile(resolve(this.cwd, target), content);
    }
  }

  /** Ends every VU thread and the HTTP client; closes the NDJSON output if a phase failed before the summary. */
  async close(): Promise<void> {
    for (const ticker of this.tickers) clearInterval(ticker);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    await this.ndjson?.close();
    await Promise.all(this.all.map((vu) => vu.terminate()));
    await this.vuPool?.close();
    await this.http.close();
  }
}
