import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type PrometheusServer, startPrometheus } from '../../cli/local/prometheus-server.js';
import { type RunningCluster, startCluster } from '../../simulator/cluster.js';
import { ScriptedExporter } from '../prometheus/scripted-exporter.js';
import { kubectl, kubectlUntil } from '../simulator/cluster-kubectl-fixtures.js';
import { condition, scaledObject } from '../simulator/keda-fixtures.js';

/**
 * The node agent's KEDA operator on the real control plane: the same code as the built-in cluster's, with
 * status.health kept by the real API server under KEDA's own CRD schema, composite-metric served through the
 * real aggregator, and the real kube-controller-manager's HPA scaling to fallback.replicas. Real kubectl, a real
 * Prometheus scraping a scripted exporter. Fails, never skips, when the binaries are not built.
 */
describe('KEDA on the kubernetes control plane', () => {
  let cluster: RunningCluster;
  let prometheus: PrometheusServer;
  let exporter: ScriptedExporter;
  let env: NodeJS.ProcessEnv;
  let home: string;
  before(async () => {
    exporter = await new ScriptedExporter().start();
    exporter.gauge('queue_depth', { queue: 'a' }, 30);
    exporter.gauge('queue_depth', { queue: 'b' }, 50);
    cluster = await startCluster({ controlPlane: 'kubernetes', profile: 'fast', nodes: 2 });
    prometheus = await startPrometheus({
      targets: [{ job: 'app', url: exporter.url }],
      scrapeIntervalSeconds: 1,
    });
    await prometheus.waitForSample('queue_depth{queue="b"}');
    home = await mkdtemp(join(tmpdir(), 'scalegate-kube-keda-'));
    env = { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: home };
  });
  after(async () => {
    await prometheus?.stop();
    await cluster?.stop();
    await exporter?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  async function deployment(name: string, replicas: number): Promise<void> {
    const created = await kubectl(env, [
      'create',
      'deployment',
      name,
      '--image=nginx:1.27',
      `--replicas=${replicas}`,
    ]);
    assert.equal(created.code, 0, created.stderr);
  }

  it('fallback: status.health and the Fallback condition, and the real HPA scales to fallback.replicas', async () => {
    await deployment('flaky', 2);
    const applied = await kubectl(
      env,
      ['apply', '-f', '-'],
      scaledObject(
        'flaky',
        prometheus.url,
        [{ query: 'queue_depth{queue="a"}', threshold: '15', ignoreNullValues: 'false' }],
        '  minReplicaCount: 1\n  maxReplicaCount: 8\n  fallback: {failureThreshold: 2, replicas: 5}',
      ),
    );
    assert.equal(applied.code, 0, applied.stderr);
    await kubectlUntil(
      env,
      ['get', 'scaledobject', 'flaky', '-o', 'jsonpath={.status.health.s0-prometheus.status}'],
      /^Happy$/,
      90_000,
    );
    exporter.remove('queue_depth', { queue: 'a' });
    await kubectlUntil(env, condition('flaky', 'Fallback', 'reason'), /^FallbackExists$/, 60_000);
    const health = JSON.parse(
      (await kubectl(env, ['get', 'scaledobject', 'flaky', '-o', 'jsonpath={.status.health}'])).stdout,
    );
    assert.equal(health['s0-prometheus'].status, 'Failing');
    assert.ok(health['s0-prometheus'].numberOfFailures > 2, JSON.stringify(health));
    await kubectlUntil(
      env,
      ['get', 'deployment', 'flaky', '-o', 'jsonpath={.spec.replicas}'],
      /^5$/,
      120_000,
    );
  });

  it('scalingModifiers: composite-metric through the aggregated external metrics API', async () => {
    exporter.gauge('queue_depth', { queue: 'a' }, 30);
    await deployment('composite', 1);
    const applied = await kubectl(
      env,
      ['apply', '-f', '-'],
      scaledObject(
        'composite',
        prometheus.url,
        [
          { name: 'a', query: 'queue_depth{queue="a"}' },
          { name: 'b', query: 'queue_depth{queue="b"}' },
        ],
        '  minReplicaCount: 1\n  maxReplicaCount: 10\n  advanced:\n    scalingModifiers: {formula: "a + b", target: "20"}',
      ),
    );
    assert.equal(applied.code, 0, applied.stderr);
    await kubectlUntil(
      env,
      [
        'get',
        '--raw',
        '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/composite-metric?labelSelector=scaledobject.keda.sh%2Fname%3Dcomposite',
      ],
      /"value":"80"/,
      90_000,
    );
    const status = JSON.parse(
      await kubectlUntil(
        env,
        ['get', 'scaledobject', 'composite', '-o', 'jsonpath={.status}'],
        /compositeScalerName/,
      ),
    );
    assert.equal(status.compositeScalerName, 'composite-metric');
    await kubectlUntil(
      env,
      ['get', 'deployment', 'composite', '-o', 'jsonpath={.spec.replicas}'],
      /^4$/,
      120_000,
    );
  });
});
