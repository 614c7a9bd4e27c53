/**
 * The checks `verify` runs at each canary step: the step's load stage with its gates evaluated continuously while it
 * runs (a definitive failure stops the load at once), then once over exactly the load's window for the verdict.
 * Every step's outcome is recorded for the report. The rollout helper's `runSteps` calls these checks.
 */
import type { GateSet } from '../gates/load.js';
import { runGates } from '../gates/run.js';
import type { GateResult } from '../gates/types.js';
import type { Verdict } from '../gates/verdict.js';
import { formatProgress, type LoadMetricsSummary, type LoadWindows, runLoad } from '../load/index.js';
import type { PrometheusClient } from '../prometheus/client.js';
import { stageSpec } from '../rollout/checks.js';
import type { StepChecks, StepVerdict } from '../rollout/steps.js';
import type { LoadedEnvironment } from '../settings/index.js';
import type { CanaryStep } from '../settings/schema.js';
import { parseDuration } from '../util/duration.js';
import { ScalegateError } from '../util/errors.js';

/** What one canary step did: its load, its gate verdict and the outcome the rollout acted on. */
export interface StepRecord {
  index: number;
  weight: number;
  load?: string;
  windows?: LoadWindows;
  loadMetrics?: LoadMetricsSummary;
  loadExitCode?: number;
  verdict?: Verdict;
  /** Set when the continuous gates stopped the load before its end. */
  stoppedEarly?: string;
  outcome: StepVerdict['verdict'];
  summary: string;
}

export interface VerifyChecksOptions {
  loaded: LoadedEnvironment;
  gates: GateSet;
  prometheus: PrometheusClient;
  /** Where the load goes (TARGET_URL). */
  targetUrl: string;
  cwd: string;
  log: (line: string) => void;
  /** Range-query step: the scrape interval, seconds. */
  stepSeconds: number;
  /** Time between continuous evaluations. */
  intervalMs: number;
  /** Trailing span of rate-based gates in continuous mode. */
  lookbackMs: number;
  /** How often a load progress line is logged. */
  progressEveryMs: number;
  /** Receives each step's record as it finishes. */
  record: (step: StepRecord) => void;
}

/** Planned length of a named stage list. */
function plannedMs(loaded: LoadedEnvironment, stage: string): number {
  return (loaded.settings.load?.stages[stage] ?? []).reduce((sum, s) => sum + parseDuration(s.duration), 0);
}

function gatesOf(options: VerifyChecksOptions, step: CanaryStep): GateSet {
  const gates = (step.gates ?? []).map((name) => {
    const gate = options.gates.gates.find((g) => g.name === name);
    if (!gate) throw new ScalegateError(`canary step names gate '${name}', which gates: does not define`, 2);
    return gate;
  });
  return { ...options.gates, gates };
}

function statusLine(results: GateResult[]): string {
  return results.map((r) => `${r.name} ${r.status}`).join(', ');
}

export function verifyChecks(options: VerifyChecksOptions): StepChecks {
  const { loaded, log } = options;
  const defaults = { namespace: loaded.settings.service.namespace, service: loaded.settings.service.name };
  const once = (set: GateSet, window: { start: Date; end: Date }, signal: AbortSignal) =>
    runGates({
      set,
      defaults,
      client: options.prometheus,
      window,
      stepSeconds: options.stepSeconds,
      signal,
    });

  return async (step, index, signal, since) => {
    const set = gatesOf(options, step);
    const name = `step ${index + 1}`;
    if (!step.load) {
      // Gates without load look at the step's bake time: from when its weight took effect.
      const window = { start: since, end: new Date() };
      const verdict = await once(set, window, signal);
      const record: StepRecord = {
        index,
        weight: step.weight,
        verdict,
        outcome: verdict.status,
        summary: verdict.summary,
      };
      options.record(record);
      return { verdict: record.outcome, summary: record.summary };
    }
    if (!loaded.paths.loadScript)
      throw new ScalegateError(
        `canary step ${index + 1} runs load '${step.load}' but load.script is not set`,
        2,
      );

    // loadApplied judges the rate over the whole stage: early in a ramp it would fail a load that is still rising.
    const watchedSet = { ...set, gates: set.gates.filter((g) => g.type !== 'loadApplied') };
    // Each of the two ends on the run's cancellation or on its own: the load at an early failure, the gates with the load.
    const loadControl = new AbortController();
    const gatesControl = new AbortController();
    let lastStatus = '';
    let watching: Promise<Verdict> | undefined;
    // Continuous evaluation starts with the traffic, not with the call: a loaded machine may take seconds to start
    // the VUs. It ends when the load does (aborted below), or earlier at a definitive failure, which stops the load.
    const startWatching = () => {
      const start = new Date();
      watching = runGates({
        set: watchedSet,
        defaults,
        client: options.prometheus,
        window: { start, end: new Date(start.getTime() + plannedMs(loaded, step.load!) + 60_000) },
        stepSeconds: options.stepSeconds,
        continuous: { intervalMs: options.intervalMs, lookbackMs: options.lookbackMs },
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

    let lastProgress = Number.NEGATIVE_INFINITY;
    log(`${name}: load '${step.load}' (${stageSpec(loaded, step.load)}) → ${options.targetUrl}`);
    const result = await runLoad({
      script: loaded.paths.loadScript,
      runner: loaded.settings.load?.runner ?? 'auto',
      env: { ...loaded.settings.load?.env, TARGET_URL: options.targetUrl },
      stages: stageSpec(loaded, step.load),
      signal: AbortSignal.any([signal, loadControl.signal]),
      cwd: options.cwd,
      log: () => {},
      stdout: () => {},
      onProgress: (progress) => {
        if (!watching && watchedSet.gates.length > 0 && progress.requests > 0) startWatching();
        if (progress.elapsedMs - lastProgress < options.progressEveryMs) return;
        lastProgress = progress.elapsedMs;
        log(`${name}: ${formatProgress(progress)}`);
      },
    });
    gatesControl.abort();
    const watched = await watching;
    const loadEnd = new Date(result.windows.end);
    const failedEarly = watched?.status === 'fail' && watched.continuous?.stoppedEarly === true;
    const verdict =
      set.gates.length === 0
        ? undefined
        : failedEarly
          ? watched
          : await once(set, { start: new Date(result.windows.start), end: loadEnd }, signal);
    const loadLine = `load ${step.load}: ${result.metrics.requests} requests, ${result.metrics.requestRate.toFixed(1)} req/s, p95 ${result.metrics.p95Ms.toFixed(0)} ms`;
    // An abort we asked for (exit 105) is not a load failure; thresholds (99) and script errors are.
    const loadFailed = result.exitCode !== 0 && !(failedEarly && result.exitCode === 105);
    const outcome: StepVerdict['verdict'] = loadFailed ? 'fail' : (verdict?.status ?? 'pass');
    const summary = [
      loadLine,
      loadFailed ? `k6 exited ${result.exitCode}${result.exitCode === 99 ? ' (thresholds failed)' : ''}` : '',
      verdict?.summary ?? '',
    ]
      .filter(Boolean)
      .join('; ');
    options.record({
      index,
      weight: step.weight,
      load: step.load,
      windows: result.windows,
      loadMetrics: result.metrics,
      loadExitCode: result.exitCode,
      ...(verdict ? { verdict } : {}),
      ...(failedEarly && watched?.continuous ? { stoppedEarly: watched.continuous.stopReason } : {}),
      outcome,
      summary,
    });
    return { verdict: outcome, summary };
  };
}
