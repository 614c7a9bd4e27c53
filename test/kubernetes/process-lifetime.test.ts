import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { kubectl } from '../simulator/cluster-kubectl-fixtures.js';
import { eventually } from '../support/eventually.js';
import { startNodeProgram } from '../support/node-program.js';
import { describeProcesses, processesMentioning } from '../support/processes.js';

const fixture = 'test/fixtures/process-lifetime/hold-cluster.ts';

describe('the real control plane leaves no process behind', () => {
  const children: ChildProcess[] = [];
  const leftovers: string[] = [];
  after(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // The killed process could not remove its folders; after a failure, nor end its children.
    for (const dir of leftovers) {
      for (const p of await processesMentioning(dir)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {} // it ended meanwhile
      }
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('SIGKILL of the parent leaves no control-plane component and no Prometheus running', async (t) => {
    const program = startNodeProgram(['--import', 'tsx', fixture]);
    children.push(program.child);
    const { clusterDir, prometheusListen } = await program.firstJsonLine<{
      clusterDir: string;
      prometheusListen: string;
    }>('the fixture holding the control plane and Prometheus', 150_000);
    leftovers.push(clusterDir);
    const components = await processesMentioning(clusterDir);
    const prometheus = await processesMentioning(`--web.listen-address=${prometheusListen}`);
    assert.ok(
      components.length >= 6,
      `etcd, kube-apiserver and the four other components run: ${describeProcesses(components)}`,
    );
    assert.equal(prometheus.length, 1, `one Prometheus runs: ${describeProcesses(prometheus)}`);
    const config = prometheus[0]?.argv.find((a) => a.startsWith('--config.file='));
    if (config) leftovers.push(dirname(config.slice('--config.file='.length)));
    // Each is the binary itself, the parent's direct child: the pid that stop() and tests signal.
    for (const p of [...components, ...prometheus])
      assert.doesNotMatch(p.argv[0] ?? '', /setpriv|\bsh$/, `${p.pid} runs ${p.argv[0]}`);

    const killed = Date.now();
    program.child.kill('SIGKILL');
    const remaining = async () => [
      ...(await processesMentioning(clusterDir)),
      ...(await processesMentioning(`--web.listen-address=${prometheusListen}`)),
    ];
    await eventually(
      'no process of the killed cluster to remain',
      async () => (await remaining()).length === 0,
      { timeoutMs: 30_000, everyMs: 20 },
    ).catch(async (error) => {
      assert.fail(`${error.message}: ${describeProcesses(await remaining())}`);
    });
    t.diagnostic(`from SIGKILL to no process left: ${Date.now() - killed} ms`);
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
    children.push(program.child);
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
    const exited = new Promise<number | null>((resolve) =>
      program.child.once('exit', (code) => resolve(code)),
    );
    program.child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.deepEqual(describeProcesses(await processesMentioning(folder)), []);
  });
});
