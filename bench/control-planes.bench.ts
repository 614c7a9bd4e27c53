/**
 * The two control planes of the local cluster side by side, in one run:
 *   - start-up (startCluster until it resolves: API ready, nodes registered) and stop, kubernetes against builtin;
 *   - the demo (`runDemo`: its verify runs with a real Prometheus), kubernetes against builtin;
 *   - the Go build of the real components: `npm run build:kube` when everything is built (warm, measured here)
 *     against each module's last recorded build (cold when that run began with an empty Go build cache, as on a new
 *     machine; the record says which).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { demoRuns, runDemo } from '../cli/demo/index.js';
import { type ControlPlaneKind, controlPlanes, startCluster } from '../simulator/cluster.js';
import { buildTimesFile } from '../simulator/kubernetes/components.js';

const root = resolve(import.meta.dirname, '..');
const seconds = (ms: number) => (ms / 1000).toFixed(1);

const warmStart = performance.now();
execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-kube.ts'], { cwd: root, stdio: 'ignore' });
const warmBuildMs = performance.now() - warmStart;

async function startStop(controlPlane: ControlPlaneKind): Promise<{ startMs: number; stopMs: number }> {
  const t0 = performance.now();
  const cluster = await startCluster({ controlPlane, profile: 'fast', nodes: 3 });
  const startMs = performance.now() - t0;
  const t1 = performance.now();
  await cluster.stop();
  return { startMs, stopMs: performance.now() - t1 };
}

async function demo(controlPlane: ControlPlaneKind): Promise<{ ms: number; passed: boolean }> {
  const out = await mkdtemp(join(tmpdir(), 'scalegate-bench-demo-'));
  try {
    const result = await runDemo({
      out,
      cwd: root,
      processEnv: process.env,
      signal: AbortSignal.timeout(600_000),
      log: () => {},
      controlPlane,
    });
    return { ms: result.durationMs, passed: result.passed };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

const lifecycle = new Map<ControlPlaneKind, { startMs: number; stopMs: number }>();
const demos = new Map<ControlPlaneKind, { ms: number; passed: boolean }>();
for (const plane of controlPlanes) lifecycle.set(plane, await startStop(plane));
for (const plane of controlPlanes) demos.set(plane, await demo(plane));

const builtin = { life: lifecycle.get('builtin')!, demo: demos.get('builtin')! };
const real = { life: lifecycle.get('kubernetes')!, demo: demos.get('kubernetes')! };
console.log('## Control planes: builtin against kubernetes (the real components)\n');
console.log('| measure | builtin | kubernetes | kubernetes / builtin |');
console.log('|---|---|---|---|');
console.log(
  `| start-up (API ready, 3 nodes) | ${seconds(builtin.life.startMs)} s | ${seconds(real.life.startMs)} s | ${(real.life.startMs / builtin.life.startMs).toFixed(1)}× |`,
);
console.log(
  `| stop (no process left) | ${seconds(builtin.life.stopMs)} s | ${seconds(real.life.stopMs)} s | ${(real.life.stopMs / builtin.life.stopMs).toFixed(1)}× |`,
);
console.log(
  `| demo (${demoRuns.length} verify runs) | ${seconds(builtin.demo.ms)} s${builtin.demo.passed ? '' : ' (FAILED)'} | ${seconds(real.demo.ms)} s${real.demo.passed ? '' : ' (FAILED)'} | ${(real.demo.ms / builtin.demo.ms).toFixed(2)}× |`,
);

const recorded = existsSync(buildTimesFile())
  ? (JSON.parse(readFileSync(buildTimesFile(), 'utf8')) as Record<
      string,
      { seconds: number; at: string; goBuildCache?: 'empty' | 'in use' }
    >)
  : {};
const coldSeconds = Object.values(recorded).reduce((sum, r) => sum + r.seconds, 0);
console.log('\n| Go build | seconds | against the warm build |');
console.log('|---|---|---|');
console.log(`| warm: \`npm run build:kube\`, everything built | ${seconds(warmBuildMs)} | 1× |`);
for (const [module, r] of Object.entries(recorded))
  console.log(
    `| last build of ${module} (${r.at}${r.goBuildCache ? `, Go build cache ${r.goBuildCache} at the start` : ''}) | ${r.seconds.toFixed(1)} | ${((r.seconds * 1000) / warmBuildMs).toFixed(0)}× |`,
  );
if (coldSeconds > 0)
  console.log(
    `| all modules, last builds | ${coldSeconds.toFixed(1)} | ${((coldSeconds * 1000) / warmBuildMs).toFixed(0)}× |`,
  );
else
  console.log('| no build recorded yet (build:kube writes build-times.json beside the binaries) | – | – |');
