/**
 * The checks of a canary step, one pipeline for every caller: the step's load stage with its continuous gates
 * evaluated while it runs (a definitive failure stops the load at once), then every gate of the step once over
 * exactly the load's window for the verdict. A step without load is judged over its bake time. The load and the
 * gate evaluator are injected (defaults: the load runners and `runGates`) so the logic is testable on its own.
 */

import type { GateSet } from '../gates/load.js';
import { continuousGates } from '../gates/registry.js';
import { type RunGatesOptions, runGates } from '../gates/run.js';
import type { GateResult } from '../gates/types.js';
import type { Verdict } from '../gates/verdict.js';
import { formatProgress, type LoadResult, type RunLoadOptions, runLoad } from '../load/index.js';
import type { PrometheusClient } from '../prometheus/client.js';
import { displayPath, type LoadedEnvironment } from '../settings/index.js';
import type { CanaryStep } from '../settings/schema.js';
import { parseDuration } from '../util/duration.js';
import { ScalegateError } from '../util/errors.js';
import type { StepChecks, StepVerdict } from './step-pipeline.js';

export interface StepChecksOptions {
  cwd: string;
  log: (line: string) => void;
  /** The Prometheus the gates read; asked for at the first gate (a canary without gates needs none). */
  prometheus: () => PrometheusClient;
  /** Where load goes, overriding the settings (e.g. the local cluster's gateway). */
  targetUrl?: string;
  /** Range-query step, the scrape interval (default 5 s). */
  stepSeconds?: number;
  /** Time between continuous evaluations during load (default 2 s). */
  intervalMs?: number;
  /** Trailing span of rate-based gates in continuous mode (default 15 s). */
  lookbackMs?: number;
  /** Gates of a step without load look back at least this far from now, so rates have samples (default 1 m). */
  bakeLookbackMs?: number;
  /** How often a load progress line is logged (default 5 s). */
  progressEveryMs?: number;
}

/** One evaluation of a step's gates: once over a window, or continuously during it. */
export type GateEvaluation = Pick<
  RunGatesOptions,
  'set' | 'window' | 'continuous' | 'signal' | 'onEvaluation'
>;

/** The I/O of the checks: the load runner, the gate evaluator and the clock. */
export interface CheckPorts {
  runLoad: (options: RunLoadOptions) => Promise<LoadResult>;
  evaluate: (evaluation: GateEvaluation) => Promise<Verdict>;
  now: () => Date;
}

/** The URL the load script gets as TARGET_URL: explicit, the settings' url, or the Service's in-cluster name. */
function loadTargetUrl(loaded: LoadedEnvironment, override?: string): string {
  if (override) return override;
  const { service } = loaded.settings;
  const target = loaded.settings.load?.target ?? {};
  if (target.url) return target.url;
  const port =
    service.ports.find((p) => p.name === target.port || p.port === target.port) ?? service.ports[0]!;
  return `http://${target.service ?? service.name}.${service.namespace}.svc:${port.port}${target.path ?? '/'}`;
}

/** k6's `--stage` spec (`20s:10,40s:10`) of a named stage list. */
function stageSpec(loaded: LoadedEnvironment, name: string): string {
  const stages = loaded.settings.load?.stages[name];
  if (!stages)
    throw new ScalegateError(`${displayPath(loaded.file, process.cwd())}: load.stages has no '${name}'`, 2);
  return stages.map((s) => `${s.duration}:${s.target}`).join(',');
}

/** Planned length of a named stage list. */
function plannedMs(loaded: LoadedEnvironment, stage: string): number {
  return (loaded.settings.load?.stages[stage] ?? []).reduce((sum, s) => sum + parseDuration(s.duration), 0);
}

function statusLine(results: GateResult[]): string {
  return results.map((r) => `${r.name} ${r.status}`).join(', ');
}

