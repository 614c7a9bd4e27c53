/**
 * The pull-request verification as one call, shared by `scalegate verify`, `scalegate demo` and an action: render,
 * deploy stable, deploy the canary, walk its steps (load stages with continuous gates), evaluate the final gates,
 * promote or roll back, and gather the report. The rollout helper does the cluster work (apply, waits, weights,
 * Lease, progress); the gates, load and report modules do theirs; this module only sequences them.
 */
import { runGates } from '../gates/run.js';
import type { Verdict } from '../gates/verdict.js';
import type { LoadWindows } from '../load/types.js';
import { PrometheusClient } from '../prometheus/client.js';
import { connectionOptions } from '../prometheus/connection.js';
import { renderEnvironment } from '../render/index.js';
import type { ReportInput } from '../report/model.js';
import { deployCanary } from '../rollout/canary.js';
import { promote } from '../rollout/promote.js';
import { rollback } from '../rollout/rollback.js';
import { openSession } from '../rollout/session.js';
import { deployStable } from '../rollout/stable.js';
import { stepChecks } from '../rollout/step-checks.js';
import { Cancelled } from '../rollout/step-pipeline.js';
import type { RunInfo } from '../rollout/trace.js';
import { displayPath, loadEnvironment } from '../settings/index.js';
import { ScalegateError } from '../util/errors.js';
import { combinedVerdict, mergedWindows, runSeries, type StepRecord } from './evidence.js';

export type { StepRecord } from './evidence.js';

export interface VerifyOptions {
  /** An environment name (environments/<name>.yaml) or a settings file. */
  env: string;
  /** The candidate image: the canary. */
  image: string;
  /** The stable track's image (default: the settings' service.image, what the main branch runs). */
  stableImage?: string;
  cwd: string;
  processEnv: NodeJS.ProcessEnv;
  kubeconfig?: string;
  context?: string;
  /** Prometheus base URL, overriding the settings' prometheus.url. */
  prometheusUrl?: string;
  /** Where load goes, overriding load.target (e.g. the local cluster's gateway). */
  targetUrl?: string;
  /** Time limit of each rollout wait, e.g. "5m". */
  timeout?: string;
  leaseWait?: string;
  run?: RunInfo;
  /** Range-query step, the scrape interval in seconds (default 5; 1 against the local cluster). */
  stepSeconds?: number;
  /** Continuous evaluation: interval and trailing span of rate-based gates (defaults 2 s and 15 s). */
  intervalMs?: number;
  lookbackMs?: number;
  /** How often a load progress line is logged (default 5 s). */
  progressEveryMs?: number;
  signal: AbortSignal;
  log: (line: string) => void;
}

export interface VerifyResult {
  environment: string;
  image: string;
  stableImage: string;
  outcome: 'promoted' | 'rolled-back';
  /** One sentence: why it was promoted or rolled back. */
  reason: string;
  /** Every gate of every step plus the final gates. */
  verdict: Verdict;
  steps: StepRecord[];
  /** The final gates' verdict (gates no step names), when there were any and the steps passed. */
  final?: Verdict;
  windows?: LoadWindows;
  report: ReportInput;
  startedAt: string;
  finishedAt: string;
}

/** Gates that no canary step names: evaluated once over the whole run after the steps passed. */
function finalGateNames(gates: { name: string }[], steps: { gates?: string[] }[]): string[] {
  const named = new Set(steps.flatMap((s) => s.gates ?? []));
  return gates.map((g) => g.name).filter((name) => !named.has(name));
}

