import { approveStep } from '../../actions/lib/rollout/progress.js';
import { promote } from '../../actions/lib/rollout/promote.js';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';
import { type Command, parseCommandArgs, requireOption } from '../command.js';
import { clusterFlags, clusterFlagsUsage, commandSession, withCancellation } from '../session-support.js';

export const promoteCommand: Command = {
  name: 'promote',
  usage: `Usage: scalegate promote --env <env> [--approve | --force] [options]

The stable Deployment takes the canary's pod template, its rollout is awaited, traffic returns fully to stable
and the canary is removed. Refuses a canary that has not passed its steps (unless --force). Safe to re-run after a
crash: it continues from the progress recorded in the cluster.

Options:
  --approve              only approve the pause the running canary waits at (untilApproved), then return
  --force                promote even though the canary has not finished its steps
  --image <ref>          the image the canary must run: refuses another run's canary
  --digest <sha256:...>  the image digest the canary's pods must run
${clusterFlagsUsage}
`,
  async run(argv, io) {
    const { values } = parseCommandArgs('promote', argv, {
      ...clusterFlags,
      approve: { type: 'boolean' },
      force: { type: 'boolean' },
      image: { type: 'string' },
      digest: { type: 'string' },
    });
    const env = requireOption('promote', 'env', values.env);
    return withCancellation(io, async (signal) => {
      const { context } = await commandSession(env, values, io, signal);
      const { namespace, service } = context.target;
      if (values.approve) {
        const progress = await approveStep(context.client, namespace, service);
        io.stdout.write(
          `approved step ${progress.step + 1} of the canary ${progress.image} of ${namespace}/${service}\n`,
        );
        return ExitCode.ok;
      }
      const progress = await promote(context, {
        force: values.force ?? false,
        ...(values.image ? { image: values.image } : {}),
        ...(values.digest ? { digest: values.digest } : {}),
      });
      io.stdout.write(`${progress.message} to ${namespace}/${service}\n`);
      return ExitCode.ok;
    });
  },
};
