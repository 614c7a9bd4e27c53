import * as core from '@actions/core';
import { failStep, sessionFromInputs } from '../lib/rollout/action-inputs.js';
import { rollback } from '../lib/rollout/lifecycle.js';
import { readProgress } from '../lib/rollout/progress.js';

/**
 * After a cancelled run: a rollback left midway is finished (it only moves traffic to stable and removes the
 * canary); a promotion left midway is not undone, since stable may already run the new template: re-run promote.
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
      'the promotion was interrupted; re-run promote to finish it (it continues where it stopped)',
    );
  }
}

post().catch((error: unknown) => failStep(error));
