/**
 * Long-lived child processes (the real control plane's components, the local Prometheus) that die with the process
 * that started them, even when that process is SIGKILLed (a test runner's time-out, the OOM killer) and so runs no
 * exit hook. Linux only: util-linux's `setpriv --pdeathsig KILL` asks the kernel (PR_SET_PDEATHSIG) to SIGKILL the
 * child when its parent dies, then execs a shell that execs the binary, so the child keeps one pid throughout and
 * signals sent to `child.pid` (SIGTERM, SIGSTOP) reach the binary itself. The kernel ties the child to the thread
 * that forked it, so spawn from the main thread, not a worker. Where setpriv is missing (macOS, a minimal image) the
 * child is spawned as it is and only the callers' exit hooks and stop() end it.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The kernel sends the signal only if the parent dies after prctl: one that died between fork and prctl would leave
 * the child behind. The shell runs after prctl, so a parent still alive then is covered; otherwise it does not start.
 */
const parentStillAlive = '[ "$PPID" = "$1" ] || exit 125; shift; exec "$@"';

let setprivPath: string | null | undefined;

function setpriv(): string | null {
  if (setprivPath !== undefined) return setprivPath;
  setprivPath = null;
  if (process.platform !== 'linux') return setprivPath;
  for (const dir of [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/bin']) {
    try {
      accessSync(join(dir, 'setpriv'), constants.X_OK);
      setprivPath = join(dir, 'setpriv');
      break;
    } catch {}
  }
  return setprivPath;
}

/** `spawn(command, args, options)`, the child tied to this process's life as the module comment says. */
export function spawnTied(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const wrapper = setpriv();
  if (wrapper === null) return spawn(command, args, options);
  return spawn(
    wrapper,
    [
      '--pdeathsig',
      'KILL',
      '--',
      '/bin/sh',
      '-c',
      parentStillAlive,
      'scalegate',
      String(process.pid),
      command,
      ...args,
    ],
    options,
  );
}
