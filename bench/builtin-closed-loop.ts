/**
 * The builtin engine's closed loop for the load bench: `connections` VUs requesting one URL back to back for
 * `seconds`, measured in its steady state (between the first and the last progress report, VU start-up excluded).
 * Run as a program (`node --import tsx bench/builtin-closed-loop.ts <url> <dir>`) it prints the figures as JSON: the
 * load bench runs it so under `taskset -c 0`, on the one core wrk and autocannon get.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from '../actions/lib/load/index.js';

export const connections = 50;
export const seconds = 5;

/**
 * CPU seconds this process's main thread and its other threads (VU threads, V8 and libuv helpers) have used, from
 * /proc (Linux); undefined elsewhere.
 */
function threadCpu(): { main: number; others: number } | undefined {
  try {
    const ticksPerSecond = 100;
    let main = 0;
    let others = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
      if (tid === String(process.pid)) main += seconds;
      else others += seconds;
    }
    return { main, others };
  } catch {
    return undefined;
  }
}

export interface ClosedLoop {
  /** How the run hosted its VUs, from its `--verbose` line (pooled, or a thread each and why). */
  hosting: string;
  rps: number;
  p99Ms: number;
  perCore: number;
  /** CPU per request on the engine's main thread (scheduler, metrics) and on the other threads (VUs, HTTP). */
  split: { mainUs: number; othersUs: number } | undefined;
}

/** `threads`: a thread per VU whatever the script; otherwise the engine's own choice. */
export async function builtinClosedLoop(
  url: string,
  dir: string,
  vuHosting: 'auto' | 'threads',
): Promise<ClosedLoop> {
  const path = join(dir, `closed-${vuHosting}.js`);
  await writeFile(
    path,
    `import http from 'k6/http';
export const options = { vus: ${connections}, duration: '${seconds}s', discardResponseBodies: true,
  summaryTrendStats: ['avg', 'p(99)'] };
export default function () { http.get('${url}'); }`,
  );
  type Sample = { cpu: NodeJS.CpuUsage; threads: ReturnType<typeof threadCpu>; requests: number };
  let first: Sample | undefined;
  let last: Sample | undefined;
  let hosting = 'not reported';
  const result = await runLoad({
    script: path,
    runner: 'builtin',
    vuHosting,
    verbose: true,
    stdout: () => undefined,
    log: (line: string) => {
      const said = /VUs run (.*)/.exec(line);
      if (said) hosting = said[1]!;
    },
    onProgress: (p) => {
      const sample = { cpu: process.cpuUsage(), threads: threadCpu(), requests: p.requests };
      first ??= sample;
      last = sample;
    },
  });
  const cpuSeconds = (last!.cpu.user + last!.cpu.system - first!.cpu.user - first!.cpu.system) / 1e6;
  const scenario = result.windows.scenarios[0]!;
  const windowSeconds = (Date.parse(scenario.end) - Date.parse(scenario.start)) / 1000;
  const requests = last!.requests - first!.requests;
  const micros = (seconds: number) => (seconds * 1e6) / requests;
  return {
    hosting,
    rps: result.metrics.requests / windowSeconds,
    p99Ms: result.metrics.p99Ms,
    perCore: requests / cpuSeconds,
    split:
      first!.threads && last!.threads
        ? {
            mainUs: micros(last!.threads.main - first!.threads.main),
            othersUs: micros(last!.threads.others - first!.threads.others),
          }
        : undefined,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [url, dir] = process.argv.slice(2);
  console.log(JSON.stringify(await builtinClosedLoop(url!, dir!, 'auto')));
}
