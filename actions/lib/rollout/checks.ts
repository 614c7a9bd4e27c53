import { runGates } from '../gates/run.js';
import { runLoad } from '../load/index.js';
import { PrometheusClient } from '../prometheus/client.js';
import { connectionOptions } from '../prometheus/connection.js';
import { displayPath, type LoadedEnvironment } from '../settings/index.js';
import type { CanaryStep } from '../settings/schema.js';
import { ScalegateError } from '../util/errors.js';
import type { StepChecks, StepVerdict } from './steps.js';

export interface SettingsChecksOptions {
  processEnv: NodeJS.ProcessEnv;
  cwd: string;
  log: (line: string) => void;
  /** Where load goes, overriding the settings (e.g. the local cluster's gateway). */
  targetUrl?: string;
  /** Range-query step, the scrape interval (default 5 s). */
  stepSeconds?: number;
  /** Gates without a load stage look back at least this far from now (default 1 m). */
  lookbackMs?: number;
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

/**
 * The step checks of an environment: run the step's load stage (the k6 script with the stage list), then evaluate
 * the step's gates over exactly the load's window. A load that exits non-zero fails the step (99: thresholds);
 * a gate verdict other than pass is returned as is.
 */
export function settingsChecks(loaded: LoadedEnvironment, options: SettingsChecksOptions): StepChecks {
  const { settings } = loaded;
  const file = displayPath(loaded.file, options.cwd);
  const allGates = loaded.gates;
  return async (step: CanaryStep, _index: number, signal: AbortSignal, since: Date): Promise<StepVerdict> => {
    // Without load, gates look at the step's bake time (at least the lookback, so rates have samples).
    const lookback = new Date(Date.now() - (options.lookbackMs ?? 60_000));
    let window = { start: since < lookback ? since : lookback, end: new Date() };
    let loadSummary = '';
    if (step.load) {
      if (!settings.load || !loaded.paths.loadScript)
        throw new ScalegateError(
          `${file}: a canary step runs load '${step.load}' but load.script is not set`,
          2,
        );
      const result = await runLoad({
        script: loaded.paths.loadScript,
        runner: settings.load.runner ?? 'auto',
        env: { ...settings.load.env, TARGET_URL: loadTargetUrl(loaded, options.targetUrl) },
        stages: stageSpec(loaded, step.load),
        signal,
        log: options.log,
        cwd: options.cwd,
      });
      window = { start: new Date(result.windows.start), end: new Date(result.windows.end) };
      loadSummary = `load ${step.load}: ${result.metrics.requests} requests, ${result.metrics.requestRate.toFixed(1)} req/s, p95 ${result.metrics.p95Ms.toFixed(0)} ms`;
      if (result.exitCode !== 0)
        return {
          verdict: 'fail',
          summary: `${loadSummary}; k6 exited ${result.exitCode}${result.exitCode === 99 ? ' (thresholds failed)' : ''}`,
        };
    }
    const names = step.gates ?? [];
    if (names.length === 0) return { verdict: 'pass', summary: loadSummary || 'no gates' };
    const gates = names.map((name) => {
      const gate = allGates.gates.find((g) => g.name === name);
      if (!gate)
        throw new ScalegateError(
          `${file}: canary step names gate '${name}', which gates: does not define`,
          2,
        );
      return gate;
    });
    const verdict = await runGates({
      set: { ...allGates, gates },
      defaults: { namespace: settings.service.namespace, service: settings.service.name },
      client: new PrometheusClient(connectionOptions({}, settings.prometheus, options.processEnv)),
      window,
      stepSeconds: options.stepSeconds ?? 5,
      signal,
    });
    return { verdict: verdict.status, summary: [loadSummary, verdict.summary].filter(Boolean).join('; ') };
  };
}
