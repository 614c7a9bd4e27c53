import * as core from '@actions/core';
import { cancellationSignal, failStep, sessionFromInputs, workspace } from '../lib/rollout/action-inputs.js';
import { deployEnvironment } from '../lib/rollout/deploy-environment.js';
import { parseDuration } from '../lib/util/duration.js';
import { UsageError } from '../lib/util/errors.js';
import { logSafe } from '../lib/util/log-safe.js';

async function run(): Promise<void> {
  const track = core.getInput('track', { required: true });
  if (track !== 'stable' && track !== 'canary')
    throw new UsageError(`track: expected stable or canary, got '${track}'`);
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
    approvalTimeoutMs: parseDuration(core.getInput('approval-timeout') || '24h'),
    replace: core.getBooleanInput('replace'),
  });
  core.setOutput('image', outcome.image);
  core.setOutput('revision', outcome.revision);
  core.setOutput('phase', outcome.progress?.phase ?? '');
  core.info(logSafe(outcome.summary));
}

run().catch((error: unknown) => failStep(error));
