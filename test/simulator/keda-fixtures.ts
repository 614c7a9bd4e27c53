/**
 * KEDA tests driven as a user drives them: a local cluster (either control plane), real kubectl, a real Prometheus
 * scraping a scripted exporter whose `queue_depth` gauges the test sets and removes; ScaledObjects with prometheus
 * triggers as YAML, and the kubectl arguments that read a condition.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PrometheusServer, startPrometheus } from '../../cli/local/prometheus-server.js';
import { type ClusterOptions, startCluster } from '../../simulator/cluster.js';
import { ScriptedExporter } from '../prometheus/scripted-exporter.js';
import { kubectl, kubectlUntil } from './cluster-kubectl-fixtures.js';

export interface Trigger {
  name?: string;
  query: string;
  threshold?: string;
  activationThreshold?: string;
  ignoreNullValues?: string;
  metricType?: 'AverageValue' | 'Value';
}

export function scaledObject(name: string, prometheus: string, triggers: Trigger[], extra = ''): string {
  const list = triggers
    .map((t) => {
      const metadata = {
        serverAddress: prometheus,
        query: t.query,
        threshold: t.threshold ?? '10',
        ...(t.activationThreshold && { activationThreshold: t.activationThreshold }),
        ...(t.ignoreNullValues && { ignoreNullValues: t.ignoreNullValues }),
      };
      const name = t.name ? `    name: ${t.name}\n` : '';
      const metricType = t.metricType ? `    metricType: ${t.metricType}\n` : '';
      return `  - type: prometheus\n${name}${metricType}    metadata: ${JSON.stringify(metadata)}`;
    })
    .join('\n');
  return `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: ${name}, namespace: default}
spec:
  scaleTargetRef: {name: ${name}}
  pollingInterval: 1
${extra}
  triggers:
${list}
`;
}

export const condition = (name: string, type: string, field: 'status' | 'reason') => [
  'get',
  'scaledobject',
  name,
  '-o',
  `jsonpath={.status.conditions[?(@.type=="${type}")].${field}}`,
];

export interface KedaBench {
  prometheus: PrometheusServer;
  exporter: ScriptedExporter;
  /** kubectl's environment: the cluster's kubeconfig and a scratch HOME. */
  env: NodeJS.ProcessEnv;
  /** `kubectl create deployment <name> --replicas=<n>`, asserted to succeed. */
  deployment(name: string, replicas: number): Promise<void>;
  /** `kubectl apply -f -`, asserted to succeed. */
  apply(yaml: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the exporter with the given gauges, the cluster and Prometheus, and waits for the gauges' first scrape. */
export async function startKedaBench(
  options: ClusterOptions,
  gauges: Record<string, number>,
): Promise<KedaBench> {
  // Everything started so far is stopped, last first, if a later part fails to start.
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
  };
  try {
    const exporter = await new ScriptedExporter().start();
    stops.push(() => exporter.close());
    for (const [queue, value] of Object.entries(gauges)) exporter.gauge('queue_depth', { queue }, value);
    const cluster = await startCluster(options);
    stops.push(() => cluster.stop());
    const prometheus = await startPrometheus({
      targets: [{ job: 'app', url: exporter.url }],
      scrapeIntervalSeconds: 1,
    });
    stops.push(() => prometheus.stop());
    const home = await mkdtemp(join(tmpdir(), 'scalegate-keda-'));
    stops.push(() => rm(home, { recursive: true, force: true }));
    for (const queue of Object.keys(gauges)) await prometheus.waitForSample(`queue_depth{queue="${queue}"}`);
    const env = { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: home };
    return {
      prometheus,
      exporter,
      env,
      async deployment(name, replicas) {
        const created = await kubectl(env, [
          'create',
          'deployment',
          name,
          '--image=nginx:1.27',
          `--replicas=${replicas}`,
        ]);
        assert.equal(created.code, 0, created.stderr);
      },
      async apply(yaml) {
        const applied = await kubectl(env, ['apply', '-f', '-'], yaml);
        assert.equal(applied.code, 0, applied.stderr);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** How long a scenario waits for the cluster to converge: the real control plane's HPA takes longer. */
const settle = 90_000;

const replicasOf = (name: string) => ['get', 'deployment', name, '-o', 'jsonpath={.spec.replicas}'];

/**
 * A trigger whose series disappears: failures counted in status.health, Fallback True past failureThreshold, the
 * HPA scaling the target to fallback.replicas; then the series returns and health is Happy again.
 */
export async function fallbackScenario(bench: KedaBench): Promise<void> {
  const { prometheus, exporter, env } = bench;
  exporter.gauge('queue_depth', { queue: 'flaky' }, 20);
  await prometheus.waitForSample('queue_depth{queue="flaky"}');
  await bench.deployment('flaky', 2);
  await bench.apply(
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
    settle,
  );
  await kubectlUntil(env, replicasOf('flaky'), /^2$/, settle);
  exporter.remove('queue_depth', { queue: 'flaky' });
  await kubectlUntil(env, condition('flaky', 'Fallback', 'status'), /^True$/, settle);
  assert.equal((await kubectl(env, condition('flaky', 'Fallback', 'reason'))).stdout, 'FallbackExists');
  const health = JSON.parse(
    (await kubectl(env, ['get', 'scaledobject', 'flaky', '-o', 'jsonpath={.status.health}'])).stdout,
  );
  assert.equal(health['s0-prometheus'].status, 'Failing');
  assert.ok(health['s0-prometheus'].numberOfFailures > 2, JSON.stringify(health));
  // A trigger that falls back counts as active, and is not a trigger error.
  assert.equal((await kubectl(env, condition('flaky', 'Ready', 'reason'))).stdout, 'ScaledObjectReady');
  await kubectlUntil(env, replicasOf('flaky'), /^5$/, settle);
  await kubectlUntil(
    env,
    ['get', 'scaledobject', 'flaky'],
    /\bflaky\s+apps\/v1\.Deployment\s+flaky\s+1\s+8\s+True\s+True\s+True\s+False\s+prometheus\b/,
    settle,
  );

  exporter.gauge('queue_depth', { queue: 'flaky' }, 20);
  await kubectlUntil(env, condition('flaky', 'Fallback', 'status'), /^False$/, settle);
  const healed = JSON.parse(
    (await kubectl(env, ['get', 'scaledobject', 'flaky', '-o', 'jsonpath={.status.health}'])).stdout,
  );
  assert.deepEqual(healed, { 's0-prometheus': { numberOfFailures: 0, status: 'Happy' } });
}

/** Two named triggers combined by a formula into composite-metric, on which the HPA scales. */
export async function compositeScenario(bench: KedaBench): Promise<void> {
  const { prometheus, exporter, env } = bench;
  exporter.gauge('queue_depth', { queue: 'a' }, 30);
  exporter.gauge('queue_depth', { queue: 'b' }, 50);
  await prometheus.waitForSample('queue_depth{queue="b"}');
  await bench.deployment('composite', 1);
  await bench.apply(
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
      settle,
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
    settle,
  );
  assert.equal(JSON.parse(raw).items[0].metricName, 'composite-metric');
  await kubectlUntil(env, replicasOf('composite'), /^4$/, settle);
  const status = JSON.parse(
    (await kubectl(env, ['get', 'scaledobject', 'composite', '-o', 'jsonpath={.status}'])).stdout,
  );
  assert.equal(status.compositeScalerName, 'composite-metric');
  assert.deepEqual(status.externalMetricNames, ['s0-prometheus', 's1-prometheus']);
  assert.equal((await kubectl(env, condition('composite', 'Active', 'reason'))).stdout, 'ScalerActive');
}
