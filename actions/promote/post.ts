import * as core from '@actions/core';
import { failStep, sessionFromInputs } from '../lib/rollout/action-inputs.js';
import { readProgress } from '../lib/rollout/progress.js';
import { rollback } from '../lib/rollout/rollback.js';

/**
 * After a cancelled run: a rollback left midway is finished; a promotion left midway is left for the workflow to
 * decide: re-run promote to finish it, or roll back, which puts back the stable template recorded before it began.
 */
async function post(): Promise<void> {
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

post().catch((error: unknown) => failStep(error));
