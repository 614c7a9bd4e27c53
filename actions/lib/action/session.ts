/** The rollout session of the deploy and promote actions (main and post steps alike), from their shared inputs. */
import * as core from '@actions/core';
import { openSession, type Session } from '../rollout/session.js';
import { logSafe } from '../util/log-safe.js';
import { optionalInput, workspace } from './inputs.js';

export function sessionFromInputs(signal: AbortSignal): Promise<Session> {
  const kubeconfigContent = optionalInput('kubeconfig');
  // The runner masks a secret line by line: mask the credential values themselves, not just the whole document.
  for (const match of kubeconfigContent?.matchAll(/(?:token|client-key-data|password):\s*(\S+)/g) ?? [])
    core.setSecret(match[1]!);
  return openSession({
    env: core.getInput('env', { required: true }),
    cwd: workspace(),
    processEnv: process.env,
    kubeconfigContent,
    context: optionalInput('context'),
    timeout: optionalInput('timeout'),
    leaseWait: optionalInput('lease-wait'),
    signal,
    log: (line) => core.info(logSafe(line)),
  });
}
