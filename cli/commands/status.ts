import { UsageError } from '../../actions/lib/util/errors.js';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';
import { type Command, parseCommandArgs, requireOption } from '../command.js';
import { environmentStatus, formatStatus } from '../environment-status.js';
import { clusterFlags, clusterFlagsUsage, commandSession } from '../session-support.js';

export const statusCommand: Command = {
  name: 'status',
  usage: `Usage: scalegate status --env <env> [-o text|json] [options]

Options:
  -o, --output <format>  text (default) or json
${clusterFlagsUsage}
`,
  async run(argv, io) {
    const { values } = parseCommandArgs('status', argv, {
      ...clusterFlags,
      output: { type: 'string', short: 'o' },
    });
    const env = requireOption('status', 'env', values.env);
    const format = values.output ?? 'text';
    if (format !== 'text' && format !== 'json')
      throw new UsageError(`scalegate status: --output must be text or json, got '${format}'`);
    const { context } = await commandSession(env, values, io, new AbortController().signal);
    const status = await environmentStatus(context.client, context.target);
    io.stdout.write(format === 'json' ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
    return ExitCode.ok;
  },
};
