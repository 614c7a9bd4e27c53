import * as core from '@actions/core';
import { failStep, sessionFromInputs } from '../lib/rollout/action-inputs.js';
import { rollbackIfUnfinished } from '../lib/rollout/rollback.js';

/** Rolls back a canary the main step started and did not finish (the workflow was cancelled or the step crashed). */
async function post(): Promise<void> {
  if (core.getState('track') !== 'canary') return;
  const { context } = await sessionFromInputs(new AbortController().signal);
  const rolledBack = await rollbackIfUnfinished(context);
  if (rolledBack) core.warning(`unfinished canary rolled back: ${rolledBack.message}`);
}

post().catch((error: unknown) => failStep(error));
