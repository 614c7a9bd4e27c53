/**
 * A command-line tool scalegate drives from a Debian/Ubuntu package (Prometheus for gates and the demo, Chromium for
 * the report test): found through an environment variable or on PATH, else installed with apt when the caller allows
 * it and the process can (root, or password-less sudo as GitHub's runners have).
 */

import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ScalegateError } from '../../actions/lib/util/errors.js';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';

export interface DebianTool {
  /** How messages name it, e.g. `Prometheus`. */
  title: string;
  /** The Debian package that provides it. */
  package: string;
  /** Names the binary may have, tried in order in each directory. */
  binaries: string[];
  /** An environment variable that names the binary outright and wins over PATH. */
  envVar: string;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The tool's binary, or undefined when there is none. */
export function findTool(tool: DebianTool, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const named = env[tool.envVar];
  if (named) return isExecutable(named) ? named : undefined;
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    for (const name of tool.binaries) if (isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function canSudo(): boolean {
  try {
    execFileSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns the tool's binary, installing its package first (without Recommends, which keeps it small) when it is
 * missing and `install` is set. Every failure is a one-line ScalegateError saying how to fix it.
 */
export function ensureTool(
  tool: DebianTool,
  options: { install: boolean; log?: (line: string) => void },
): string {
  const found = findTool(tool);
  if (found) return found;
  const hint = `install it (apt-get install --no-install-recommends ${tool.package}) or set ${tool.envVar}`;
  if (!options.install) throw new ScalegateError(`${tool.title} is not installed: ${hint}`, ExitCode.usage);
  const root = process.getuid?.() === 0;
  if (!root && !canSudo()) {
    throw new ScalegateError(
      `${tool.title} is not installed and installing needs root or sudo: ${hint}`,
      ExitCode.usage,
    );
  }
  const prefix = root ? [] : ['sudo', '-n'];
  const run = (args: string[]) => {
    const [command, ...rest] = [...prefix, ...args] as [string, ...string[]];
    options.log?.(`$ ${[command, ...rest].join(' ')}`);
    try {
      execFileSync(command, rest, {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? `exit ${(error as { status?: number }).status}`;
      throw new ScalegateError(
        `installing ${tool.title} failed: ${[command, ...rest].join(' ')} (${why}): ${hint}`,
        2,
      );
    }
  };
  run(['apt-get', 'update']);
  run(['apt-get', 'install', '-y', '--no-install-recommends', tool.package]);
  const installed = findTool(tool);
  if (!installed)
    throw new ScalegateError(
      `apt-get installed ${tool.package} but no binary was found: ${hint}`,
      ExitCode.usage,
    );
  return installed;
}
