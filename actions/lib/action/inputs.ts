/**
 * Reading an action's inputs the one way: the runner passes every declared input, empty when not given, so
 * "empty" means "not given"; a bad value is a one-line UsageError naming the input (exit code 2).
 */
import * as core from '@actions/core';
import { durationOption } from '../util/duration.js';
import { UsageError } from '../util/errors.js';

/** An input, or undefined when it is empty. */
export function optionalInput(name: string): string | undefined {
  const value = core.getInput(name);
  return value === '' ? undefined : value;
}

/** One of `choices`: `fallback` when the input is empty. */
export function choiceInput<T extends string>(name: string, choices: readonly T[], fallback?: T): T {
  const value = optionalInput(name) ?? fallback;
  if (value === undefined || !(choices as readonly string[]).includes(value))
    throw new UsageError(
      `${name}: expected ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)} (got '${value ?? ''}')`,
    );
  return value as T;
}

/** A duration input ("15s", "2m") in milliseconds: `fallbackMs` when empty. */
export function durationInput(name: string, fallbackMs: number, options?: { allowZero?: boolean }): number {
  return durationOption(name, core.getInput(name), fallbackMs, options);
}

/** The checked-out repository the action works in. */
export function workspace(): string {
  return process.env.GITHUB_WORKSPACE ?? process.cwd();
}