/** What a step's checks need besides the step: the resolved options and ports, and where lines go. */
interface StepScope {
  loaded: LoadedEnvironment;
  file: string;
  options: StepChecksOptions;
  ports: CheckPorts;
  name: string;
  signal: AbortSignal;
}

/** The step's gates by name, from the environment's parsed gate set. */
function stepGates(scope: Pick<StepScope, 'loaded' | 'file'>, step: CanaryStep): GateSet {
  const { loaded, file } = scope;
  const gates = (step.gates ?? []).map((name) => {
    const gate = loaded.gates.gates.find((g) => g.name === name);
    if (!gate)
      throw new ScalegateError(`${file}: canary step names gate '${name}', which gates: does not define`, 2);
    return gate;
  });
  return { ...loaded.gates, gates };
}

/**
 * Continuous evaluation of the step's continuous gates while its load runs. It starts with the traffic, not with
 * the call (a loaded machine may take seconds to start the VUs), ends when `stop` is called at the load's end, or
 * earlier at a definitive failure, which calls `onFailure` to stop the load.
 */
function watchGates(scope: StepScope, set: GateSet, plannedMs: number, onFailure: () => void) {
  const { options, ports, name } = scope;
  const gates = continuousGates(set.gates);
  const stopped = new AbortController();
  let watching: Promise<Verdict> | undefined;
  let lastStatus = '';
  return {
    /** Starts once, when there is something to watch. */
    start() {
      if (watching || gates.length === 0) return;
      const start = ports.now();
      watching = ports
        .evaluate({
          set: { ...set, gates },
          // The load's end, not this window (planned length plus a minute's slack), ends the watching.
          window: { start, end: new Date(start.getTime() + plannedMs + 60_000) },
          continuous: { intervalMs: options.intervalMs ?? 2000, lookbackMs: options.lookbackMs ?? 15_000 },
          signal: AbortSignal.any([scope.signal, stopped.signal]),
          onEvaluation: (results) => {
            const line = statusLine(results);
            if (line !== lastStatus) options.log(`${name}: gates: ${line}`);
            lastStatus = line;
          },
        })
        .then((verdict) => {
          if (verdict.status === 'fail' && verdict.continuous?.stoppedEarly) {
            options.log(`${name}: ${verdict.continuous.stopReason}: stopping the load`);
            onFailure();
          }
          return verdict;
        });
    },
    /** Ends the watching; the verdict when it failed for good before the load's end. */
    async stop(): Promise<Verdict | undefined> {
      stopped.abort();
      const watched = await watching;
      return watched?.status === 'fail' && watched.continuous?.stoppedEarly ? watched : undefined;
    },
  };
}

/** Runs the step's load stage with its gates watched; the result and, if the watching failed, its verdict. */
async function runStepLoad(scope: StepScope, stage: string, set: GateSet) {
  const { loaded, options, ports, name } = scope;
  const { settings } = loaded;
  if (!settings.load || !loaded.paths.loadScript)
    throw new ScalegateError(
      `${scope.file}: a canary step runs load '${stage}' but load.script is not set`,
      2,
    );
  const stopLoad = new AbortController();
  const watch = watchGates(scope, set, plannedMs(loaded, stage), () => stopLoad.abort());
  const targetUrl = loadTargetUrl(loaded, options.targetUrl);
  const stages = stageSpec(loaded, stage);
  const progressEveryMs = options.progressEveryMs ?? 5000;
  let lastProgress = Number.NEGATIVE_INFINITY;
  options.log(`${name}: load '${stage}' (${stages}) → ${targetUrl}`);
  const result = await ports.runLoad({
    script: loaded.paths.loadScript,
    runner: settings.load.runner ?? 'auto',
    env: { ...settings.load.env, TARGET_URL: targetUrl },
    stages,
    signal: AbortSignal.any([scope.signal, stopLoad.signal]),
    cwd: options.cwd,
    // The step's own lines say what the load did; k6's end-of-test text would drown them.
    log: () => {},
    stdout: () => {},
    onProgress: (progress) => {
      if (progress.requests > 0) watch.start();
      if (progress.elapsedMs - lastProgress < progressEveryMs) return;
      lastProgress = progress.elapsedMs;
      options.log(`${name}: ${formatProgress(progress)}`);
    },
  });
  return { result, failedEarly: await watch.stop() };
}

