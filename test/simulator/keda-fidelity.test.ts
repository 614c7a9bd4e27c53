import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type PrometheusServer, startPrometheus } from '../../cli/local/prometheus-server.js';
import { type RunningCluster, startCluster } from '../../simulator/cluster.js';
import { ScriptedExporter } from '../prometheus/scripted-exporter.js';
import { kubectl, kubectlUntil } from './cluster-kubectl-fixtures.js';
import { condition, scaledObject } from './keda-fixtures.js';

/**
 * KEDA's fallback, scalingModifiers, ignoreNullValues, cpu/memory triggers and condition reasons, driven and read
 * with real kubectl; the triggers query a real Prometheus that scrapes a scripted exporter, whose gauges the test
 * sets and removes (a removed series makes the query's result empty at the next scrape).
 */

describe('KEDA fallback, scalingModifiers, ignoreNullValues, cpu/memory and reasons', () => {
  let cluster: RunningCluster;
  let prometheus: PrometheusServer;
  let exporter: ScriptedExporter;
  let env: NodeJS.ProcessEnv;
  let home: string;
  before(async () => {
    exporter = await new ScriptedExporter().start();
    exporter.gauge('queue_depth', { queue: 'orders' }, 50);
    cluster = await startCluster();
    prometheus = await startPrometheus({
      targets: [{ job: 'app', url: exporter.url }],
      scrapeIntervalSeconds: 1,
    });
    await prometheus.waitForSample('queue_depth{queue="orders"}');
    home = await mkdtemp(join(tmpdir(), 'scalegate-keda-fidelity-'));
    env = { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: home };
  });
  after(async () => {
    await prometheus?.stop();
    await cluster?.stop();
    await exporter?.close();
    await rm(home, { recursive: true, force: true });
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

  async function apply(yaml: string): Promise<void> {
    const applied = await kubectl(env, ['apply', '-f', '-'], yaml);
    assert.equal(applied.code, 0, applied.stderr);
  }

  const replicas = (name: string) => ['get', 'deployment', name, '-o', 'jsonpath={.spec.replicas}'];

  it('ignoreNullValues: an empty result is 0 by default and TriggerError when false', async () => {
    await deployment('nulls', 2);
    await apply(
      scaledObject(
        'nulls',
        prometheus.url,
        [{ query: 'queue_depth{queue="none"}' }],
        '  minReplicaCount: 2\n  maxReplicaCount: 4',
      ),
    );
    await kubectlUntil(
      env,
      [
        'get',
        '--raw',
        '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-prometheus?labelSelector=scaledobject.keda.sh%2Fname%3Dnulls',
      ],
      /"value":"0"/,
    );
    await kubectlUntil(env, condition('nulls', 'Active', 'reason'), /^ScalerNotActive$/);
    assert.equal((await kubectl(env, condition('nulls', 'Ready', 'reason'))).stdout, 'ScaledObjectReady');

    await apply(
      scaledObject(
        'nulls',
        prometheus.url,
        [{ query: 'queue_depth{queue="none"}', ignoreNullValues: 'false' }],
        '  minReplicaCount: 2\n  maxReplicaCount: 4',
      ),
    );
    await kubectlUntil(env, condition('nulls', 'Ready', 'reason'), /^TriggerError$/);
    assert.equal((await kubectl(env, condition('nulls', 'Ready', 'status'))).stdout, 'False');
    const events = await kubectlUntil(
      env,
      ['get', 'events', '--field-selector=reason=KEDAScalerFailed,involvedObject.name=nulls'],
      /target may be lost, the result is empty/,
    );
    assert.match(events, /Warning\s+KEDAScalerFailed\s+scaledobject\/nulls/);
    const raw = await kubectl(env, [
      'get',
      '--raw',
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-prometheus?labelSelector=scaledobject.keda.sh%2Fname%3Dnulls',
    ]);
    assert.notEqual(raw.code, 0, 'no value served while the trigger fails');
  });

  it('PartialTriggerError while one of two triggers fails and the other is active', async () => {
    await deployment('partial', 2);
    await apply(
      scaledObject(
        'partial',
        prometheus.url,
        [
          { query: 'queue_depth{queue="orders"}', threshold: '100' },
          { query: 'queue_depth{queue="none"}', ignoreNullValues: 'false' },
        ],
        '  minReplicaCount: 2\n  maxReplicaCount: 4',
      ),
    );
    await kubectlUntil(env, condition('partial', 'Ready', 'reason'), /^PartialTriggerError$/);
    assert.equal((await kubectl(env, condition('partial', 'Ready', 'status'))).stdout, 'Unknown');
    assert.equal((await kubectl(env, condition('partial', 'Active', 'reason'))).stdout, 'ScalerActive');
  });

  it('fallback: failures counted in status.health, Fallback True and the target at fallback.replicas, then back', async () => {
    exporter.gauge('queue_depth', { queue: 'flaky' }, 20);
    await prometheus.waitForSample('queue_depth{queue="flaky"}');
    await deployment('flaky', 2);
    await apply(
      scaledObject(
        'flaky',
        prometheus.url,
        [{ query: 'queue_depth{queue="flaky"}', threshold: '10', ignoreNullValues: 'false' }],
        '  minReplicaCount: 1\n  maxReplicaCount: 8\n  fallback: {failureThreshold: 2, replicas: 5}',
      ),
    );
    await kubectlUntil(
      env,
      ['get', 'scaledobject', 'flaky', '-o', 'jsonpath={.status.health.s0-prometheus.status}'],
      /^Happy$/,
    );
    await kubectlUntil(env, replicas('flaky'), /^2$/);
    exporter.remove('queue_depth', { queue: 'flaky' });
    await kubectlUntil(env, condition('flaky', 'Fallback', 'status'), /^True$/);
    assert.equal((await kubectl(env, condition('flaky', 'Fallback', 'reason'))).stdout, 'FallbackExists');
    const health = JSON.parse(
      (await kubectl(env, ['get', 'scaledobject', 'flaky', '-o', 'jsonpath={.status.health}'])).stdout,
    );
    assert.equal(health['s0-prometheus'].status, 'Failing');
    assert.ok(health['s0-prometheus'].numberOfFailures > 2, JSON.stringify(health));
    // A trigger that falls back counts as active, and is not a trigger error.
    assert.equal((await kubectl(env, condition('flaky', 'Ready', 'reason'))).stdout, 'ScaledObjectReady');
    await kubectlUntil(env, replicas('flaky'), /^5$/);
    await kubectlUntil(
      env,
      ['get', 'scaledobject', 'flaky'],
      /\bflaky\s+apps\/v1\.Deployment\s+flaky\s+1\s+8\s+True\s+True\s+True\s+False\s+prometheus\b/,
    );

    exporter.gauge('queue_depth', { queue: 'flaky' }, 20);
    await kubectlUntil(env, condition('flaky', 'Fallback', 'status'), /^False$/);
    const healed = JSON.parse(
      (await kubectl(env, ['get', 'scaledobject', 'flaky', '-o', 'jsonpath={.status.health}'])).stdout,
    );
    assert.deepEqual(healed, { 's0-prometheus': { numberOfFailures: 0, status: 'Happy' } });
  });

  it('scalingModifiers: composite-metric is the formula over named triggers, and the HPA scales on it', async () => {
    exporter.gauge('queue_depth', { queue: 'a' }, 30);
    exporter.gauge('queue_depth', { queue: 'b' }, 50);
    await prometheus.waitForSample('queue_depth{queue="b"}');
    await deployment('composite', 1);
    await apply(
      scaledObject(
        'composite',
        prometheus.url,
        [
          { name: 'a', query: 'queue_depth{queue="a"}' },
          { name: 'b', query: 'queue_depth{queue="b"}' },
        ],
        `  minReplicaCount: 1
  maxReplicaCount: 10
  advanced:
    scalingModifiers: {formula: "a > 100 ? a : a + b", target: "20", activationTarget: "5"}`,
      ),
    );
    const metrics = JSON.parse(
      await kubectlUntil(
        env,
        ['get', 'hpa', 'keda-hpa-composite', '-o', 'jsonpath={.spec.metrics}'],
        /composite-metric/,
      ),
    );
    assert.deepEqual(metrics, [
      {
        type: 'External',
        external: {
          metric: {
            name: 'composite-metric',
            selector: { matchLabels: { 'scaledobject.keda.sh/name': 'composite' } },
          },
          target: { type: 'AverageValue', averageValue: '20' },
        },
      },
    ]);
    const raw = await kubectlUntil(
      env,
      [
        'get',
        '--raw',
        '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/composite-metric?labelSelector=scaledobject.keda.sh%2Fname%3Dcomposite',
      ],
      /"value":"80"/,
    );
    assert.equal(JSON.parse(raw).items[0].metricName, 'composite-metric');
    await kubectlUntil(env, replicas('composite'), /^4$/, 90_000);
    const status = JSON.parse(
      (await kubectl(env, ['get', 'scaledobject', 'composite', '-o', 'jsonpath={.status}'])).stdout,
    );
    assert.equal(status.compositeScalerName, 'composite-metric');
    assert.deepEqual(status.externalMetricNames, ['s0-prometheus', 's1-prometheus']);
    assert.equal((await kubectl(env, condition('composite', 'Active', 'reason'))).stdout, 'ScalerActive');
  });

  it('ScalerCooldown: Active False while cooldownPeriod holds the scale-in to the idle count', async () => {
    exporter.gauge('queue_depth', { queue: 'cool' }, 20);
    await prometheus.waitForSample('queue_depth{queue="cool"}');
    await deployment('cool', 3);
    await apply(
      scaledObject(
        'cool',
        prometheus.url,
        [{ query: 'queue_depth{queue="cool"}', activationThreshold: '5' }],
        '  minReplicaCount: 1\n  maxReplicaCount: 3\n  idleReplicaCount: 0\n  cooldownPeriod: 600',
      ),
    );
    await kubectlUntil(env, condition('cool', 'Active', 'reason'), /^ScalerActive$/);
    exporter.gauge('queue_depth', { queue: 'cool' }, 0);
    await kubectlUntil(env, condition('cool', 'Active', 'reason'), /^ScalerCooldown$/);
    assert.equal((await kubectl(env, condition('cool', 'Active', 'status'))).stdout, 'False');
    assert.notEqual(
      (await kubectl(env, replicas('cool'))).stdout,
      '0',
      'not scaled to idle during the cooldown',
    );
  });

  it('cpu and memory triggers become Resource and ContainerResource metrics of the HPA', async () => {
    await deployment('resources', 2);
    await apply(`apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: resources, namespace: default}
spec:
  scaleTargetRef: {name: resources}
  minReplicaCount: 2
  maxReplicaCount: 6
  triggers:
  - type: cpu
    metricType: Utilization
    metadata: {value: "60"}
  - type: memory
    metricType: AverageValue
    metadata: {value: 200Mi, containerName: nginx}
`);
    const metrics = JSON.parse(
      await kubectlUntil(env, ['get', 'hpa', 'keda-hpa-resources', '-o', 'jsonpath={.spec.metrics}'], /cpu/),
    );
    assert.deepEqual(metrics, [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
      },
      {
        type: 'ContainerResource',
        containerResource: {
          name: 'memory',
          container: 'nginx',
          target: { type: 'AverageValue', averageValue: '200Mi' },
        },
      },
    ]);
    // Only cpu/memory triggers: always active (they never scale to zero), and no external metric.
    await kubectlUntil(env, condition('resources', 'Active', 'reason'), /^ScalerActive$/);
    const status = JSON.parse(
      (await kubectl(env, ['get', 'scaledobject', 'resources', '-o', 'jsonpath={.status}'])).stdout,
    );
    assert.deepEqual(status.resourceMetricNames, ['cpu']);
    assert.equal(status.externalMetricNames, undefined);
  });

  it('refuses a formula naming an unknown trigger with Ready False ScaledObjectCheckFailed', async () => {
    await deployment('badformula', 1);
    await apply(
      scaledObject(
        'badformula',
        prometheus.url,
        [{ name: 'a', query: 'queue_depth{queue="a"}' }],
        '  advanced:\n    scalingModifiers: {formula: "a + c", target: "10"}',
      ),
    );
    await kubectlUntil(env, condition('badformula', 'Ready', 'reason'), /^ScaledObjectCheckFailed$/);
    const message = await kubectl(env, [
      'get',
      'scaledobject',
      'badformula',
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Ready")].message}',
    ]);
    assert.equal(
      message.stdout,
      'spec.advanced.scalingModifiers.formula: error validating formula in ScalingModifiers: unknown name c',
    );
  });
});
