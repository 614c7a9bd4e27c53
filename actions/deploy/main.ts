import * as core from '@actions/core';
import { cancellationSignal } from '../lib/action/entry.js';
import { choiceInput, durationInput, workspace } from '../lib/action/inputs.js';
import { sessionFromInputs } from '../lib/action/session.js';
import { deployEnvironment } from '../lib/rollout/deploy-environment.js';
import { rollbackIfUnfinished } from '../lib/rollout/rollback.js';
import { logSafe } from '../lib/util/log-safe.js';

export async function run(): Promise<void> {
  const track = choiceInput('track', ['stable', 'canary']);
  // The post step rolls back a canary this run leaves unfinished (cancelled workflow, crashed runner).
  core.saveState('track', track);
  const session = await sessionFromInputs(cancellationSignal());
  const image = core.getInput('image');
  const targetUrl = core.getInput('target-url');
  const outcome = await deployEnvironment(session, {
    track,
    ...(image ? { image } : {}),
    cwd: workspace(),
    processEnv: process.env,
    ...(targetUrl ? { targetUrl } : {}),
    approvalTimeoutMs: durationInput('approval-timeout', 24 * 3_600_000),
    replace: core.getBooleanInput('replace'),
  });
  core.setOutput('image', outcome.image);
  core.setOutput('revision', outcome.revision);
  core.setOutput('phase', outcome.progress?.phase ?? '');
  core.info(logSafe(outcome.summary));
}

/** Rolls back a canary the main step started and did not finish (the workflow was cancelled or the step crashed). */
export async function post(): Promise<void> {
  if (core.getState('track') !== 'canary') return;
  const { context } = await sessionFromInputs(new AbortController().signal);
  const rolledBack = await rollbackIfUnfinished(context);
  if (rolledBack) core.warning(`unfinished canary rolled back: ${rolledBack.message}`);
}
