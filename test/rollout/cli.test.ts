import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { V1Deployment } from '@kubernetes/client-node';
import { KubeClient } from '../../actions/lib/kube/client.js';
import { loadKubeConfig } from '../../actions/lib/kube/config.js';
import { statusCodeOf } from '../../actions/lib/kube/retry.js';
import { type Progress, readProgress } from '../../actions/lib/rollout/progress.js';
import { rollbackIfUnfinished } from '../../actions/lib/rollout/rollback.js';
import { openSession } from '../../actions/lib/rollout/session.js';
import { main } from '../../cli/main.js';
import { controlPlanes } from '../../simulator/cluster.js';
import { startTestCluster, type TestCluster, testKubeClient } from '../kube/helpers/cluster.js';
import { eventually } from '../support/eventually.js';
import { writeEnvironments } from './helpers/environment.js';
import { forbiddenCalls, rbacRules } from './helpers/rbac.js';

const cli = resolve(import.meta.dirname, '../../bin/scalegate.mjs');
interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

for (const controlPlane of controlPlanes)
  describe(`scalegate deploy / promote / rollback / status (${controlPlane} control plane)`, () => {
    let cluster: TestCluster;
    let cwd: string;
    /** scalegate's kubeconfig per environment (each has the namespace of its name); scalegate-ci's on the real one. */
    const kubeconfigs = new Map<string, string>();
    const kubeconfigFor = (env: string) => kubeconfigs.get(env) as string;
    /** The kubeconfig for the `--env` that `args` name. */
    const kubeconfigOf = (args: string[]) => kubeconfigFor(args[args.indexOf('--env') + 1] as string);
    /** Reads for the test's own assertions bypass the recording proxy: only scalegate's calls are checked by RBAC. */
    let direct: KubeClient;
    const children = new Set<ChildProcess>();

    function start(args: string[], runId: string): { child: ChildProcess; done: Promise<Outcome> } {
      const child = spawn(process.execPath, [cli, ...args, '--kubeconfig', kubeconfigOf(args)], {
        cwd,
        env: { ...process.env, SCALEGATE_RUN_ID: runId, KUBECONFIG: '/nonexistent/ignored' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => {
        stdout += d;
      });
      child.stderr!.on('data', (d) => {
        stderr += d;
      });
      const done = new Promise<Outcome>((resolveDone) =>
        child.on('close', (code, signal) => {
          children.delete(child);
          resolveDone({ code, signal, stdout, stderr });
        }),
      );
      return { child, done };
    }

    /** Runs the CLI in this process (as bin/scalegate.mjs does); only crash and signal tests need a child process. */
    async function scalegate(args: string[], runId = 'cli-run'): Promise<Outcome> {
      let stdout = '';
      let stderr = '';
      const sink = (write: (text: string) => void) =>
        new Writable({
          write(chunk, _encoding, callback) {
            write(String(chunk));
            callback();
          },
        });
      const code = await main([...args, '--kubeconfig', kubeconfigOf(args)], {
        stdout: sink((t) => {
          stdout += t;
        }),
        stderr: sink((t) => {
          stderr += t;
        }),
        env: { ...process.env, SCALEGATE_RUN_ID: runId, KUBECONFIG: '/nonexistent/ignored' },
        cwd,
      });
      return { code, signal: null, stdout, stderr };
    }

    const progress = (ns: string) => readProgress(direct, ns, 'web');
    const deployment = (ns: string, name: string) =>
      direct.read<V1Deployment>({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: ns },
      });

    before(async () => {
      cluster = await startTestCluster({ controlPlane });
      direct = new KubeClient(loadKubeConfig({ kubeconfig: cluster.cluster.kubeconfig }).config);
      cwd = await writeEnvironments(
        { name: 'crash', namespace: 'crash', steps: [{ weight: 30, pause: '5s' }, { weight: 60 }] },
        { name: 'cancel', namespace: 'cancel', steps: [{ weight: 30, pause: '10m' }] },
      );
      for (const env of ['crash', 'cancel']) kubeconfigs.set(env, await cluster.scalegateKubeconfig(env));
    });

    after(async () => {
      for (const child of children) child.kill('SIGKILL');
      await cluster?.stop();
      if (cwd) await rm(cwd, { recursive: true, force: true });
    });

    it('resumes a canary after the runner crashed between steps, then promotes', async () => {
      const stable = await scalegate([
        'deploy',
        '--env',
        'crash',
        '--track',
        'stable',
        '--image',
        'scalegate/web:1.0.0',
      ]);
      assert.equal(stable.code, 0, stable.stderr);
      assert.match(stable.stdout, /deployed scalegate\/web:1\.0\.0 to crash\/web \(stable\)/);

      const args = ['deploy', '--env', 'crash', '--track', 'canary', '--image', 'scalegate/web:2.0.0'];
      const first = start(args, 'run-crash');
      await eventually(
        'the first pause to start',
        async () => ((await progress('crash'))?.pauseStartedAt ? true : undefined),
        { timeoutMs: 60_000, everyMs: 200 },
      );
      first.child.kill('SIGKILL');
      const killed = await first.done;
      assert.equal(killed.signal, 'SIGKILL');
      const midway = (await progress('crash')) as Progress;
      assert.equal(midway.phase, 'canary');
      // Killed during the first step's pause (or, on a very slow machine, just after it).
      assert.ok(midway.step < 2, `step ${midway.step}`);
      assert.ok(await deployment('crash', 'web-canary'), 'the crash left the canary running');

      const rerun = await scalegate(args, 'run-crash');
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.ok(
        rerun.stderr.includes(`resuming canary scalegate/web:2.0.0 at step ${midway.step + 1}`),
        rerun.stderr,
      );
      assert.match(rerun.stdout, /passed all 2 steps; promote with: scalegate promote --env crash/);
      const ready = (await progress('crash')) as Progress;
      assert.equal(ready.phase, 'ready');
      assert.equal(ready.step, 2);

      const promoted = await scalegate(['promote', '--env', 'crash'], 'run-promote');
      assert.equal(promoted.code, 0, promoted.stderr);
      assert.match(promoted.stdout, /promoted scalegate\/web:2\.0\.0 to crash\/web/);
      const web = await deployment('crash', 'web');
      assert.equal(web?.spec?.template.spec?.containers[0]?.image, 'scalegate/web:2.0.0');
      assert.equal(await deployment('crash', 'web-canary'), undefined);

      const status = await scalegate(['status', '--env', 'crash', '-o', 'json']);
      assert.equal(status.code, 0, status.stderr);
      const parsed = JSON.parse(status.stdout) as {
        tracks: { track: string; image: string; hpa?: { min: number; max: number } }[];
        progress: Progress;
      };
      assert.deepEqual(
        parsed.tracks.map((t) => [t.track, t.image, t.hpa?.min, t.hpa?.max]),
        [['stable', 'scalegate/web:2.0.0', 2, 4]],
      );
      assert.equal(parsed.progress.phase, 'promoted');
      const text = await scalegate(['status', '--env', 'crash']);
      assert.match(text.stdout, /^crash\/web {2}method replica-ratio {2}canary weight 0%$/m);
      assert.match(text.stdout, /^stable\s+web\s+scalegate\/web:2\.0\.0\s+\d\/2\s+\d\s+2\/4 \d→\d\s+\d$/m);
    });

    it('rolls an unfinished canary back on SIGTERM', async () => {
      const stable = await scalegate([
        'deploy',
        '--env',
        'cancel',
        '--track',
        'stable',
        '--image',
        'scalegate/web:1.0.0',
      ]);
      assert.equal(stable.code, 0, stable.stderr);
      const run = start(
        ['deploy', '--env', 'cancel', '--track', 'canary', '--image', 'scalegate/web:9.0.0'],
        'run-cancel',
      );
      await eventually(
        'the pause to start',
        async () => ((await progress('cancel'))?.pauseStartedAt ? true : undefined),
        { timeoutMs: 60_000, everyMs: 200 },
      );
      assert.ok(await deployment('cancel', 'web-canary'));
      run.child.kill('SIGTERM');
      const outcome = await run.done;
      assert.equal(outcome.code, 143, outcome.stderr);
      assert.match(outcome.stderr, /SIGTERM received: rolling back/);
      assert.equal(await deployment('cancel', 'web-canary'), undefined);
      assert.equal((await progress('cancel'))?.phase, 'rolled-back');
      const again = await scalegate(['rollback', '--env', 'cancel']);
      assert.equal(again.code, 0, again.stderr);
    });

    it("lets the deploy action's post step roll back a canary its killed run left behind", async () => {
      const run = start(
        ['deploy', '--env', 'cancel', '--track', 'canary', '--image', 'scalegate/web:8.0.0'],
        'run-post',
      );
      await eventually(
        'the pause to start',
        async () => {
          const p = await progress('cancel');
          return p?.runId === 'run-post' && p.pauseStartedAt ? true : undefined;
        },
        { timeoutMs: 60_000, everyMs: 200 },
      );
      run.child.kill('SIGKILL');
      await run.done;
      const postFor = async (runId: string) => {
        const { context } = await openSession({
          env: 'cancel',
          cwd,
          processEnv: {},
          kubeconfig: kubeconfigFor('cancel'),
          signal: new AbortController().signal,
          log: () => {},
          run: { runId },
        });
        return rollbackIfUnfinished(context);
      };
      assert.equal(await postFor('another-run'), undefined, "another run's canary is left alone");
      assert.ok(await deployment('cancel', 'web-canary'));
      assert.equal((await postFor('run-post'))?.phase, 'rolled-back');
      assert.equal(await deployment('cancel', 'web-canary'), undefined);
    });

    it('names a missing kubeconfig context in one line, exit 2', async () => {
      const outcome = await scalegate(['status', '--env', 'crash', '--context', 'nope']);
      assert.equal(outcome.code, 2);
      assert.equal(
        outcome.stderr,
        `kubeconfig ${kubeconfigFor('crash')}: context "nope" not found (available: scalegate-local)\n`,
      );
    });

    it('stays within the least-privilege Role for every call it made', async () => {
      const forbidden = forbiddenCalls(cluster.proxy.calls, await rbacRules());
      assert.deepEqual(forbidden, []);
      const verbs = new Set(cluster.proxy.calls.map((c) => c.method));
      assert.ok(
        verbs.has('PATCH') && verbs.has('DELETE') && verbs.has('PUT'),
        'the recorded canary exercised writes',
      );
      // On the real control plane the proxy forwards scalegate's own token (never the admin certificate it holds),
      // so real RBAC refuses what the Role leaves out; the built-in one authorizes everybody.
      if (controlPlane === 'kubernetes')
        await assert.rejects(
          testKubeClient(kubeconfigFor('crash'), 'crash').read({
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'anything', namespace: 'crash' },
          }),
          (error) => statusCodeOf(error) === 403,
        );
    });
  });
