/** What scalegate's GitHub-facing actions (report, regression, github-deployment) share as thin adapters. */
import * as core from '@actions/core';
import { ScalegateError } from '../util/errors.js';

/** An input, or undefined when it is empty (the runner passes every declared input, empty when not given). */
export function optionalInput(name: string): string | undefined {
  const value = core.getInput(name);
  return value === '' ? undefined : value;
}

/** Runs the action; an expected failure fails the step with its one-line message, anything else with its stack. */
export function runAction(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof ScalegateError) core.setFailed(error.message);
    else core.setFailed(error instanceof Error ? (error.stack ?? error.message) : String(error));
  });
}
