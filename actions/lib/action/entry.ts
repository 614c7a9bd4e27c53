/**
 * How every action's process starts and ends. Each `actions/<name>/main.ts` exports its `run()` (and `post()` where
 * the action has a post step) so tests can call it with INPUT_* set; the one-line `index.ts` and `post.ts` entries
 * hand it to `runAction`, which fails the step with the error's one-line message when it is expected
 * (ScalegateError) and with the stack when it is a bug, and sets the process exit code to `ExitCode.failed`.
 */
import * as core from '@actions/core';
import { ScalegateError } from '../util/errors.js';
import { onTermination } from '../util/termination.js';

/** Runs an action step to its end, turning any error into a failed step. */
export function runAction(step: () => Promise<void>): void {
  step().catch((error: unknown) => {
    if (error instanceof ScalegateError) core.setFailed(error.message);
    else core.setFailed(error instanceof Error ? (error.stack ?? error.message) : String(error));
  });
}

/**
 * An AbortSignal that a cancelled workflow aborts: the runner sends SIGINT, then SIGTERM 7.5 s later, so the step
 * has those seconds to roll back what it left unfinished (and its post step runs after it either way).
 */
export function cancellationSignal(): AbortSignal {
  return onTermination((signal) => core.warning(`${signal} received: rolling back what is unfinished`))
    .signal;
}
