import { ScalegateError } from '../actions/lib/util/errors.js';
import { ExitCode } from '../actions/lib/util/exit-codes.js';
import type { CliIO } from './command.js';
import { type CommandEntry, commands } from './commands/index.js';

function helpText(all: CommandEntry[]): string {
  const width = Math.max(...all.map((c) => c.name.length), 4);
  const lines = all.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'scalegate: ship a Kubernetes change only after it has been shown, under load, to scale.',
    '',
    "Usage: scalegate <command> [options]   (scalegate <command> --help for a command's options)",
    '',
    'Commands:',
    ...lines,
    '',
  ].join('\n');
}

export async function main(argv: string[], io: Partial<CliIO> = {}): Promise<number> {
  const cli: CliIO = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    stdin: io.stdin ?? process.stdin,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    cli.stdout.write(helpText(commands));
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version') {
    const { version } = (await import('../package.json', { with: { type: 'json' } })).default;
    cli.stdout.write(`${version}\n`);
    return ExitCode.ok;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    cli.stderr.write(`scalegate: unknown command '${name}' (see scalegate --help)\n`);
    return ExitCode.usage;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    cli.stdout.write(`${command.usage.trimEnd()}\n`);
    return ExitCode.ok;
  }
  try {
    return await command.run(rest, cli);
  } catch (error) {
    if (error instanceof ScalegateError) {
      cli.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
