import * as core from '@actions/core';
import { ScalegateError } from '../util/errors.js';
import { logSafe } from '../util/log-safe.js';
import { openSession, type Session } from './session.js';

function optional(name: string): string | undefined {
  const value = core.getInput(name);
  return value === '' ? undefined : value;
}

/** The workspace the action runs in. */
export function workspace(): string {
  return process.env.GITHUB_WORKSPACE ?? process.cwd();
}

/** Opens the rollout session from the inputs the deploy and promote actions share. */
export function sessionFromInputs(signal: AbortSignal): Promise<Session> {
  const kubeconfigContent = optional('kubeconfig');
  // The runner masks a secret line by line: mask the credential values themselves, not just the whole document.
  for (const match of kubeconfigContent?.matchAll(/(?:token|client-key-data|password):\s*(\S+)/g) ?? [])
    core.setSecret(match[1]!);
  return openSession({
    env: core.getInput('env', { required: true }),
    cwd: workspace(),
    processEnv: process.env,
    kubeconfigContent,
    context: optional('context'),
    timeout: optional('timeout'),
    leaseWait: optional('lease-wait'),
    signal,
    log: (line) => core.info(logSafe(line)),
  });
}

/** An AbortSignal that a cancelled workflow (SIGINT, then SIGTERM) aborts. */
export function cancellationSignal(): AbortSignal {
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      core.warning(`${signal} received: rolling back what is unfinished`);
      controller.abort();
    });
  return controller.signal;
}

/** Fails the step with a one-line message for expected errors, the stack for bugs. */
export function failStep(error: unknown): void {
  if (error instanceof ScalegateError) core.setFailed(error.message);
  else core.setFailed(error instanceof Error ? (error.stack ?? error.message) : String(error));
}
