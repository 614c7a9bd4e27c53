/**
 * `scalegate demo`: the whole product on one machine. Starts the simulator (three small nodes of one CPU) and a real
 * Prometheus, then verifies three canaries: a good one of the sample service (examples/03-canary-ratio), which is
 * promoted; a regressed one (its image tag doubles the CPU per request: the simulator's image catalog), which the
 * canary-versus-stable gate rolls back; and one of the capacity scenario (examples/02-pending-pods) whose HPA
 * scales out in time while its new pods stay Pending on full nodes, which the pending-pods gate rolls back naming
 * missing capacity. Writes report.md, report.html and verdict.json, and stops everything it started.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type VerifyResult, verify } from '../../actions/lib/verify/index.js';
import type { ControlPlaneKind } from '../../simulator/cluster.js';
import { startLocalStack } from './local-stack.js';
import { renderDemoHtml, renderDemoMarkdown } from './report.js';

const examples = resolve(import.meta.dirname, '../../examples');

export interface DemoRun {
  name: string;
  title: string;
  /** The settings file the run verifies. */
  env: string;
  /** The Service load goes to (the settings' namespace and name). */
  target: { namespace: string; service: string };
  image: string;
  expected: VerifyResult['outcome'];
}

const sample = {
  env: join(examples, '03-canary-ratio/canary-ratio.yaml'),
  target: { namespace: 'shop', service: 'web' },
};

/** Each run's stable image comes from its settings, or from the run before it on the same settings. */
export const demoRuns: DemoRun[] = [
  { name: 'good', title: 'A good canary', ...sample, image: 'shop/web:1.5.0', expected: 'promoted' },
  {
    name: 'regressed',
    title: 'A regressed canary (twice the CPU per request)',
    ...sample,
    image: 'shop/web:1.6.0-cpu2x',
    expected: 'rolled-back',
  },
  {
    name: 'capacity',
    title: 'A canary that scales out onto full nodes (its new pods stay Pending)',
    env: join(examples, '02-pending-pods/capacity.yaml'),
    target: { namespace: 'capacity', service: 'api' },
    image: 'shop/api:2.1.0',
    expected: 'rolled-back',
  },
];

/** Small nodes: one CPU holds two of the capacity scenario's 400m pods, so its scale-out does not fit. */
export const demoCluster = { nodes: 3, nodeCpu: '1', nodeMemory: '4Gi' };

export interface DemoRunResult extends DemoRun {
  result: VerifyResult;
  asExpected: boolean;
}

export interface DemoResult {
  runs: DemoRunResult[];
  passed: boolean;
  files: { markdown: string; html: string; verdict: string };
  durationMs: number;
}

export interface DemoOptions {
  out: string;
  cwd: string;
  processEnv: NodeJS.ProcessEnv;
  signal: AbortSignal;
  log: (line: string) => void;
  installPrometheus?: boolean;
  controlPlane?: ControlPlaneKind;
}

export const demoVerdictSchema = 'scalegate.dev/demo/v1';

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const { log } = options;
  log('demo: starting the local cluster and Prometheus');
  const stack = await startLocalStack({
    cluster: { ...demoCluster, controlPlane: options.controlPlane ?? 'builtin' },
    installPrometheus: options.installPrometheus ?? false,
    environments: [...new Set(demoRuns.map((run) => run.env))],
    cwd: options.cwd,
    log,
  });
  const runs: DemoRunResult[] = [];
  try {
    const promoted = new Map<string, string>();
    for (const run of demoRuns) {
      const stableImage = promoted.get(run.env);
      log(`demo: run ${runs.length + 1}/${demoRuns.length}: ${run.title}: ${run.image}`);
      const result = await verify({
        env: run.env,
        image: run.image,
        ...(stableImage ? { stableImage } : {}),
        cwd: options.cwd,
        processEnv: options.processEnv,
        kubeconfig: await stack.scalegateKubeconfig(run.target.namespace),
        prometheusUrl: stack.prometheus.url,
        targetUrl: stack.serviceUrl(run.target.namespace, run.target.service),
        stepSeconds: stack.prometheus.scrapeIntervalSeconds,
        run: { runId: `scalegate-demo-${run.name}` },
        signal: options.signal,
        log,
      });
      // What was promoted is what the next run's stable track runs, as on the main branch after a merge.
      if (result.outcome === 'promoted') promoted.set(run.env, run.image);
      runs.push({ ...run, result, asExpected: result.outcome === run.expected });
    }
  } finally {
    log('demo: stopping the local cluster and Prometheus');
    await stack.stop();
  }
  const passed = runs.every((r) => r.asExpected);
  await mkdir(options.out, { recursive: true });
  const files = {
    markdown: join(options.out, 'report.md'),
    html: join(options.out, 'report.html'),
    verdict: join(options.out, 'verdict.json'),
  };
  await writeFile(files.markdown, renderDemoMarkdown(runs));
  await writeFile(files.html, renderDemoHtml(runs));
  const verdict = {
    schemaVersion: demoVerdictSchema,
    passed,
    runs: runs.map((r) => ({
      name: r.name,
      image: r.image,
      stableImage: r.result.stableImage,
      expected: r.expected,
      outcome: r.result.outcome,
      reason: r.result.reason,
      verdict: r.result.verdict,
    })),
  };
  await writeFile(files.verdict, `${JSON.stringify(verdict, null, 2)}\n`);
  return { runs, passed, files, durationMs: Date.now() - started };
}
