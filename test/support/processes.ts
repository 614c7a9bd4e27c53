/** The processes on this machine whose command line mentions a text (a cluster's folder, a port), from /proc. */
import { readdir, readFile } from 'node:fs/promises';

export interface ProcessInfo {
  pid: number;
  /** The arguments, as the process was started. */
  argv: string[];
}

export async function processesMentioning(text: string): Promise<ProcessInfo[]> {
  const found: ProcessInfo[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    // A process that ends while we read has no cmdline any more: it is not running.
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) found.push({ pid: Number(pid), argv: cmdline.split('\0').filter(Boolean) });
  }
  return found;
}

/** One line per process, for assertion messages. */
export const describeProcesses = (processes: ProcessInfo[]) =>
  processes.map((p) => `${p.pid} ${p.argv.join(' ').slice(0, 100)}`);
