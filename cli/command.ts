import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../actions/lib/util/errors.js';
import { type ControlPlaneKind, controlPlanes } from '../simulator/cluster.js';

/** Where a command writes: stdout for results, stderr for progress and diagnostics. */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  name: string;
  /** Full usage text shown by `scalegate <name> --help`. */
  usage: string;
  /** Returns the process exit code. Throws ScalegateError for expected failures. */
  run(argv: string[], io: CliIO): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with strict checking, turning its errors into a one-line UsageError naming the command. */
export function parseCommandArgs<T extends Options>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError(
      `scalegate ${command}: ${(error as Error).message} (see scalegate ${command} --help)`,
    );
  }
}

export function requireOption(command: string, name: string, value: string | undefined): string {
  if (value === undefined || value === '')
    throw new UsageError(`scalegate ${command}: --${name} is required`);
  return value;
}

/** `--control-plane`: builtin (default) or kubernetes; anything else is a usage error naming the command. */
export function parseControlPlane(command: string, value: string | undefined): ControlPlaneKind {
  const kind = value ?? 'builtin';
  if (!(controlPlanes as readonly string[]).includes(kind))
    throw new UsageError(
      `scalegate ${command}: --control-plane must be ${controlPlanes.join(' or ')}, got '${kind}'`,
    );
  return kind as ControlPlaneKind;
}
