import { rollback } from '../../actions/lib/rollout/lifecycle.js';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';
import { type Command, parseCommandArgs, requireOption } from '../command.js';
import { clusterFlags, clusterFlagsUsage, commandSession, withCancellation } from '../session-support.js';

export const rollbackCommand: Command = {
  name: 'rollback',
  usage: `Usage: scalegate rollback --env <env> [options]

Sends all traffic to the stable track, restores its autoscaling bounds and removes the canary's Deployment and
autoscaler. Idempotent: rolling back an environment without a canary changes nothing.

Options:
${clusterFlagsUsage}
`,
  async run(argv, io) {
    const { values } = parseCommandArgs('rollback', argv, clusterFlags);
    const env = requireOption('rollback', 'env', values.env);
    return withCancellation(io, async (signal) => {
      const { context } = await commandSession(env, values, io, signal);
      await rollback(context, `rolled back by ${context.run.runId}`);
      io.stdout.write(`rolled back the canary of ${context.target.namespace}/${context.target.service}\n`);
      return ExitCode.ok;
    });
  },
};