export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  const { log } = options;
  const startedAt = new Date();
  // The settings are checked before any cluster is contacted: a file that cannot be verified fails fast.
  const checked = await loadEnvironment(options.env, { cwd: options.cwd });
  const file = displayPath(checked.file, options.cwd);
  const steps = checked.settings.canary?.steps;
  if (!steps)
    throw new ScalegateError(`${file}: verify needs canary: steps (there is no canary to verify)`, 2);
  const { loaded, context } = await openSession({
    env: options.env,
    cwd: options.cwd,
    processEnv: options.processEnv,
    kubeconfig: options.kubeconfig,
    context: options.context,
    timeout: options.timeout,
    leaseWait: options.leaseWait,
    signal: options.signal,
    log,
    ...(options.run ? { run: options.run } : {}),
  });
  const { settings } = loaded;
  const { gates } = loaded;
  const prometheus = new PrometheusClient(
    connectionOptions(
      options.prometheusUrl ? { url: options.prometheusUrl } : {},
      settings.prometheus,
      options.processEnv,
    ),
  );
  const stepSeconds = options.stepSeconds ?? 5;
  const stableImage = options.stableImage ?? settings.service.image;
  const { namespace, service } = context.target;

  log(`verify ${loaded.name}: rendering ${service} (stable ${stableImage}, canary ${options.image})`);
  const stable = await renderEnvironment(loaded, { image: stableImage, track: 'stable', cwd: options.cwd });
  const canary = await renderEnvironment(loaded, { image: options.image, track: 'canary', cwd: options.cwd });

  log(`verify ${loaded.name}: deploying stable ${stableImage} to ${namespace}`);
  await deployStable(context, stable, stableImage);

  const records: StepRecord[] = [];
  let outcome: VerifyResult['outcome'] = 'rolled-back';
  let reason = '';
  let final: Verdict | undefined;
  log(`verify ${loaded.name}: deploying canary ${options.image} and walking ${steps.length} step(s)`);
  let passedSteps = false;
  try {
    await deployCanary(context, canary, options.image, {
      steps,
      checks: stepChecks(loaded, {
        cwd: options.cwd,
        log,
        prometheus: () => prometheus,
        ...(options.targetUrl ? { targetUrl: options.targetUrl } : {}),
        stepSeconds,
        ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
        ...(options.lookbackMs !== undefined ? { lookbackMs: options.lookbackMs } : {}),
        // A step without load is judged on the canary's own bake time only, never on what ran before it.
        bakeLookbackMs: 0,
        ...(options.progressEveryMs !== undefined ? { progressEveryMs: options.progressEveryMs } : {}),
      }),
      onStep: ({ index, weight, checked: { verdict, summary, evidence } }) =>
        records.push({ index, weight, ...evidence, outcome: verdict, summary }),
      // A verification runs unattended: a step that waits for approval is not approved.
      approvalTimeoutMs: 0,
    });
    passedSteps = true;
  } catch (error) {
    // deployCanary has already rolled the canary back; usage and settings problems (exit 2) are not a verdict.
    if (error instanceof Cancelled || !(error instanceof ScalegateError) || error.exitCode === 2) throw error;
    reason = error.message;
  }
  if (passedSteps) {
    const finalNames = finalGateNames(gates.gates, steps);
    if (finalNames.length > 0) {
      const firstLoad = records.find((r) => r.windows)?.windows?.start;
      const window = { start: firstLoad ? new Date(firstLoad) : startedAt, end: new Date() };
      log(`verify ${loaded.name}: final gates ${finalNames.join(', ')}`);
      final = await runGates({
        set: { ...gates, gates: gates.gates.filter((g) => finalNames.includes(g.name)) },
        defaults: { namespace, service },
        client: prometheus,
        window,
        stepSeconds,
        signal: options.signal,
      }).catch(async (error: unknown) => {
        // Cancelled while judging: the canary must not stay behind.
        await rollback(context, `rolled back: final gates: ${(error as Error).message}`);
        throw error;
      });
    }
    if (final && final.status !== 'pass') {
      reason = `final gates ${final.status}: ${final.summary}`;
      log(`verify ${loaded.name}: ${reason}; rolling back`);
      await rollback(context, `rolled back: ${reason}`);
    } else {
      log(`verify ${loaded.name}: all steps passed; promoting ${options.image}`);
      // A failure here is a fault, not a verdict: promote is idempotent, `scalegate promote` finishes it.
      await promote(context);
      outcome = 'promoted';
      reason = `all ${steps.length} step(s)${final ? ' and the final gates' : ''} passed`;
    }
  }
  const finishedAt = new Date();
  log(`verify ${loaded.name}: ${outcome === 'promoted' ? 'promoted' : 'rolled back'}: ${reason}`);

  const window = { start: startedAt, end: finishedAt };
  const verdict = combinedVerdict({ steps: records, final, window, prometheusUrl: prometheus.url });
  const windows = mergedWindows(records);
  const series = await runSeries(prometheus, namespace, window, stepSeconds);
  return {
    environment: loaded.name,
    image: options.image,
    stableImage,
    outcome,
    reason,
    verdict,
    steps: records,
    ...(final ? { final } : {}),
    ...(windows ? { windows } : {}),
    report: {
      verdict,
      environment: loaded.name,
      ...(windows ? { windows } : {}),
      series,
      context: { image: options.image },
    },
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
  };
}
