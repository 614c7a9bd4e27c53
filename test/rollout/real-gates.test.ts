/**
 * A canary whose steps are judged by the real gates module, reading a real Prometheus that scrapes the local
 * cluster's kube-state-metrics: one canary passes its gates and is promoted, the next fails a gate and is rolled
 * back. No stubs: settings → steps → gates → PromQL → verdict.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { V1Deployment } from '@kubernetes/client-node';
import { deployEnvironment } from '../../actions/lib/rollout/deploy-environment.js';
import { readProgress } from '../../actions/lib/rollout/progress.js';
import { promote } from '../../actions/lib/rollout/promote.js';
import { openSession, type Session } from '../../actions/lib/rollout/session.js';
import { type LocalStack, startLocalStack } from '../../cli/demo/local-stack.js';
import { controlPlanes } from '../../simulator/cluster.js';
import { writeEnvironments } from './helpers/environment.js';

for (const controlPlane of controlPlanes)
  describe(`canary steps judged by real gates and Prometheus (${controlPlane} control plane)`, () => {
    let stack: LocalStack;
    let cwd: string;

    const available = (ns: string) =>
      `sum(kube_deployment_status_replicas_available{namespace="${ns}",deployment="web-canary"})`;

    before(async () => {
      // The cluster and a Prometheus scraping it as kube-prometheus-stack does (the real kube-state-metrics on the real
      // control plane); scalegate runs as scalegate-ci there.
      stack = await startLocalStack({ cluster: { controlPlane } });
      const gates = (ns: string, min: number) => [
        {
          name: 'canary-available',
          type: 'promql',
          query: available(ns),
          successCondition: `result >= ${min}`,
        },
        {
          name: 'no-stuck-canary',
          type: 'pendingPods',
          selector: { app: 'web', track: 'canary' },
          maxPending: 2,
        },
      ];
      const settings = (name: string, min: number) => ({
        name,
        namespace: name,
        hpa: { min: 1, max: 2 },
        // Bake long enough for the canary's series to be scraped, then judge.
        steps: [{ weight: 50, pause: '3s', gates: ['canary-available', 'no-stuck-canary'] }],
        gates: gates(name, min),
        extra: { prometheus: { url: stack.prometheus.url } },
      });
      cwd = await writeEnvironments(settings('judged', 1), settings('rejected', 5));
    });

    after(async () => {
      await stack?.stop();
      if (cwd) await rm(cwd, { recursive: true, force: true });
    });

    /**
     * The steps' gates look back over a few seconds of this young Prometheus: a minute would reach before its first
     * scrape, and a window without data cannot show that no pod was Pending (the gate would be inconclusive).
     */
    const gateLookbackMs = 5000;

    async function session(env: string): Promise<Session> {
      return openSession({
        env,
        cwd,
        processEnv: {},
        kubeconfig: await stack.scalegateKubeconfig(env),
        signal: new AbortController().signal,
        log: () => {},
      });
    }

    it('promotes a canary whose gates pass', async () => {
      const s = await session('judged');
      await deployEnvironment(s, {
        track: 'stable',
        image: 'scalegate/web:1.0.0',
        cwd,
        processEnv: {},
      });
      const outcome = await deployEnvironment(s, {
        track: 'canary',
        image: 'scalegate/web:2.0.0',
        cwd,
        processEnv: {},
        gateLookbackMs,
      });
      assert.equal(outcome.progress?.phase, 'ready');
      const step = outcome.progress?.steps[0];
      assert.equal(step?.verdict, 'pass', step?.summary);
      assert.match(step!.summary, /2\/2 gates passed/);
      await promote(s.context);
      const web = await s.context.client.read<V1Deployment>({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'judged' },
      });
      assert.equal(web?.spec?.template.spec?.containers[0]?.image, 'scalegate/web:2.0.0');
    });

    it('rolls back a canary whose gate fails, naming the gate', async () => {
      const s = await session('rejected');
      await deployEnvironment(s, {
        track: 'stable',
        image: 'scalegate/web:1.0.0',
        cwd,
        processEnv: {},
      });
      await assert.rejects(
        deployEnvironment(s, {
          track: 'canary',
          image: 'scalegate/web:2.0.0',
          cwd,
          processEnv: {},
          gateLookbackMs,
        }),
        /step 1 \(weight 50%\): gates fail: .*canary-available failed.*\(canary rolled back\)/,
      );
      const progress = await readProgress(s.context.client, 'rejected', 'web');
      assert.equal(progress?.phase, 'rolled-back');
      assert.equal(progress?.steps[0]?.verdict, 'fail');
    });
  });
