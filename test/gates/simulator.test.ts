/**
 * Gates against the local cluster simulator scraped by a real Prometheus: the simulator's kube-state-metrics series
 * fit the gates unchanged. An HPA below its minimum scales the stable Deployment out (no load needed; its new pods
 * are Pending for a moment while their image is pulled), and a Deployment asking for more CPU than any node has
 * leaves its pods Pending and Unschedulable.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { evaluateOnce } from '../../actions/lib/gates/evaluate.js';
import { parseGateFile } from '../../actions/lib/gates/load.js';
import type { GateResult } from '../../actions/lib/gates/types.js';
import { eventually } from '../support/eventually.js';
import { type ScrapedCluster, startScrapedCluster } from './scraped-cluster.js';

let bench: ScrapedCluster | undefined;
let results: Map<string, GateResult>;

function deployment(name: string, replicas: number, cpu: string) {
  const labels = { app: name, track: 'stable' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop', labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: 'app', image: 'registry.local/app:1', resources: { requests: { cpu } } }],
        },
      },
    },
  };
}

const set = parseGateFile(
  `
gates:
  - {name: scaled, type: hpaScaleOut, track: stable, minReplicas: 3, within: 60s}
  - {name: web-not-stuck, type: pendingPods, selector: {app: web}, maxPendingDuration: 30s}
  - {name: hog-stuck, type: pendingPods, selector: {app: hog}, maxPending: 1}
`,
  'simulator-gates.yaml',
);

before(async () => {
  bench = await startScrapedCluster({ profile: 'fast', nodes: 2, nodeCpu: '2' });
  const { client, create } = bench;
  const start = new Date();
  create(deployment('web', 1, '100m'));
  create(deployment('hog', 2, '3'));
  create({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 3,
      maxReplicas: 5,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    },
  });
  await eventually(
    'the HPA at 3 replicas and the hog pods Pending, as Prometheus sees them',
    async () => {
      const [replicas] = await client.query(
        'max(kube_horizontalpodautoscaler_status_current_replicas{namespace="shop",horizontalpodautoscaler="web"})',
      );
      const [pending] = await client.query('sum(kube_pod_status_unschedulable{namespace="shop"})');
      return replicas?.value[1] === 3 && pending?.value[1] === 2;
    },
    { timeoutMs: 60_000 },
  );
  const context = {
    client,
    window: { start, end: new Date() },
    stepSeconds: 1,
    metrics: set.metrics,
    defaults: { namespace: 'shop', service: 'web' },
    includeSeries: true,
  };
  results = new Map((await evaluateOnce(set.gates, context)).map((r) => [r.name, r]));
});

after(async () => {
  await bench?.stop();
});

test('hpaScaleOut finds the stable HPA by track and reports the scale-out', () => {
  const r = results.get('scaled')!;
  assert.equal(r.status, 'pass', r.reason);
  assert.equal(r.observed.peakReplicas, 3);
  assert.match(r.queries[0]!, /horizontalpodautoscaler="web"/);
});

test('pendingPods tells a healthy Deployment from one that no node can hold, naming capacity as the cause', () => {
  const web = results.get('web-not-stuck')!;
  assert.equal(web.status, 'pass', web.reason);
  const hog = results.get('hog-stuck')!;
  assert.equal(hog.status, 'fail', hog.reason);
  assert.equal(hog.observed.maxPending, 2);
  assert.equal(hog.observed.cause, 'capacity');
});
