import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { renderEnvironment } from '../../actions/lib/render/index.js';
import { displayPath, loadEnvironment } from '../../actions/lib/settings/index.js';
import { UsageError } from '../../actions/lib/util/errors.js';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';
import { type Command, parseCommandArgs } from '../command.js';

const usage = `Usage: scalegate validate (--env <name|file> ... | --all)

Checks environment settings without touching a cluster: the settings against their schema and rules, then every
object they render (all tracks) against the Kubernetes schemas. Prints one line per valid environment.

  --env <name|file>   environment name (environments/<name>.yaml) or settings file; repeatable
  --all               every environments/*.yaml

Exit codes: 0 all valid; 2 the first problem, as one line: file:line:column: field: problem.
`;

async function allEnvironments(cwd: string): Promise<string[]> {
  const folder = join(cwd, 'environments');
  const entries = await readdir(folder).catch(() => []);
  const files = entries.filter((f) => ['.yaml', '.yml'].includes(extname(f))).sort();
  if (files.length === 0) throw new UsageError(`scalegate validate: no settings files in ${folder}`);
  return files.map((f) => join(folder, f));
}

export const validateCommand: Command = {
  name: 'validate',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs('validate', argv, {
      env: { type: 'string', multiple: true },
      all: { type: 'boolean' },
    });
    const refs = values.all ? await allEnvironments(io.cwd) : (values.env ?? []);
    if (refs.length === 0) throw new UsageError('scalegate validate: --env or --all is required');
    for (const ref of refs) {
      const env = await loadEnvironment(ref, { cwd: io.cwd });
      const { objects, digest } = await renderEnvironment(env, { track: 'all', cwd: io.cwd });
      io.stdout.write(`${displayPath(env.file, io.cwd)}: ok (${objects.length} objects, ${digest})\n`);
    }
    return ExitCode.ok;
  },
};
