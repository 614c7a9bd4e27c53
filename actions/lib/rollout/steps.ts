import type { KubeClient } from '../kube/client.js';
import type { CanaryStep } from '../settings/schema.js';
import { setWeight, type TrafficTarget } from '../traffic/index.js';
import { delay } from '../util/delay.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { type Progress, readProgress, updateProgress } from './progress.js';
import { CanaryAborted, Cancelled, type JudgedStep, runStep, type StepChecks } from './step-pipeline.js';

export interface StepRun {
  client: KubeClient;
  target: TrafficTarget;
  steps: CanaryStep[];
  checks: StepChecks;
  signal: AbortSignal;
  log: (line: string) => void;
  /** How often an `untilApproved` pause looks for the approval, and how long it waits at most. */
  approvalPollMs?: number;
  approvalTimeoutMs?: number;
  /** Receives each judged step's outcome once it is recorded (verify keeps them as evidence). */
  onStep?: (step: JudgedStep) => void;
}

async function pause(run: StepRun, progress: Progress, index: number, spec: string): Promise<Progress> {
  const { client, target } = run;
  let current = progress;
  if (!current.pauseStartedAt)
    current = await updateProgress(client, target.namespace, target.service, (p) => ({
      ...(p ?? current),
      pauseStartedAt: new Date().toISOString(),
    }));
  const started = Date.parse(current.pauseStartedAt!);
  if (spec !== 'untilApproved') {
    const rest = started + parseDuration(spec) - Date.now();
    if (rest > 0) {
      run.log(`step ${index + 1}: pausing ${formatDuration(rest)}`);
      await delay(rest, run.signal);
      if (run.signal.aborted) throw new Cancelled('canary');
    }
    return current;
  }
  const limit = run.approvalTimeoutMs ?? 24 * 3_600_000;
  run.log(
    `step ${index + 1}: paused until approved (scalegate promote --env ${target.environment} --approve)`,
  );
  for (;;) {
    const latest = await readProgress(client, target.namespace, target.service);
    if (latest?.approvedStep !== undefined && latest.approvedStep >= index) return latest;
    if (Date.now() - started > limit)
      throw new CanaryAborted(`step ${index + 1}: not approved within ${formatDuration(limit)}`);
    await delay(run.approvalPollMs ?? 2000, run.signal);
    if (run.signal.aborted) throw new Cancelled('canary');
  }
}

/**
 * Runs the canary's steps from `progress.step` on through the step pipeline, then waits for approval
 * (`pause: untilApproved`). Every transition is recorded in the progress ConfigMap before the next begins, so a
 * re-run after a crash resumes at the step that was interrupted (a pause resumes with its remaining time) and does
 * not judge again a step that passed. A failed or inconclusive verdict throws CanaryAborted.
 */
export async function runSteps(run: StepRun, start: Progress): Promise<Progress> {
  const { client, target } = run;
  let progress = start;
  const record = (change: (p: Progress) => Progress) =>
    updateProgress(client, target.namespace, target.service, (p) => change(p ?? progress));
  for (let index = progress.step; index < run.steps.length; index++) {
    const step = run.steps[index]!;
    const outcome = await runStep(
      step,
      index,
      {
        setWeight: async (weight) => {
          const achieved = await setWeight(client, target, weight, progress.baseline ?? {});
          run.log(
            `step ${index + 1}/${run.steps.length}: canary weight ${weight}%` +
              (achieved !== weight ? ` (replica ratio gives ${achieved}%)` : ''),
          );
          progress = await record((p) => ({
            ...p,
            weight: achieved,
            message: `step ${index + 1}: weight ${achieved}%`,
          }));
          return achieved;
        },
        bake: async (spec) => {
          progress = await pause(run, progress, index, spec);
          return new Date(progress.pauseStartedAt!);
        },
        checks: run.checks,
        now: () => new Date(),
        signal: run.signal,
      },
      { passedBefore: progress.steps.some((s) => s.step === index && s.verdict === 'pass') },
    );
    if (outcome.checked) {
      const { verdict, summary } = outcome.checked;
      run.onStep?.({ ...outcome, checked: outcome.checked });
      progress = await record((p) => ({
        ...p,
        steps: [
          ...p.steps.filter((s) => s.step !== index),
          { step: index, weight: outcome.achieved, verdict, summary, finishedAt: new Date().toISOString() },
        ],
      }));
      run.log(`step ${index + 1}: ${verdict}: ${summary}`);
      if (verdict !== 'pass')
        throw new CanaryAborted(`step ${index + 1} (weight ${step.weight}%): gates ${verdict}: ${summary}`);
    }
    if (step.pause === 'untilApproved') progress = await pause(run, progress, index, step.pause);
    progress = await record((p) => ({ ...p, step: index + 1, pauseStartedAt: undefined }));
  }
  return record((p) => ({ ...p, phase: 'ready', message: `all ${run.steps.length} steps passed` }));
}
