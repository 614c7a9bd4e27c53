import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { applyDelivery } from '../../actions/lib/delivery/apply.js';
import type { RolloutError } from '../../actions/lib/kube/rollout-status.js';
import { deployCanary } from '../../actions/lib/rollout/canary.js';
import type { RolloutContext } from '../../actions/lib/rollout/context.js';
import { approveStep, readProgress } from '../../actions/lib/rollout/progress.js';
import { promote } from '../../actions/lib/rollout/promote.js';
import { rollback } from '../../actions/lib/rollout/rollback.js';
import { deployStable } from '../../actions/lib/rollout/stable.js';
import type { StepChecks } from '../../actions/lib/rollout/step-pipeline.js';
import { controlPlanes } from '../../simulator/cluster.js';
import { eventually } from '../support/eventually.js';
import { type TestEnvironmentOptions, writeEnvironment } from './helpers/environment.js';
import { rolloutTestbed } from './helpers/testbed.js';

const run = promisify(execFile);
const envs: Record<string, TestEnvironmentOptions> = {
  full: {
    name: 'full',
    namespace: 'full',
    steps: [
      { weight: 25, gates: ['g'] },
      { weight: 50, pause: '1s' },
      { weight: 75, gates: ['g'] },
    ],
    gates: [{ name: 'g', type: 'errorRate', max: '1%' }],
  },
  bad: { name: 'bad', namespace: 'bad', hpa: { min: 1, max: 2 } },
  gated: {
    name: 'gated',
    namespace: 'gated',
    hpa: { min: 1, max: 2 },
    steps: [{ weight: 80, gates: ['g'] }],
    gates: [{ name: 'g', type: 'errorRate', max: '1%' }],
  },
  tight: { name: 'tight', namespace: 'tight', hpa: { min: 1, max: 2 } },
  approval: {
    name: 'approval',
    namespace: 'approval',
    hpa: { min: 1, max: 2 },
    steps: [{ weight: 50, pause: 'untilApproved' }],
  },
  gw: { name: 'gw', namespace: 'gw', method: 'gateway-api', steps: [{ weight: 10 }, { weight: 40 }] },
};

const deploymentRef = (namespace: string, name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
});

