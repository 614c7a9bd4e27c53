import * as core from '@actions/core';
import { cancellationSignal, failStep, sessionFromInputs } from '../lib/rollout/action-inputs.js';
import { approveStep } from '../lib/rollout/progress.js';
import { promote } from '../lib/rollout/promote.js';
import { rollback } from '../lib/rollout/rollback.js';
import { UsageError } from '../lib/util/errors.js';
import { logSafe } from '../lib/util/log-safe.js';

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
        : await promote(context, {
            force: core.getBooleanInput('force'),
            ...(core.getInput('image') ? { image: core.getInput('image') } : {}),
            ...(core.getInput('digest') ? { digest: core.getInput('digest') } : {}),
          });
  core.setOutput('phase', progress?.phase ?? '');
  core.setOutput('image', progress?.image ?? '');
  core.info(logSafe(`${action}: ${namespace}/${service} ${progress?.phase ?? 'no canary'}`));
}

run().catch((error: unknown) => failStep(error));
