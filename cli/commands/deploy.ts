import { deployEnvironment } from '../../actions/lib/rollout/deploy-environment.js';
import { durationOption } from '../../actions/lib/util/duration.js';
import { UsageError } from '../../actions/lib/util/errors.js';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';
import { type Command, parseCommandArgs, requireOption } from '../command.js';
import { clusterFlags, clusterFlagsUsage, commandSession, withCancellation } from '../session-support.js';

export const deployCommand: Command = {
  name: 'deploy',
  usage: `Usage: scalegate deploy --env <env> --track stable|canary --image <ref> [options]

Server-side applies the rendered track (field manager scalegate), prunes what an earlier deploy of that track
left behind, and waits for the rollout as kubectl rollout status does. For the canary track it then walks the
environment's canary steps (weight, load and gates, pause) and ends waiting for scalegate promote; a failed
rollout or gate, or SIGINT/SIGTERM, rolls the canary back. Re-running after a crash resumes where it stopped.

Options:
  --track <track>        stable or canary (required)
  --image <ref>          image to roll out (default: the settings' service.image)
  --target-url <url>     where load goes (default: load.target in the settings)
  --approval-timeout <d> how long a pause waits for scalegate promote --approve (default 24h)
  --replace              replace a canary that passed its steps and waits for promote (refused otherwise)
${clusterFlagsUsage}
`,
  async run(argv, io) {
    const { values } = parseCommandArgs('deploy', argv, {
      ...clusterFlags,
      track: { type: 'string' },
      image: { type: 'string' },
      'target-url': { type: 'string' },
      'approval-timeout': { type: 'string' },
      replace: { type: 'boolean' },
    });
    const env = requireOption('deploy', 'env', values.env);
    const track = requireOption('deploy', 'track', values.track);
    if (track !== 'stable' && track !== 'canary')
      throw new UsageError(`scalegate deploy: --track must be stable or canary, got '${track}'`);
    const approvalTimeoutMs = durationOption(
      'scalegate deploy: --approval-timeout',
      values['approval-timeout'],
      24 * 3_600_000,
    );
    return withCancellation(io, async (signal) => {
      const session = await commandSession(env, values, io, signal);
      const outcome = await deployEnvironment(session, {
        track,
        ...(values.image ? { image: values.image } : {}),
        cwd: io.cwd,
        processEnv: io.env,
        ...(values['target-url'] ? { targetUrl: values['target-url'] } : {}),
        approvalTimeoutMs,
        replace: values.replace ?? false,
      });
      io.stdout.write(`${outcome.summary}\n`);
      return ExitCode.ok;
    });
  },
};
