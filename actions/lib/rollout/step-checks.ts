/**
 * The checks of a canary step, one pipeline for every caller: the step's load stage with its continuous gates
 * evaluated while it runs (a definitive failure stops the load at once), then every gate of the step once over
 * exactly the load's window for the verdict. A step without load is judged over its bake time. The load and the
 * gate evaluator are injected (defaults: the load runners and `runGates`) so the logic is testable on its own.
 */
import { continuousGates } from '../gates/kinds.js';
import type { GateSet } from '../gates/load.js';
import { type RunGatesOptions, runGates } from '../gates/run.js';
import type { GateResult, TimeWindow } from '../gates/types.js';
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
export function loadTargetUrl(loaded: LoadedEnvironment, override?: string): string {
  if (override) return override;
  const { service } = loaded.settings;
  const target = loaded.settings.load?.target ?? {};
  if (target.url) return target.url;
  const port =
    service.ports.find((p) => p.name === target.port || p.port === target.port) ?? service.ports[0]!;
  return `http://${target.service ?? service.name}.${service.namespace}.svc:${port.port}${target.path ?? '/'}`;
}

/** k6's `--stage` spec (`20s:10,40s:10`) of a named stage list. */
export function stageSpec(loaded: LoadedEnvironment, name: string): string {
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

export function stepChecks(
  loaded: LoadedEnvironment,
  options: StepChecksOptions,
  ports: Partial<CheckPorts> = {},
): StepChecks {
  const { settings } = loaded;
  const { log } = options;
  const file = displayPath(loaded.file, options.cwd);
  const now = ports.now ?? (() => new Date());
  const load = ports.runLoad ?? runLoad;
  let client: PrometheusClient | undefined;
  const evaluate =
    ports.evaluate ??
    ((evaluation: GateEvaluation) => {
      client ??= options.prometheus();
      return runGates({
        ...evaluation,
        defaults: { namespace: settings.service.namespace, service: settings.service.name },
        client,
        stepSeconds: options.stepSeconds ?? 5,
      });
    });

  const gatesOf = (step: CanaryStep): GateSet => {
    const gates = (step.gates ?? []).map((name) => {
      const gate = loaded.gates.gates.find((g) => g.name === name);
      if (!gate)
        throw new ScalegateError(
          `${file}: canary step names gate '${name}', which gates: does not define`,
          2,
        );
      return gate;
    });
    return { ...loaded.gates, gates };
  };

  /** Gates without load look at the step's bake time (at least the bake lookback, so rates have samples). */
  const bakeStep = async (set: GateSet, signal: AbortSignal, since: Date): Promise<StepVerdict> => {
    const end = now();
    const lookback = new Date(end.getTime() - (options.bakeLookbackMs ?? 60_000));
    const verdict = await evaluate({
      set,
      window: { start: since < lookback ? since : lookback, end },
      signal,
    });
    return { verdict: verdict.status, summary: verdict.summary, evidence: { verdict } };
  };

  const loadStep = async (
    step: CanaryStep & { load: string },
    index: number,
    set: GateSet,
    signal: AbortSignal,
  ): Promise<StepVerdict> => {
    const name = `step ${index + 1}`;
    if (!settings.load || !loaded.paths.loadScript)
      throw new ScalegateError(
        `${file}: a canary step runs load '${step.load}' but load.script is not set`,
        2,
      );
    const watchedSet = { ...set, gates: continuousGates(set.gates) };
    // Each of the two ends on the run's cancellation or on its own: the load at an early failure, the gates with the load.
    const loadControl = new AbortController();
    const gatesControl = new AbortController();
    let lastStatus = '';
    let watching: Promise<Verdict> | undefined;
    // Continuous evaluation starts with the traffic, not with the call: a loaded machine may take seconds to start
    // the VUs. It ends when the load does (aborted below), or earlier at a definitive failure, which stops the load.
    const startWatching = () => {
      const start = now();
      const window: TimeWindow = {
        start,
        end: new Date(start.getTime() + plannedMs(loaded, step.load) + 60_000),
      };
      watching = evaluate({
        set: watchedSet,
        window,
        continuous: { intervalMs: options.intervalMs ?? 2000, lookbackMs: options.lookbackMs ?? 15_000 },
        signal: AbortSignal.any([signal, gatesControl.signal]),
        onEvaluation: (results) => {
          const line = statusLine(results);
          if (line !== lastStatus) log(`${name}: gates: ${line}`);
          lastStatus = line;
        },
      }).then((verdict) => {
        if (verdict.status === 'fail' && verdict.continuous?.stoppedEarly) {
          log(`${name}: ${verdict.continuous.stopReason}: stopping the load`);
          loadControl.abort();
        }
        return verdict;
      });
    };

    const targetUrl = loadTargetUrl(loaded, options.targetUrl);
    const stages = stageSpec(loaded, step.load);
    const progressEveryMs = options.progressEveryMs ?? 5000;
    let lastProgress = Number.NEGATIVE_INFINITY;
    log(`${name}: load '${step.load}' (${stages}) → ${targetUrl}`);
    const result = await load({
      script: loaded.paths.loadScript,
      runner: settings.load.runner ?? 'auto',
      env: { ...settings.load.env, TARGET_URL: targetUrl },
      stages,
      signal: AbortSignal.any([signal, loadControl.signal]),
      cwd: options.cwd,
      // The step's own lines say what the load did; k6's end-of-test text would drown them.
      log: () => {},
      stdout: () => {},
      onProgress: (progress) => {
        if (!watching && watchedSet.gates.length > 0 && progress.requests > 0) startWatching();
        if (progress.elapsedMs - lastProgress < progressEveryMs) return;
        lastProgress = progress.elapsedMs;
        log(`${name}: ${formatProgress(progress)}`);
      },
    });
    gatesControl.abort();
    const watched = await watching;
    const failedEarly = watched?.status === 'fail' && watched.continuous?.stoppedEarly === true;
    const verdict =
      set.gates.length === 0
        ? undefined
        : failedEarly
          ? watched
          : await evaluate({
              set,
              window: { start: new Date(result.windows.start), end: new Date(result.windows.end) },
              signal,
            });
    const loadLine = `load ${step.load}: ${result.metrics.requests} requests, ${result.metrics.requestRate.toFixed(1)} req/s, p95 ${result.metrics.p95Ms.toFixed(0)} ms`;
    // An abort we asked for (exit 105) is not a load failure; thresholds (99) and script errors are.
    const loadFailed = result.exitCode !== 0 && !(failedEarly && result.exitCode === 105);
    const summary = [
      loadLine,
      loadFailed ? `k6 exited ${result.exitCode}${result.exitCode === 99 ? ' (thresholds failed)' : ''}` : '',
      verdict?.summary ?? '',
    ]
      .filter(Boolean)
      .join('; ');
    return {
      verdict: loadFailed ? 'fail' : (verdict?.status ?? 'pass'),
      summary,
      evidence: {
        load: step.load,
        windows: result.windows,
        loadMetrics: result.metrics,
        loadExitCode: result.exitCode,
        ...(verdict ? { verdict } : {}),
        ...(failedEarly && watched?.continuous ? { stoppedEarly: watched.continuous.stopReason } : {}),
      },
    };
  };

  return async (step, index, signal, since) => {
    const set = gatesOf(step);
    if (step.load !== undefined) return loadStep({ ...step, load: step.load }, index, set, signal);
    return bakeStep(set, signal, since);
  };
}
