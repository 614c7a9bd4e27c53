import * as core from '@actions/core';
import { cancellationSignal } from '../lib/action/entry.js';
import { choiceInput } from '../lib/action/inputs.js';
import { sessionFromInputs } from '../lib/action/session.js';
import { promote, rollback } from '../lib/rollout/lifecycle.js';
import { approveStep, readProgress } from '../lib/rollout/progress.js';

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
        : await promote(context, { force: core.getBooleanInput('force') });
  core.setOutput('phase', progress?.phase ?? '');
  core.setOutput('image', progress?.image ?? '');
  core.info(`${action}: ${namespace}/${service} ${progress?.phase ?? 'no canary'}`);
}

/**
 * After a cancelled run: a rollback left midway is finished (it only moves traffic to stable and removes the
 * canary); a promotion left midway is not undone, since stable may already run the new template: re-run promote.
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
      'the promotion was interrupted; re-run promote to finish it (it continues where it stopped)',
    );
  }
}
