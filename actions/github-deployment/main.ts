import * as core from '@actions/core';
import { choiceInput, optionalInput } from '../lib/action/inputs.js';
import { branchStore } from '../lib/github/branch-store.js';
import { createGitHubClient } from '../lib/github/client.js';
import { createDeployment, type DeploymentState, setDeploymentStatus } from '../lib/github/deployments.js';
import { requirePassingVerification, type VerificationRecord } from '../lib/github/evidence.js';
import { runContext } from '../lib/report/run-context.js';
import { ScalegateError, UsageError } from '../lib/util/errors.js';
import { ExitCode } from '../lib/util/exit-codes.js';
import { logSafe } from '../lib/util/log-safe.js';

const finalStates: DeploymentState[] = ['success', 'failure', 'error', 'inactive'];

export async function run(): Promise<void> {
  const token = core.getInput('github-token', { required: true });
  core.setSecret(token);
  const phase = choiceInput('phase', ['check', 'start', 'finish']);
  const environment = core.getInput('environment', { required: true });
  const ctx = runContext();
  const github = createGitHubClient({
    token,
    ...(ctx.apiUrl ? { baseUrl: ctx.apiUrl } : {}),
    maskSecret: core.setSecret,
    log: (line) => core.info(logSafe(line)),
  });

  if (phase === 'finish') {
    const id = Number(core.getInput('deployment-id', { required: true }));
    const state = choiceInput('state', finalStates);
    if (!Number.isInteger(id) || id <= 0)
      throw new UsageError(
        `deployment-id: expected a deployment id (got '${core.getInput('deployment-id')}')`,
      );
    await setDeploymentStatus(github, ctx.repo, id, {
      state,
      description: optionalInput('description') ?? `${environment}: ${state}`,
      ...(ctx.runUrl ? { logUrl: ctx.runUrl } : {}),
      ...(optionalInput('environment-url') ? { environmentUrl: optionalInput('environment-url') } : {}),
    });
    core.info(logSafe(`deployment ${id} to ${environment}: ${state}`));
    return;
  }

  const digest = core.getInput('image-digest', { required: true });
  let verification: VerificationRecord | undefined;
  if (core.getBooleanInput('require-evidence')) {
    verification = await requirePassingVerification(
      branchStore(github, ctx.repo, core.getInput('history-branch') || undefined),
      digest,
    ).catch((error: unknown) => {
      throw new ScalegateError(error instanceof Error ? error.message : String(error), ExitCode.failed);
    });
    core.info(
      logSafe(
        `${digest} passed verification in ${verification.environment} (${verification.summary}; ${verification.runUrl})`,
      ),
    );
    core.setOutput('verified-sha', verification.sha);
    core.setOutput('verification-url', verification.runUrl);
  }
  if (phase === 'check') return;

  const productionInput = optionalInput('production');
  const production =
    productionInput === undefined ? /^prod(uction)?$/.test(environment) : productionInput === 'true';
  const id = await createDeployment(github, ctx.repo, {
    ref: optionalInput('ref') ?? verification?.sha ?? ctx.sha,
    environment,
    description: optionalInput('description') ?? `scalegate promotes ${digest}`,
    payload: { digest, verification: verification?.runUrl ?? null, run: ctx.runUrl ?? null },
    production,
  });
  await setDeploymentStatus(github, ctx.repo, id, {
    state: 'in_progress',
    description: `promoting ${digest.slice(0, 19)}`,
    ...(ctx.runUrl ? { logUrl: ctx.runUrl } : {}),
  });
  core.setOutput('deployment-id', String(id));
  core.info(logSafe(`GitHub deployment ${id} to ${environment} is in progress`));
}
