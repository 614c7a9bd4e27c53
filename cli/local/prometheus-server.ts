/**
 * A real Prometheus server as a child process, for local runs, tests and CI: found on PATH (or installed from the
 * distribution's package when allowed), configured to scrape the targets the caller names, started on a free
 * loopback port with a throw-away TSDB, and stopped cleanly.
 */

import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { PrometheusClient } from '../../actions/lib/prometheus/client.js';
import { ScalegateError } from '../../actions/lib/util/errors.js';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';
import { localPort } from '../../actions/lib/util/local-port.js';
import { spawnTied } from '../../actions/lib/util/tied-spawn.js';
import { type DebianTool, ensureTool, findTool } from './debian-tool.js';

export interface ScrapeTarget {
  job: string;
  /** Full URL of the metrics endpoint, e.g. `http://127.0.0.1:8080/metrics`. */
  url: string;
}

export interface PrometheusServerOptions {
  targets: ScrapeTarget[];
  /** Whole scrape_configs entries, after the targets' (e.g. the local cluster's kube-prometheus-stack layout). */
  scrapeConfigs?: Record<string, unknown>[];
  /** Seconds between scrapes; 1 in the fast profile. */
  scrapeIntervalSeconds?: number;
  /** Path of the binary; default: `$PROMETHEUS_BIN`, then `prometheus` on PATH. */
  binary?: string;
  /** Install the package when the binary is missing (needs root or password-less sudo, and apt). */
  install?: boolean;
  /** How long to wait for `/-/ready`. Default 30 s. */
  readyTimeoutMs?: number;
}

export interface PrometheusServer {
  url: string;
  scrapeIntervalSeconds: number;
  /** Resolves once `query` returns at least one sample (the first scrape comes ~5 s after start). */
  waitForSample(query: string, timeoutMs?: number): Promise<void>;
  /** The running process (tests freeze it with SIGSTOP). */
  readonly pid: number | undefined;
  /** SIGKILL, as a crash would: nothing flushed beyond what the write-ahead log holds. */
  crash(): Promise<void>;
  /** Starts again after `crash()` on the same port and data, and waits until it is ready. */
  restart(): Promise<void>;
  /** SIGTERM, wait for exit (SIGKILL after 10 s), remove the TSDB directory. Idempotent. */
  stop(): Promise<void>;
}

const prometheusTool: DebianTool = {
  title: 'Prometheus',
  package: 'prometheus',
  binaries: ['prometheus'],
  envVar: 'PROMETHEUS_BIN',
};

/** The Prometheus binary to run, or undefined when there is none. */
export function findPrometheus(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findTool(prometheusTool, env);
}

/** Returns the Prometheus binary, installing Debian/Ubuntu's `prometheus` package first when allowed. */
export function ensurePrometheus(options: { install: boolean; log?: (line: string) => void }): string {
  return ensureTool(prometheusTool, options);
}

/** The Prometheus configuration (YAML) scraping `targets` every `intervalSeconds`. */
export function prometheusConfig(
  targets: ScrapeTarget[],
  intervalSeconds: number,
  scrapeConfigs: Record<string, unknown>[] = [],
): string {
  const interval = `${intervalSeconds}s`;
  return stringify({
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: [
      ...targets.map((target) => {
        const url = new URL(target.url);
        return {
          job_name: target.job,
          // kube-state-metrics and the simulator set `namespace`, `pod`... themselves: keep them as served.
          honor_labels: true,
          scheme: url.protocol.replace(':', ''),
          metrics_path: url.pathname,
          static_configs: [{ targets: [url.host] }],
        };
      }),
      ...scrapeConfigs,
    ],
  });
}

async function pollUntil(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  exited: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exit = exited();
    if (exit)
      throw new ScalegateError(`Prometheus exited while waiting for ${what}: ${exit}`, ExitCode.inconclusive);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new ScalegateError(`Prometheus: timed out waiting for ${what}`, ExitCode.inconclusive);
    await sleep(100);
  }
}

export async function startPrometheus(options: PrometheusServerOptions): Promise<PrometheusServer> {
  const binary = options.binary ?? ensurePrometheus({ install: options.install ?? false });
  const interval = options.scrapeIntervalSeconds ?? 1;
  const dir = await mkdtemp(join(tmpdir(), 'scalegate-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, prometheusConfig(options.targets, interval, options.scrapeConfigs));
  const port = await localPort();
  const url = `http://127.0.0.1:${port}`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  let child: ChildProcess;
  let exit: string | undefined;
  let exited: Promise<void>;

  /** Starts the binary on the same port and TSDB directory (a restart keeps what was written). */
  const launch = () => {
    let stderr = '';
    exit = undefined;
    child = spawnTied(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exit = `exit ${code ?? signal}: ${stderr.trim().split('\n').pop() ?? ''}`;
        resolve();
      });
      child.once('error', (error) => {
        exit = error.message;
        resolve();
      });
    });
  };
  const ready = () =>
    pollUntil(
      'readiness',
      readyTimeoutMs,
      async () => (await fetch(`${url}/-/ready`)).ok,
      () => exit,
    );

  launch();
  // Never leave a server behind when the parent exits without calling stop() (spawnTied covers a SIGKILL).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const client = new PrometheusClient({ url, retries: 0, timeoutMs: 5000 });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    await client.close();
    if (exit === undefined) {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await ready();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    scrapeIntervalSeconds: interval,
    get pid() {
      return child.pid;
    },
    waitForSample: (query, timeoutMs = 60_000) =>
      pollUntil(
        `a sample of ${query}`,
        timeoutMs,
        async () => (await client.query(query)).length > 0,
        () => exit,
      ),
    crash: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    restart: async () => {
      launch();
      await ready();
    },
    stop,
  };
}
