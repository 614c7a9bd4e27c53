import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectl, kubectlUntil } from './cluster-kubectl-fixtures.js';
import {
  compositeScenario,
  condition,
  fallbackScenario,
  type KedaBench,
  scaledObject,
  startKedaBench,
} from './keda-fixtures.js';

/**
 * KEDA's fallback, scalingModifiers, ignoreNullValues, cpu/memory triggers and condition reasons, driven and read
 * with real kubectl; the triggers query a real Prometheus that scrapes a scripted exporter, whose gauges the test
 * sets and removes (a removed series makes the query's result empty at the next scrape).
 */

describe('KEDA fallback, scalingModifiers, ignoreNullValues, cpu/memory and reasons', () => {
  let bench: KedaBench;
  let prometheus: KedaBench['prometheus'];
  let exporter: KedaBench['exporter'];
  let env: NodeJS.ProcessEnv;
  before(async () => {
    bench = await startKedaBench({}, { orders: 50 });
    ({ prometheus, exporter, env } = bench);
  });
  after(async () => {
    await bench?.stop();
  });

  const deployment = (name: string, replicas: number) => bench.deployment(name, replicas);
  const apply = (yaml: string) => bench.apply(yaml);
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

  it('fallback: failures counted in status.health, Fallback True and the target at fallback.replicas, then back', () =>
    fallbackScenario(bench));

  it('fallback on a Value target: fallback.replicas × threshold over the Ready pods, so the HPA lands on them', async () => {
    await deployment('valued', 2);
    await kubectlUntil(env, ['get', 'deployment', 'valued', '-o', 'jsonpath={.status.readyReplicas}'], /^2$/);
    await apply(
      scaledObject(
        'valued',
        prometheus.url,
        [{ query: 'queue_depth{queue="none"}', metricType: 'Value', ignoreNullValues: 'false' }],
        '  minReplicaCount: 1\n  maxReplicaCount: 8\n  fallback: {failureThreshold: 0, replicas: 4}',
      ),
    );
    // 10 × 4 replicas / 2 Ready pods: the HPA's Value rule gives ceil(2 × 20 / 10) = 4.
    await kubectlUntil(
      env,
      [
        'get',
        '--raw',
        '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-prometheus?labelSelector=scaledobject.keda.sh%2Fname%3Dvalued',
      ],
      /"value":"20"/,
    );
    await kubectlUntil(env, replicas('valued'), /^4$/);
  });

  it('scalingModifiers: composite-metric is the formula over named triggers, and the HPA scales on it', () =>
    compositeScenario(bench));

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
    const labels = await kubectl(env, [
      'get',
      'scaledobject',
      'resources',
      '-o',
      'jsonpath={.metadata.labels}',
    ]);
    assert.deepEqual(JSON.parse(labels.stdout), { 'scaledobject.keda.sh/name': 'resources' });
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
    const expected =
      'spec.advanced.scalingModifiers.formula: error validating formula in ScalingModifiers: unknown name c';
    assert.equal(message.stdout, expected);
    assert.equal((await kubectl(env, condition('badformula', 'Active', 'reason'))).stdout, 'UnknownState');
    await kubectlUntil(
      env,
      ['get', 'events', '--field-selector=reason=ScaledObjectCheckFailed,involvedObject.name=badformula'],
      /Warning\s+ScaledObjectCheckFailed\s+scaledobject\/badformula\s+spec\.advanced\.scalingModifiers\.formula: error validating formula/,
    );
  });
});
