import type { KubeClient } from '../kube/client.js';
import type { CanaryStep } from '../settings/schema.js';
import { setWeight, type TrafficTarget } from '../traffic/index.js';
import { delay } from '../util/delay.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { ScalegateError } from '../util/errors.js';
import { type Progress, readProgress, updateProgress } from './progress.js';

/** What load and gates concluded at one step. Anything but pass aborts the canary. */
export interface StepVerdict {
  verdict: 'pass' | 'fail' | 'inconclusive';
  summary: string;
}

/**
 * Runs a step's load stage and gates (the boundary to the load and gates modules). `since` is when the step's
 * weight took effect: gates without a load stage look at the time from then on (the bake time).
 */
export type StepChecks = (
  step: CanaryStep,
  index: number,
  signal: AbortSignal,
  since: Date,
) => Promise<StepVerdict>;

/** A canary stopped by a gate, a pause that was never approved, or a fault: the caller rolls back. */
export class CanaryAborted extends ScalegateError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** The run was cancelled (SIGINT/SIGTERM, a cancelled workflow). */
export class Cancelled extends ScalegateError {
  constructor(what: string) {
    super(`${what} cancelled`, 130);
  }
}

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
 * Runs the canary's steps from `progress.step` on: set the weight, bake (a duration pause), run load and gates,
 * wait for approval (`pause: untilApproved`). Every transition is
 * recorded in the progress ConfigMap before the next begins, so a re-run after a crash resumes at the step that was
 * interrupted (a pause resumes with its remaining time). A failed or inconclusive verdict throws CanaryAborted.
 */
export async function runSteps(run: StepRun, start: Progress): Promise<Progress> {
  const { client, target } = run;
  let progress = start;
  const record = (change: (p: Progress) => Progress) =>
    updateProgress(client, target.namespace, target.service, (p) => change(p ?? progress));
  for (let index = progress.step; index < run.steps.length; index++) {
    if (run.signal.aborted) throw new Cancelled('canary');
    const step = run.steps[index]!;
    const achieved = await setWeight(client, target, step.weight, progress.baseline ?? {});
    run.log(
      `step ${index + 1}/${run.steps.length}: canary weight ${step.weight}%` +
        (achieved !== step.weight ? ` (replica ratio gives ${achieved}%)` : ''),
    );
    progress = await record((p) => ({
      ...p,
      weight: achieved,
      message: `step ${index + 1}: weight ${achieved}%`,
    }));
    let since = new Date();
    // A duration pause is bake time before the checks; an approval comes after them, on their results.
    if (step.pause && step.pause !== 'untilApproved') {
      progress = await pause(run, progress, index, step.pause);
      since = new Date(progress.pauseStartedAt!);
    }
    const passedBefore = progress.steps.some((s) => s.step === index && s.verdict === 'pass');
    if (!passedBefore && (step.load || (step.gates && step.gates.length > 0))) {
      const verdict = await run.checks(step, index, run.signal, since);
      if (run.signal.aborted) throw new Cancelled('canary');
      progress = await record((p) => ({
        ...p,
        steps: [
          ...p.steps.filter((s) => s.step !== index),
          { step: index, weight: achieved, ...verdict, finishedAt: new Date().toISOString() },
        ],
      }));
      run.log(`step ${index + 1}: ${verdict.verdict}: ${verdict.summary}`);
      if (verdict.verdict !== 'pass')
        throw new CanaryAborted(
          `step ${index + 1} (weight ${step.weight}%): gates ${verdict.verdict}: ${verdict.summary}`,
        );
    }
    if (step.pause === 'untilApproved') progress = await pause(run, progress, index, step.pause);
    progress = await record((p) => ({ ...p, step: index + 1, pauseStartedAt: undefined }));
  }
  return record((p) => ({ ...p, phase: 'ready', message: `all ${run.steps.length} steps passed` }));
}
