import { rollback } from '../../actions/lib/rollout/rollback.js';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';
import { type Command, parseCommandArgs, requireOption } from '../command.js';
import { clusterFlags, clusterFlagsUsage, commandSession, withCancellation } from '../session-support.js';

export const rollbackCommand: Command = {
  name: 'rollback',
  usage: `Usage: scalegate rollback --env <env> [options]

Sends all traffic to the stable track, restores its autoscaling bounds and removes the canary's Deployment and
autoscaler. After a promotion that stopped midway it first puts back the stable template recorded before promote
began (or refuses, saying why). Idempotent: rolling back an environment without a canary changes nothing.

Options:
${clusterFlagsUsage}
`,
  async run(argv, io) {
    const { values } = parseCommandArgs('rollback', argv, clusterFlags);
    const env = requireOption('rollback', 'env', values.env);
    return withCancellation(io, async (signal) => {
      const { context } = await commandSession(env, values, io, signal);
      const progress = await rollback(context, `rolled back by ${context.run.runId}`);
      // What the cluster shows now, not what was asked: "nothing to roll back" stays visible as such.
      const { namespace, service } = context.target;
      io.stdout.write(
        progress
          ? `${namespace}/${service}: ${progress.phase}: ${progress.message}\n`
          : `${namespace}/${service}: no canary and no recorded progress: nothing to roll back\n`,
      );
      return ExitCode.ok;
    });
  },
};
