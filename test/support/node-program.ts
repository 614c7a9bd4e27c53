/** A Node program of this repository run as a child process, and the JSON line it prints first (e.g. `sim up`'s). */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { repoRoot } from '../e2e/scenario-support.js';
import { eventually } from './eventually.js';

export interface NodeProgram {
  child: ChildProcess;
  /** Waits for the first line on stdout and parses it; fails with the output if the program exits first. */
  firstJsonLine<T>(what: string, timeoutMs: number): Promise<T>;
}

/** Starts `node <args>` in the repository's folder, its output captured. */
export function startNodeProgram(args: string[]): NodeProgram {
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  return {
    child,
    async firstJsonLine<T>(what: string, timeoutMs: number) {
      await eventually(
        `${what} to print its first line`,
        () => {
          if (child.exitCode !== null || child.signalCode !== null)
            assert.fail(`${what} exited before printing its first line: ${out}${err}`);
          return out.includes('\n');
        },
        { timeoutMs, everyMs: 100 },
      );
      return JSON.parse(out.split('\n')[0] as string) as T;
    },
  };
}