for (const controlPlane of controlPlanes)
  describe(`canary rollouts against the local cluster (${controlPlane} control plane)`, () => {
    const bed = rolloutTestbed(controlPlane, Object.values(envs));
    const { rendered, hpa } = bed;

    function contextFor(namespace: string, environment: string, runId: string): RolloutContext {
      return {
        client: bed.client(namespace),
        target: {
          namespace,
          environment,
          service: 'web',
          method: envs[environment]?.method ?? 'replica-ratio',
        },
        run: { runId, runUrl: `https://ci.example/runs/${runId}`, gitSha: 'c0ffee' },
        lease: { durationSeconds: 10, waitMs: 20_000 },
        rolloutTimeoutMs: 60_000,
        signal: new AbortController().signal,
        delivery: applyDelivery,
        log: () => {},
      };
    }

    it('deploys stable, walks the canary steps with gates, and promotes', async () => {
      const ctx = contextFor('full', 'full', 'run-1');
      const stable = await rendered('full', 'stable', 'scalegate/web:1.0.0');
      await deployStable(ctx, stable.rendered, 'scalegate/web:1.0.0');

      const seen: { step: number; weight: number; canaryHpa: [number, number] }[] = [];
      const checks: StepChecks = async (step, index) => {
        const h = await hpa('full', 'web-canary');
        seen.push({
          step: index,
          weight: step.weight,
          canaryHpa: [h!.spec!.minReplicas!, h!.spec!.maxReplicas],
        });
        return { verdict: 'pass', summary: `stub gates for step ${index + 1}` };
      };
      const canary = await rendered('full', 'canary', 'scalegate/web:2.0.0');
      const progress = await deployCanary(ctx, canary.rendered, 'scalegate/web:2.0.0', {
        steps: canary.loaded.settings.canary!.steps,
        checks,
      });
      assert.equal(progress.phase, 'ready');
      assert.equal(progress.step, 3);
      // Stable keeps its rendered bounds 2..4; canary gets stable × w/(100−w) up to 50 %, then stable shrinks.
      assert.deepEqual(seen, [
        { step: 0, weight: 25, canaryHpa: [1, 1] },
        { step: 2, weight: 75, canaryHpa: [2, 4] },
      ]);
      const stableHpaAt75 = await hpa('full', 'web');
      assert.deepEqual([stableHpaAt75?.spec?.minReplicas, stableHpaAt75?.spec?.maxReplicas], [1, 1]);

      const promoted = await promote(ctx);
      assert.equal(promoted.phase, 'promoted');
      const client = bed.client('full');
      const web = await client.read<V1Deployment>(deploymentRef('full', 'web'));
      assert.equal(web?.spec?.template.spec?.containers[0]?.image, 'scalegate/web:2.0.0');
      assert.equal(web?.spec?.template.metadata?.labels?.track, 'stable');
      assert.equal(web?.metadata?.annotations?.['scalegate.dev/verdict'], 'passed 3 steps');
      assert.equal(web?.metadata?.annotations?.['scalegate.dev/git-sha'], 'c0ffee');
      assert.equal(web?.metadata?.annotations?.['scalegate.dev/run-url'], 'https://ci.example/runs/run-1');
      assert.equal(await client.read(deploymentRef('full', 'web-canary')), undefined);
      const restored = await hpa('full', 'web');
      assert.deepEqual([restored?.spec?.minReplicas, restored?.spec?.maxReplicas], [2, 4]);
      assert.equal(await hpa('full', 'web-canary'), undefined);

      // Promote again: nothing left to do, still fine.
      assert.equal((await promote(ctx)).phase, 'promoted');

      // Real kubectl sees the result.
      const { stdout } = await run('/usr/bin/kubectl', [
        '--kubeconfig',
        bed.cluster.cluster.kubeconfig,
        '-n',
        'full',
        'get',
        'deployments,hpa,configmaps',
        '-o',
        'json',
      ]);
      const items = (JSON.parse(stdout) as { items: { kind: string; metadata: { name: string } }[] }).items;
      const names = items.map((i) => `${i.kind}/${i.metadata.name}`).sort();
      assert.ok(names.includes('Deployment/web'));
      assert.ok(names.includes('HorizontalPodAutoscaler/web'));
      assert.ok(names.includes('ConfigMap/scalegate-web-progress'));
      assert.ok(!names.includes('Deployment/web-canary'));
      const { stdout: rolloutStatus } = await run('/usr/bin/kubectl', [
        '--kubeconfig',
        bed.cluster.cluster.kubeconfig,
        '-n',
        'full',
        'rollout',
        'status',
        'deployment/web',
        '--timeout=30s',
      ]);
      assert.match(rolloutStatus, /successfully rolled out/);
    });

    it('fails a canary with a bad image clearly and rolls it back', async () => {
      const ctx = contextFor('bad', 'bad', 'run-bad');
      const stable = await rendered('bad', 'stable', 'scalegate/web:1.0.0');
      await deployStable(ctx, stable.rendered, 'scalegate/web:1.0.0');
      const canary = await rendered('bad', 'canary', 'scalegate/web:pull-error');
      await assert.rejects(
        deployCanary(ctx, canary.rendered, 'scalegate/web:pull-error', {
          steps: canary.loaded.settings.canary!.steps,
          checks: async () => assert.fail('no step may run for a canary that never became ready'),
        }),
        (error: RolloutError) => {
          assert.match(error.message, /rollout of deployment "web-canary" failed/);
          assert.match(error.message, /ImagePullBackOff|ErrImagePull/);
          assert.match(error.message, /scalegate\/web:pull-error/);
          assert.match(error.message, /canary rolled back/);
          return true;
        },
      );
      const client = bed.client('bad');
      assert.equal(await client.read(deploymentRef('bad', 'web-canary')), undefined);
      const web = await client.read<V1Deployment>(deploymentRef('bad', 'web'));
      assert.equal(web?.spec?.template.spec?.containers[0]?.image, 'scalegate/web:1.0.0');
      assert.equal((await readProgress(client, 'bad', 'web'))?.phase, 'rolled-back');
      await assert.rejects(promote(ctx), /no canary of web in bad to promote/);
    });

    it('aborts on a failed gate and rolls back; rollback again is a no-op', async () => {
      const ctx = contextFor('gated', 'gated', 'run-gated');
      const stable = await rendered('gated', 'stable', 'scalegate/web:1.0.0');
      await deployStable(ctx, stable.rendered, 'scalegate/web:1.0.0');
      const canary = await rendered('gated', 'canary', 'scalegate/web:3.0.0');
      let stableDuringStep: unknown[] = [];
      await assert.rejects(
        deployCanary(ctx, canary.rendered, 'scalegate/web:3.0.0', {
          steps: canary.loaded.settings.canary!.steps,
          checks: async () => {
            const h = await hpa('gated', 'web');
            stableDuringStep = [h?.spec?.minReplicas, h?.spec?.maxReplicas];
            return { verdict: 'fail', summary: 'errors failed: 7% > 1%' };
          },
        }),
        /step 1 \(weight 80%\): gates fail: errors failed: 7% > 1% \(canary rolled back\)/,
      );
      const client = bed.client('gated');
      assert.equal(await client.read(deploymentRef('gated', 'web-canary')), undefined);
      const progress = await readProgress(client, 'gated', 'web');
      assert.equal(progress?.phase, 'rolled-back');
      assert.equal(progress?.steps[0]?.verdict, 'fail');
      // At 80 % the stable had shrunk to 1..1; the rollback restored its rendered bounds.
      assert.deepEqual(stableDuringStep, [1, 1]);
      const restored = await hpa('gated', 'web');
      assert.deepEqual([restored?.spec?.minReplicas, restored?.spec?.maxReplicas], [1, 2]);
      assert.equal((await rollback(ctx))?.phase, 'rolled-back');
    });

    it('reports a canary that cannot be scheduled as missing capacity', async () => {
      const ctx = { ...contextFor('tight', 'tight', 'run-tight'), rolloutTimeoutMs: 5_000 };
      const stable = await rendered('tight', 'stable', 'scalegate/web:1.0.0');
      await deployStable(ctx, stable.rendered, 'scalegate/web:1.0.0');
      // The next release asks for more CPU than any node has.
      await writeEnvironment(bed.cwd, { ...envs.tight!, cpu: '16' });
      const canary = await rendered('tight', 'canary', 'scalegate/web:4.0.0');
      await assert.rejects(
        deployCanary(ctx, canary.rendered, 'scalegate/web:4.0.0', {
          steps: canary.loaded.settings.canary!.steps,
          checks: async () => assert.fail('unreachable'),
        }),
        (error: RolloutError) => {
          assert.ok(error.missingCapacity, error.message);
          assert.match(
            error.message,
            /missing capacity: (pod |\d+ pods \()web-canary-\S+.* Unschedulable: 0\/3 nodes are available: 3 Insufficient cpu/,
          );
          return true;
        },
      );
      assert.equal(await bed.client('tight').read(deploymentRef('tight', 'web-canary')), undefined);
    });

    it('waits at an untilApproved pause until promote --approve records the approval', async () => {
      const ctx = contextFor('approval', 'approval', 'run-approval');
      // Every look of the pause for an approval reads the progress ConfigMap: counted, so the test can wait for looks.
      let progressReads = 0;
      const read = ctx.client.read.bind(ctx.client);
      ctx.client.read = (async (ref: Parameters<typeof read>[0]) => {
        if (ref.kind === 'ConfigMap') progressReads++;
        return read(ref);
      }) as typeof ctx.client.read;
      const stable = await rendered('approval', 'stable', 'scalegate/web:1.0.0');
      await deployStable(ctx, stable.rendered, 'scalegate/web:1.0.0');
      const canary = await rendered('approval', 'canary', 'scalegate/web:6.0.0');
      let finished = false;
      const running = deployCanary(ctx, canary.rendered, 'scalegate/web:6.0.0', {
        steps: canary.loaded.settings.canary!.steps,
        checks: async () => assert.fail('the step has no gates'),
        approvalPollMs: 100,
      }).finally(() => {
        finished = true;
      });
      const client = bed.client('approval');
      await eventually(
        'the pause to start',
        async () => (await readProgress(client, 'approval', 'web'))?.pauseStartedAt,
        {
          timeoutMs: 30_000,
        },
      );
      const seen = progressReads;
      await eventually(
        'the pause to look for the approval three more times',
        () => progressReads >= seen + 3,
      );
      assert.equal(finished, false, 'still waiting for the approval');
      await approveStep(client, 'approval', 'web');
      const progress = await running;
      assert.equal(progress.phase, 'ready');

      // A next canary over this ready one is refused unless it replaces it; one the API server rejects applies
      // nothing and leaves this one as it is.
      const next = await rendered('approval', 'canary', 'scalegate/web:7.0.0');
      await assert.rejects(
        deployCanary(ctx, next.rendered, 'scalegate/web:7.0.0', {
          steps: next.loaded.settings.canary!.steps,
          checks: async () => assert.fail('unreachable'),
        }),
        /canary scalegate\/web:6\.0\.0 \(run run-approval\) is ready and waiting for promote/,
      );
      const invalid = next.rendered.objects.map((o) =>
        o.kind === 'Deployment' ? { ...o, spec: { ...(o.spec as object), minReadySeconds: -5 } } : o,
      );
      await assert.rejects(
        deployCanary(ctx, { ...next.rendered, objects: invalid }, 'scalegate/web:7.0.0', {
          steps: next.loaded.settings.canary!.steps,
          checks: async () => assert.fail('unreachable'),
          replace: true,
        }),
        /nothing applied: the API server rejected Deployment approval\/web-canary: .*minReadySeconds/,
      );
      assert.equal((await readProgress(client, 'approval', 'web'))?.phase, 'ready');
      const still = await client.read<V1Deployment>(deploymentRef('approval', 'web-canary'));
      assert.equal(still?.spec?.template.spec?.containers[0]?.image, 'scalegate/web:6.0.0');
    });

    it('moves HTTPRoute weights for gateway-api and returns traffic to stable on rollback', async () => {
      const ctx = contextFor('gw', 'gw', 'run-gw');
      const stable = await rendered('gw', 'stable', 'scalegate/web:1.0.0');
      await deployStable(ctx, stable.rendered, 'scalegate/web:1.0.0');
      const weights: number[][] = [];
      const client = bed.client('gw');
      const route = () =>
        client.read<{ spec: { rules: { backendRefs: { name: string; weight: number }[] }[] } } & V1ConfigMap>(
          {
            apiVersion: 'gateway.networking.k8s.io/v1',
            kind: 'HTTPRoute',
            metadata: { name: 'web', namespace: 'gw' },
          },
        );
      const canary = await rendered('gw', 'canary', 'scalegate/web:5.0.0');
      await deployCanary(ctx, canary.rendered, 'scalegate/web:5.0.0', {
        steps: [
          { weight: 10, gates: ['x'] },
          { weight: 40, gates: ['x'] },
        ],
        checks: async () => {
          const r = await route();
          weights.push(r!.spec.rules[0]!.backendRefs.map((b) => b.weight));
          return { verdict: 'pass', summary: 'ok' };
        },
      });
      assert.deepEqual(weights, [
        [90, 10],
        [60, 40],
      ]);
      await rollback(ctx);
      assert.deepEqual(
        (await route())!.spec.rules[0]!.backendRefs.map((b) => [b.name, b.weight]),
        [
          ['web-stable', 100],
          ['web-canary', 0],
        ],
      );
      assert.equal(await client.read(deploymentRef('gw', 'web-canary')), undefined);
    });
  });
