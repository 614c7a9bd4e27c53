import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Deployment, V1Lease } from '@kubernetes/client-node';
import { applyDelivery } from '../../actions/lib/delivery/apply.js';
import { acquireLease, microTime } from '../../actions/lib/kube/lease.js';
import { deployCanary } from '../../actions/lib/rollout/canary.js';
import { leaseName, type RolloutContext } from '../../actions/lib/rollout/context.js';
import { readProgress, updateProgress } from '../../actions/lib/rollout/progress.js';
import { promote } from '../../actions/lib/rollout/promote.js';
import { rollback } from '../../actions/lib/rollout/rollback.js';
import { deployStable } from '../../actions/lib/rollout/stable.js';
import { controlPlanes } from '../../simulator/cluster.js';
import type { TestEnvironmentOptions } from './helpers/environment.js';
import { rolloutTestbed } from './helpers/testbed.js';

/**
 * The scenarios of "never a wrong promotion": each reproduces what an unlucky operator saw (a killed promote, a
 * canary deployed over a ready one, two runs in turn, a holder that lost its Lease) against the local cluster.
 */
const envs: Record<string, TestEnvironmentOptions> = {
  partial: { name: 'partial', namespace: 'partial', hpa: { min: 1, max: 4 }, steps: [{ weight: 50 }] },
  replace: { name: 'replace', namespace: 'replace', hpa: { min: 1, max: 4 }, steps: [{ weight: 80 }] },
  runs: { name: 'runs', namespace: 'runs', hpa: { min: 1, max: 2 }, steps: [{ weight: 50 }] },
  lost: {
    name: 'lost',
    namespace: 'lost',
    hpa: { min: 1, max: 2 },
    steps: [{ weight: 50, gates: ['g'] }],
    gates: [{ name: 'g', type: 'errorRate', max: '1%' }],
  },
  'lost-eu': { name: 'lost-eu', namespace: 'lost', hpa: { min: 1, max: 2 } },
};

