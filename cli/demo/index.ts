/**
 * `scalegate demo`: the whole product on one machine. Starts the simulator and a real Prometheus, verifies the sample
 * service (examples/03-canary-ratio) twice — a good canary, which is promoted, then a regressed one (its image tag
 * doubles the CPU per request: the simulator's image catalog), which is rolled back with the failing gates
 * explained — writes report.md, report.html and verdict.json, and stops everything it started.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type VerifyResult, verify } from '../../actions/lib/verify/index.js';
import type { ControlPlaneKind } from '../../simulator/cluster.js';
import { startLocalStack } from './local-stack.js';
import { renderDemoHtml, renderDemoMarkdown } from './report.js';

/** The sample service's settings, relative to the repository root. */
export const demoEnvironment = resolve(
  import.meta.dirname,
  '../../examples/03-canary-ratio/canary-ratio.yaml',
);

export interface DemoRun {
  name: string;
  title: string;
  image: string;
  expected: VerifyResult['outcome'];
}

/** The stable image comes from the settings (shop/web:1.4.0); each run's canary follows. */
export const demoRuns: DemoRun[] = [
  { name: 'good', title: 'A good canary', image: 'shop/web:1.5.0', expected: 'promoted' },
  {
    name: 'regressed',
    title: 'A regressed canary (twice the CPU per request)',
    image: 'shop/web:1.6.0-cpu2x',
    expected: 'rolled-back',
  },
];

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
    cluster: { nodes: 3, controlPlane: options.controlPlane ?? 'builtin' },
    installPrometheus: options.installPrometheus ?? false,
    log,
  });
  const runs: DemoRunResult[] = [];
  try {
    let stableImage: string | undefined;
    for (const run of demoRuns) {
      log(`demo: run ${runs.length + 1}/${demoRuns.length}: ${run.title}: ${run.image}`);
      const result = await verify({
        env: demoEnvironment,
        image: run.image,
        ...(stableImage ? { stableImage } : {}),
        cwd: options.cwd,
        processEnv: options.processEnv,
        kubeconfig: await stack.scalegateKubeconfig('shop'),
        prometheusUrl: stack.prometheus.url,
        targetUrl: stack.serviceUrl('shop', 'web'),
        stepSeconds: stack.prometheus.scrapeIntervalSeconds,
        run: { runId: `scalegate-demo-${run.name}` },
        signal: options.signal,
        log,
      });
      // What was promoted is what the next run's stable track runs, as on the main branch after a merge.
      if (result.outcome === 'promoted') stableImage = run.image;
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
