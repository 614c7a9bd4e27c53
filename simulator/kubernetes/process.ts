import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { spawnTied } from '../../actions/lib/util/tied-spawn.js';

/** A control-plane component running as a child process, its output in `<dir>/<name>.log`. */
export interface Component {
  name: string;
  log: string;
  /** Resolves when the process has exited, for whatever reason. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const stopGraceMs = 5000;

/**
 * Every component still running. If this process exits without stopping them (an uncaught error, process.exit),
 * they are killed on the way out rather than left behind holding ports and files; if it is killed outright, the
 * kernel kills them (spawnTied).
 */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export function startComponent(dir: string, name: string, binary: string, args: string[]): Component {
  const log = join(dir, `${name}.log`);
  const out = createWriteStream(log);
  const child: ChildProcess = spawnTied(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  live.add(child);
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      out.write(`scalegate: could not start ${binary}: ${error.message}\n`);
      resolve(null);
    });
    child.once('exit', (code) => resolve(code));
  }).finally(() => {
    live.delete(child);
    out.end();
  });
  return {
    name,
    log,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill('SIGTERM');
      // A component that ignores SIGTERM past the grace period is killed, so stop never leaves a process behind.
      const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