for (const controlPlane of controlPlanes)
  describe(`promotion cannot lie (${controlPlane} control plane)`, () => {
    const bed = rolloutTestbed(controlPlane, Object.values(envs));

    function contextFor(
      environment: string,
      runId: string,
      log: (line: string) => void = () => {},
    ): RolloutContext {
      const { namespace } = envs[environment]!;
      return {
        client: bed.client(namespace),
        target: { namespace, environment, service: 'web', method: 'replica-ratio' },
        run: { runId, runUrl: `https://ci.example/runs/${runId}`, gitSha: 'c0ffee' },
        lease: { durationSeconds: 6, waitMs: 20_000 },
        rolloutTimeoutMs: 60_000,
        signal: new AbortController().signal,
        delivery: applyDelivery,
        log,
      };
    }

    const rendered = (name: string, track: 'stable' | 'canary', image: string) =>
      bed.rendered(name, track, image);

    async function readyCanary(ctx: RolloutContext, environment: string, image: string, replace = false) {
      const canary = await rendered(environment, 'canary', image);
      return deployCanary(ctx, canary.rendered, image, {
        steps: canary.loaded.settings.canary!.steps,
        checks: async () => ({ verdict: 'pass', summary: 'ok' }),
        replace,
      });
    }

    const deployment = (namespace: string, name: string) =>
      bed.client(namespace).read<V1Deployment>({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace },
      });

    const imageOf = async (namespace: string, name: string) =>
      (await deployment(namespace, name))?.spec?.template.spec?.containers[0]?.image;

    async function hpaBounds(namespace: string, name: string) {
      const hpa = await bed.hpa(namespace, name);
      return [hpa?.spec?.minReplicas, hpa?.spec?.maxReplicas];
    }

    it('rolls a partial promote back to the stable template recorded before it started', async () => {
      const ctx = contextFor('partial', 'run-p');
      const stable = await rendered('partial', 'stable', 'scalegate/web:1.4.2');
      await deployStable(ctx, stable.rendered, 'scalegate/web:1.4.2');
      await readyCanary(ctx, 'partial', 'scalegate/web:1.5.0');
      // The stable's rollout cannot finish within the limit: promote fails after the template changed.
      await assert.rejects(promote({ ...ctx, rolloutTimeoutMs: 1 }), /timed out/);
      assert.equal(await imageOf('partial', 'web'), 'scalegate/web:1.5.0');
      assert.equal((await readProgress(ctx.client, 'partial', 'web'))?.phase, 'promoting');

      const after = await rollback(ctx);
      assert.equal(after?.phase, 'rolled-back');
      assert.match(after!.message, /stable restored to scalegate\/web:1\.4\.2/);
      assert.equal(await imageOf('partial', 'web'), 'scalegate/web:1.4.2');
      assert.equal(await deployment('partial', 'web-canary'), undefined);
      assert.deepEqual(await hpaBounds('partial', 'web'), [1, 4]);
    });

    it('refuses a canary over a ready one unless replaced, and restores the rendered HPA bounds', async () => {
      const ctx = contextFor('replace', 'run-r');
      const stable = await rendered('replace', 'stable', 'scalegate/web:1.0.0');
      await deployStable(ctx, stable.rendered, 'scalegate/web:1.0.0');
      await readyCanary(ctx, 'replace', 'scalegate/web:2.0.0');
      // At 80 % the stable is shrunk to 1..1 while the canary waits for promote.
      assert.deepEqual(await hpaBounds('replace', 'web'), [1, 1]);

      await assert.rejects(
        readyCanary(ctx, 'replace', 'scalegate/web:3.0.0'),
        /canary scalegate\/web:2\.0\.0 .*is ready and waiting for promote.*--replace/,
      );
      assert.equal(await imageOf('replace', 'web-canary'), 'scalegate/web:2.0.0');

      const replaced = await readyCanary(ctx, 'replace', 'scalegate/web:3.0.0', true);
      assert.equal(replaced.image, 'scalegate/web:3.0.0');
      assert.deepEqual(replaced.baseline?.stable, { min: 1, max: 4 });
      const promoted = await promote(ctx);
      assert.equal(promoted.phase, 'promoted');
      assert.equal(await imageOf('replace', 'web'), 'scalegate/web:3.0.0');
      assert.deepEqual(await hpaBounds('replace', 'web'), [1, 4]);
    });

    it("never promotes another run's image, and records the digest the canary runs", async () => {
      const ctx = contextFor('runs', 'run-a');
      const stable = await rendered('runs', 'stable', 'scalegate/web:1.0.0');
      await deployStable(ctx, stable.rendered, 'scalegate/web:1.0.0');
      const ready = await readyCanary(ctx, 'runs', 'scalegate/web:a');
      assert.match(ready.digest ?? '', /^sha256:[0-9a-f]{64}$/);
      assert.equal(ready.runId, 'run-a');

      const runB = contextFor('runs', 'run-b');
      await assert.rejects(
        promote(runB, { image: 'scalegate/web:b' }),
        /the canary runs scalegate\/web:a .*run-a.*not scalegate\/web:b/,
      );
      await assert.rejects(promote(runB, { digest: `sha256:${'0'.repeat(64)}` }), /not sha256:0{64}/);
      assert.equal(await imageOf('runs', 'web'), 'scalegate/web:1.0.0');
      const promoted = await promote(runB, { image: 'scalegate/web:a', digest: ready.digest });
      assert.equal(promoted.phase, 'promoted');
      assert.equal(await imageOf('runs', 'web'), 'scalegate/web:a');
    });

    it('keeps one Lease per service and namespace, whatever the settings file is called', () => {
      assert.equal(leaseName(contextFor('lost', 'x').target), leaseName(contextFor('lost-eu', 'x').target));
      assert.equal(leaseName({ ...contextFor('lost', 'x').target, service: 'Web_1' }), 'scalegate-web-1');
    });

    it('stops before any further write once the Lease is lost', async () => {
      const lines: string[] = [];
      let lostSeen: () => void = () => {};
      const lostLogged = new Promise<void>((resolve) => {
        lostSeen = resolve;
      });
      const ctx = contextFor('lost', 'run-a', (line) => {
        lines.push(line);
        if (/lease .* lost/.test(line)) lostSeen();
      });
      const stable = await rendered('lost', 'stable', 'scalegate/web:1.0.0');
      await deployStable(ctx, stable.rendered, 'scalegate/web:1.0.0');
      const canary = await rendered('lost', 'canary', 'scalegate/web:2.0.0');
      const client = bed.client('lost');
      let takenOver: string | undefined;
      await assert.rejects(
        deployCanary(ctx, canary.rendered, 'scalegate/web:2.0.0', {
          steps: canary.loaded.settings.canary!.steps,
          checks: async () => {
            // Another run takes the Lease over (as after this one was paused past its expiry) and rolls back.
            await client.update<V1Lease>(
              {
                apiVersion: 'coordination.k8s.io/v1',
                kind: 'Lease',
                metadata: { name: 'scalegate-web', namespace: 'lost' },
              },
              (current) => ({
                ...current!,
                spec: {
                  ...current!.spec,
                  holderIdentity: 'run-b',
                  leaseDurationSeconds: 60,
                  renewTime: microTime(new Date()) as never,
                },
              }),
            );
            takenOver = (
              await updateProgress(client, 'lost', 'web', (p) => ({
                ...p!,
                phase: 'rolled-back',
                runId: 'run-b',
                message: 'rolled back by run-b',
              }))
            ).updatedAt;
            await lostLogged;
            return { verdict: 'pass', summary: 'ok' };
          },
        }),
        /lease lost\/scalegate-web .*run-b/,
      );
      const progress = await readProgress(client, 'lost', 'web');
      assert.equal(progress?.runId, 'run-b');
      assert.equal(
        progress?.updatedAt,
        takenOver,
        `run-a wrote after losing the lease: ${lines.join(' | ')}`,
      );
    });

    it('counts a holder paused past its expiry as having lost the Lease', async () => {
      const client = bed.client('lost');
      const lease = await acquireLease(client, {
        namespace: 'lost',
        name: 'scalegate-paused',
        holder: 'run-p',
        durationSeconds: 1,
        waitMs: 1000,
      });
      lease.assertHeld();
      // A SIGSTOP-like pause: the event loop is blocked, no renewal can run.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1300);
      assert.throws(() => lease.assertHeld(), /lease lost\/scalegate-paused .*expired/);
      await lease.release();
    });
  });
