import * as core from '@actions/core';
import { cancellationSignal } from '../lib/action/entry.js';
import { choiceInput } from '../lib/action/inputs.js';
import { sessionFromInputs } from '../lib/action/session.js';
import { approveStep, readProgress } from '../lib/rollout/progress.js';
import { promote } from '../lib/rollout/promote.js';
import { rollback } from '../lib/rollout/rollback.js';
import { logSafe } from '../lib/util/log-safe.js';

export async function run(): Promise<void> {
  const action = choiceInput('action', ['promote', 'rollback', 'approve'], 'promote');
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

/**
 * After a cancelled run: a rollback left midway is finished; a promotion left midway is left for the workflow to
 * decide: re-run promote to finish it, or roll back, which puts back the stable template recorded before it began.
 */
export async function post(): Promise<void> {
  const action = core.getState('action');
  if (action !== 'promote' && action !== 'rollback') return;
  const { context } = await sessionFromInputs(new AbortController().signal);
  const progress = await readProgress(context.client, context.target.namespace, context.target.service);
  if (progress?.phase === 'rolling-back') {
    await rollback(context, progress.message);
    core.warning('finished the interrupted rollback');
  } else if (progress?.phase === 'promoting') {
    core.warning(
      'the promotion was interrupted; re-run promote to finish it, or roll back to restore the previous stable',
    );
  }
}
