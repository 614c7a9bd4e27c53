/** The public shapes of a load run, shared by every runner (builtin engine, k6 binary, k6-operator). */

import type { PoolPlan } from './builtin/pool/rewrite.js';

export type RunnerName = 'auto' | 'k6' | 'builtin' | 'operator';

/** One way of running a k6 script; each runner lives in its own file and is registered in index.ts. */
export interface LoadRunner {
  readonly name: Exclude<RunnerName, 'auto'>;
  run(options: RunLoadOptions): Promise<LoadResult>;
}

/** One ramping stage of a scenario, with the wall-clock window it actually covered (RFC3339 with ms). */
export interface StageWindow {
  index: number;
  /** VUs (ramping-vus) or iterations per timeUnit (ramping-arrival-rate) reached at the end of the stage. */
  target: number;
  durationMs: number;
  start: string;
  end: string;
}

export interface ScenarioWindow {
  name: string;
  executor: string;
  start: string;
  end: string;
  stages: StageWindow[];
}

/** Start and end of the whole test and of every scenario and stage, so gates evaluate exactly those windows. */
export interface LoadWindows {
  start: string;
  end: string;
  scenarios: ScenarioWindow[];
}

/** A live snapshot, emitted about once a second while load runs. */
export interface LoadProgress {
  elapsedMs: number;
  /** Human label of what runs now, e.g. `default stage 2/3` or `setup`. */
  stage: string;
  vus: number;
  vusMax: number;
  /** Requests per second over the last interval. */
  requestRate: number;
  /** p95 of http_req_duration over the last interval, ms (0 when no request finished). */
  p95Ms: number;
  /** Failed requests (http_req_failed) so far. */
  errors: number;
  requests: number;
  iterations: number;
}

/** Key numbers of a finished run, taken from its summary. */
export interface LoadMetricsSummary {
  requests: number;
  /** Requests per second over the whole test run. */
  requestRate: number;
  p95Ms: number;
  p99Ms: number;
  /** http_req_failed rate, 0..1. */
  errorRate: number;
  iterations: number;
  droppedIterations: number;
  checksPassRate: number | undefined;
}

/** How the operator runner reaches the cluster and shapes the TestRun. */
export interface OperatorSettings {
  /** Path of a kubeconfig file; default: the usual lookup (KUBECONFIG, ~/.kube/config, in-cluster). */
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  /** TestRun name; default derived from the script name and the time. */
  name?: string;
  parallelism?: number;
  runnerImage?: string;
  runnerResources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  /** Extra `k6 run` arguments. */
  arguments?: string[];
  /** Give up after this long; default 30 minutes. */
  timeoutMs?: number;
  /** Keep the TestRun, ConfigMap and Jobs after the run (for debugging). */
  keep?: boolean;
}

export interface RunLoadOptions {
  /** Path of the k6 script (.js or .ts). */
  script: string;
  runner?: RunnerName;
  /** `__ENV` additions (`-e KEY=VALUE`). */
  env?: Record<string, string>;
  /** Write k6's `--summary-export` JSON here. */
  summaryExport?: string;
  /** Write k6's `--out json` NDJSON here. */
  outJson?: string;
  /** k6 `--stage` spec, e.g. `10s:5,20s:10`; replaces the script's scenarios. */
  stages?: string;
  /** Aborting stops the load like k6's external abort (exit code 105); teardown and summary still run. */
  signal?: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
  /** Where the end-of-test text summary and script console output go; default process.stderr. */
  log?: (line: string) => void;
  /** Print console.debug output of the script too (k6's --verbose). */
  verbose?: boolean;
  /**
   * Builtin engine: how VUs are hosted. `auto` (default): many VUs per worker thread when the script can be
   * rewritten for that (its blocking k6 calls awaited), else a thread per VU; `threads`: a thread per VU.
   */
  vuHosting?: 'auto' | 'threads';
  /**
   * Builtin engine: decides whether the bundled script runs pooled and gives its pooled source (default:
   * planPooled, the engine's own rewrite). For the tests of the pool runtime.
   */
  poolPlan?: (bundle: string) => PoolPlan;
  /** Where handleSummary's `stdout` goes; default process.stdout. */
  stdout?: (text: string) => void;
  kube?: OperatorSettings;
  /** Extra arguments passed through to the k6 binary. */
  k6Args?: string[];
  /** Working directory for relative paths; default process.cwd(). */
  cwd?: string;
}

export interface LoadResult {
  /** k6's exit code: 0, 99 thresholds, 104 bad config, 105 aborted, 107 script error, 108 test.abort(), 110 test.fail(). */
  exitCode: number;
  runner: Exclude<RunnerName, 'auto'>;
  windows: LoadWindows;
  summaryPath?: string;
  thresholdsPassed: boolean;
  metrics: LoadMetricsSummary;
}
