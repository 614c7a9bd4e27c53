/**
 * Runs one example scenario end to end: a fresh local stack (simulator + real Prometheus) shaped as the scenario
 * needs, `verify` on the example's settings, then everything stopped. Progress goes to stderr with DEBUG_E2E=1.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { type VerifyResult, verify } from '../../actions/lib/verify/index.js';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../cli/demo/local-stack.js';
import type { ControlPlaneKind } from '../../simulator/cluster.js';

const runFile = promisify(execFile);

export const repoRoot = resolve(import.meta.dirname, '../..');
export const examples = join(repoRoot, 'examples');

export interface ScenarioRun {
  /** Settings file, relative to examples/. */
  env: string;
  image: string;
  stableImage?: string;
  cluster?: LocalStackOptions['cluster'];
  /** The Service load goes to (default: the settings' service) and the namespace it lives in. */
  namespace: string;
  service: string;
  /** KEDA's serverAddress is the Prometheus the cluster reaches: the settings are copied with it pointed there. */
  kedaServerAddress?: boolean;
  /** Which control plane the local cluster runs (default builtin); every scenario runs on both. */
  controlPlane?: ControlPlaneKind;
}

/** A copy of the settings with KEDA pointed at `prometheusUrl`; relative paths made absolute so it works anywhere. */
async function withKedaServer(file: string, prometheusUrl: string, dir: string): Promise<string> {
  const settings = parse(await readFile(file, 'utf8'));
  const base = dirname(file);
  settings.manifests = resolve(base, settings.manifests);
  settings.load.script = resolve(base, settings.load.script);
  settings.autoscaling.keda.prometheus.serverAddress = prometheusUrl;
  const copy = join(dir, file.split('/').pop() as string);
  await writeFile(copy, stringify(settings));
  return copy;
}

/** Starts the stack `run` needs and calls `body` with it and the settings file to use; stops the stack after. */
async function withStack<T>(
  run: ScenarioRun,
  log: (line: string) => void,
  body: (stack: LocalStack, env: string) => Promise<T>,
): Promise<T> {
  const file = join(examples, run.env);
  const stack = await startLocalStack({
    cluster: { ...run.cluster, controlPlane: run.controlPlane },
    environments: [file],
    log,
  });
  const dir = await mkdtemp(join(tmpdir(), 'scalegate-e2e-'));
  try {
    return await body(
      stack,
      run.kedaServerAddress ? await withKedaServer(file, stack.prometheus.url, dir) : file,
    );
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function scenarioLog(run: ScenarioRun, started: number): (line: string) => void {
  return process.env.DEBUG_E2E
    ? (line) =>
        console.error(
          `[${run.env} ${run.controlPlane ?? 'builtin'} ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}`,
        )
    : () => {};
}

export async function runScenario(run: ScenarioRun): Promise<VerifyResult & { seconds: number }> {
  const started = Date.now();
  const log = scenarioLog(run, started);
  const result = await withStack(run, log, async (stack, env) =>
    verify({
      env,
      image: run.image,
      ...(run.stableImage ? { stableImage: run.stableImage } : {}),
      cwd: repoRoot,
      processEnv: process.env,
      kubeconfig: await stack.scalegateKubeconfig(run.namespace),
      prometheusUrl: stack.prometheus.url,
      targetUrl: stack.serviceUrl(run.namespace, run.service),
      stepSeconds: 1,
      timeout: '2m',
      run: { runId: `e2e-${run.env}-${run.image}` },
      signal: AbortSignal.timeout(240_000),
      log,
    }),
  );
  return { ...result, seconds: Math.round((Date.now() - started) / 1000) };
}

/** The same through the CLI, as a user runs it: `scalegate verify ... --out <dir>` in a child process. */
export async function runScenarioCli(
  run: ScenarioRun,
  out: string,
): Promise<{ code: number; stdout: string; stderr: string; seconds: number }> {
  const started = Date.now();
  const log = scenarioLog(run, started);
  const result = await withStack(run, log, async (stack, env) =>
    runCli(
      [
        'verify',
        '--env',
        env,
        '--image',
        run.image,
        '--kubeconfig',
        await stack.scalegateKubeconfig(run.namespace),
        '--prometheus',
        stack.prometheus.url,
        '--scrape-interval',
        '1',
        '--target-url',
        stack.serviceUrl(run.namespace, run.service),
        '--out',
        out,
      ],
      240_000,
    ),
  );
  return { ...result, seconds: Math.round((Date.now() - started) / 1000) };
}

/** `scalegate <args>` in a child process from the repository root, as a user runs it; never rejects. */
export function runCli(
  args: string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runFile(process.execPath, ['bin/scalegate.mjs', ...args], {
    cwd: repoRoot,
    env,
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    (r) => ({ code: 0, ...r }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? -1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }),
  );
}

/** The gate result of `name` (in any step), failing loudly when the verdict has none. */
export function gate(result: VerifyResult, name: string) {
  const found = result.verdict.gates.find((g) => g.name === name || g.name.endsWith(` · ${name}`));
  if (!found)
    throw new Error(`no gate ${name} in the verdict: ${result.verdict.gates.map((g) => g.name).join(', ')}`);
  return found;
}
