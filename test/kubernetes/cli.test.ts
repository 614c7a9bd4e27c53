import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../e2e/scenario-support.js';
import { kubectl } from '../simulator/cluster-kubectl-fixtures.js';
import { startNodeProgram } from '../support/node-program.js';
import { describeProcesses, processesMentioning } from '../support/processes.js';

// The demo on a real control plane takes about two minutes on its own and can pass npm test's per-test limit
// (180 s, which suits every other test) on a busy machine, so this suite sets its own.
describe('scalegate with --control-plane kubernetes', { timeout: 600_000 }, () => {
  let child: ChildProcess | undefined;
  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('sim up prints the same JSON line (and kube-state-metrics), serves kubectl, and stops leaving no process', async () => {
    const program = startNodeProgram([
      'bin/scalegate.mjs',
      'sim',
      'up',
      '--control-plane',
      'kubernetes',
      '--nodes',
      '1',
    ]);
    child = program.child;
    const endpoints = await program.firstJsonLine<
      Record<'apiServer' | 'kubeconfig' | 'kubeStateMetrics', string>
    >('sim up', 180_000);
    assert.deepEqual(Object.keys(endpoints).sort(), [
      'apiServer',
      'gateway',
      'kubeStateMetrics',
      'kubeconfig',
      'metrics',
    ]);
    assert.match(endpoints.apiServer, /^https:\/\/127\.0\.0\.1:\d+$/);
    const home = await mkdtemp(join(tmpdir(), 'scalegate-kube-cli-'));
    const nodes = await kubectl({ ...process.env, KUBECONFIG: endpoints.kubeconfig, HOME: home }, [
      'get',
      'nodes',
      '--no-headers',
    ]);
    await rm(home, { recursive: true, force: true });
    assert.match(nodes.stdout, /^node-1\s+Ready\s+/m);
    const ksm = await fetch(endpoints.kubeStateMetrics);
    assert.match(await ksm.text(), /^kube_node_info\{.*node="node-1"/m);
    const folder = dirname(endpoints.kubeconfig);
    assert.ok(
      (await processesMentioning(folder)).length >= 6,
      'etcd, kube-apiserver and the four other components run',
    );
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.deepEqual(describeProcesses(await processesMentioning(folder)), []);
  });

  it('says in one line how to build the binaries when they are missing', async () => {
    const result = await runCli(['sim', 'up', '--control-plane', 'kubernetes'], 60_000, {
      ...process.env,
      SCALEGATE_KUBE_BIN: join(tmpdir(), 'scalegate-no-such-bin'),
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^scalegate: the kubernetes control plane is not built \(kube-apiserver, .* missing in .*\): run `npm run build:kube` .*\n$/,
    );
  });

  // Three verify runs on the real control plane take about two minutes on an idle machine: more than the suite's default.
  it('demo reaches the same verdicts as on the built-in control plane, scalegate running as its ServiceAccount', {
    timeout: 420_000,
  }, async () => {
    const out = await mkdtemp(join(tmpdir(), 'scalegate-kube-demo-'));
    try {
      const demo = await runCli(['demo', '--control-plane', 'kubernetes', '--out', out], 400_000);
      assert.equal(demo.code, 0, `${demo.stdout}\n${demo.stderr.slice(-3000)}`);
      assert.match(demo.stdout, /ok {3}shop\/web:1\.5\.0: promoted \(expected promoted\)/);
      assert.match(demo.stdout, /ok {3}shop\/web:1\.6\.0-cpu2x: rolled-back \(expected rolled-back\)/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
