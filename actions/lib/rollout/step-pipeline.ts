/**
 * One canary step, the same for `deploy --track canary`, `verify` and the actions: set the weight, bake (a duration
 * pause), then the step's checks (load with its continuous gates, the other gates at its end), ending in a typed
 * outcome. Pure sequencing: the weight-setter, the bake, the checks and the clock are injected, so the callers
 * differ only in what they do with the outcome (deploy: progress in the cluster, advance or roll back; verify: the
 * evidence of its report).
 */
import type { Verdict } from '../gates/verdict.js';
import type { LoadMetricsSummary, LoadWindows } from '../load/types.js';
import type { CanaryStep } from '../settings/schema.js';
import { ScalegateError } from '../util/errors.js';

/** What a step's load did and what its gates saw: the evidence a report shows. */
export interface StepEvidence {
  load?: string;
  windows?: LoadWindows;
  loadMetrics?: LoadMetricsSummary;
  loadExitCode?: number;
  verdict?: Verdict;
  /** Set when the continuous gates stopped the load before its end. */
  stoppedEarly?: string;
}

/** What load and gates concluded at one step. Anything but pass aborts the canary. */
export interface StepVerdict {
  verdict: 'pass' | 'fail' | 'inconclusive';
  summary: string;
  evidence?: StepEvidence;
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

export interface StepPorts {
  /** Moves traffic; returns the weight the method achieved (a replica ratio rounds). */
  setWeight: (weight: number) => Promise<number>;
  /** Waits out a duration pause; returns when the bake began (a resumed pause keeps its first start). */
  bake: (pause: string) => Promise<Date>;
  checks: StepChecks;
  now: () => Date;
  signal: AbortSignal;
}

export interface StepOutcome {
  index: number;
  /** The weight the step asks for, and what the traffic method achieved. */
  weight: number;
  achieved: number;
  /** What the checks concluded; absent when the step has none, or they passed before a resume. */
  checked?: StepVerdict;
}

/** A step whose checks ran. */
export type JudgedStep = Required<StepOutcome>;

/** Whether a step has anything to judge. */
function stepHasChecks(step: CanaryStep): boolean {
  return step.load !== undefined || (step.gates?.length ?? 0) > 0;
}

/** One step up to its verdict. An `untilApproved` pause comes after it, on its results: the caller's to wait for. */
export async function runStep(
  step: CanaryStep,
  index: number,
  ports: StepPorts,
  options: { passedBefore: boolean },
): Promise<StepOutcome> {
  if (ports.signal.aborted) throw new Cancelled('canary');
  const achieved = await ports.setWeight(step.weight);
  const since = step.pause && step.pause !== 'untilApproved' ? await ports.bake(step.pause) : ports.now();
  const outcome: StepOutcome = { index, weight: step.weight, achieved };
  if (options.passedBefore || !stepHasChecks(step)) return outcome;
  const checked = await ports.checks(step, index, ports.signal, since);
  if (ports.signal.aborted) throw new Cancelled('canary');
  return { ...outcome, checked };
}
