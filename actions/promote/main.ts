import * as core from '@actions/core';
import { cancellationSignal, failStep, sessionFromInputs } from '../lib/rollout/action-inputs.js';
import { promote, rollback } from '../lib/rollout/lifecycle.js';
import { approveStep } from '../lib/rollout/progress.js';
import { UsageError } from '../lib/util/errors.js';

async function run(): Promise<void> {
  const action = core.getInput('action') || 'promote';
  if (!['promote', 'rollback', 'approve'].includes(action))
    throw new UsageError(`action: expected promote, rollback or approve, got '${action}'`);
  core.saveState('action', action);
  const { context } = await sessionFromInputs(cancellationSignal());
  const { namespace, service } = context.target;
  const progress =
    action === 'approve'
      ? await approveStep(context.client, namespace, service)
      : action === 'rollback'
        ? await rollback(context, `rolled back by ${context.run.runId}`)
        : await promote(context, { force: core.getBooleanInput('force') });
  core.setOutput('phase', progress?.phase ?? '');
  core.setOutput('image', progress?.image ?? '');
  core.info(`${action}: ${namespace}/${service} ${progress?.phase ?? 'no canary'}`);
}

run().catch((error: unknown) => failStep(error));