/** The step's outcome from its load and its gates' verdict. */
function loadOutcome(
  stage: string,
  result: LoadResult,
  verdict: Verdict | undefined,
  failedEarly: Verdict | undefined,
): StepVerdict {
  const { metrics, exitCode } = result;
  // An abort we asked for (exit 105) is not a load failure; thresholds (99) and script errors are.
  const loadFailed = exitCode !== 0 && !(failedEarly && exitCode === 105);
  const summary = [
    `load ${stage}: ${metrics.requests} requests, ${metrics.requestRate.toFixed(1)} req/s, p95 ${metrics.p95Ms.toFixed(0)} ms`,
    loadFailed ? `k6 exited ${exitCode}${exitCode === 99 ? ' (thresholds failed)' : ''}` : '',
    verdict?.summary ?? '',
  ]
    .filter(Boolean)
    .join('; ');
  return {
    verdict: loadFailed ? 'fail' : (verdict?.status ?? 'pass'),
    summary,
    evidence: {
      load: stage,
      windows: result.windows,
      loadMetrics: metrics,
      loadExitCode: exitCode,
      ...(verdict ? { verdict } : {}),
      ...(failedEarly?.continuous ? { stoppedEarly: failedEarly.continuous.stopReason } : {}),
    },
  };
}

/** A step with load: watched while it runs, then every gate once over exactly the load's window. */
async function loadStep(scope: StepScope, stage: string, set: GateSet): Promise<StepVerdict> {
  const { result, failedEarly } = await runStepLoad(scope, stage, set);
  const verdict =
    set.gates.length === 0
      ? undefined
      : (failedEarly ??
        (await scope.ports.evaluate({
          set,
          window: { start: new Date(result.windows.start), end: new Date(result.windows.end) },
          signal: scope.signal,
        })));
  return loadOutcome(stage, result, verdict, failedEarly);
}

/** A step without load: its gates over the bake time, at least the bake lookback so rates have samples. */
async function bakeStep(scope: StepScope, set: GateSet, since: Date): Promise<StepVerdict> {
  const end = scope.ports.now();
  const lookback = new Date(end.getTime() - (scope.options.bakeLookbackMs ?? 60_000));
  const verdict = await scope.ports.evaluate({
    set,
    window: { start: since < lookback ? since : lookback, end },
    signal: scope.signal,
  });
  return { verdict: verdict.status, summary: verdict.summary, evidence: { verdict } };
}

/** The checks of an environment's canary steps; `ports` replace the load, the gate evaluator or the clock. */
export function stepChecks(
  loaded: LoadedEnvironment,
  options: StepChecksOptions,
  ports: Partial<CheckPorts> = {},
): StepChecks {
  const { settings } = loaded;
  let client: PrometheusClient | undefined;
  const resolved: CheckPorts = {
    runLoad: ports.runLoad ?? runLoad,
    evaluate:
      ports.evaluate ??
      ((evaluation) => {
        client ??= options.prometheus();
        return runGates({
          ...evaluation,
          defaults: { namespace: settings.service.namespace, service: settings.service.name },
          client,
          stepSeconds: options.stepSeconds ?? 5,
        });
      }),
    now: ports.now ?? (() => new Date()),
  };
  const file = displayPath(loaded.file, options.cwd);
  return async (step, index, signal, since) => {
    const scope: StepScope = { loaded, file, options, ports: resolved, name: `step ${index + 1}`, signal };
    const set = stepGates(scope, step);
    return step.load !== undefined ? loadStep(scope, step.load, set) : bakeStep(scope, set, since);
  };
}
