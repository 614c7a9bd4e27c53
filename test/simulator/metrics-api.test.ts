import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseQuantity } from '../../actions/lib/util/quantity.js';
import type { WorkloadMetrics } from '../../simulator/dataplane/metrics-api.js';
import type { WorkloadMetricsSource } from '../../simulator/services.js';
import { eventually } from '../support/eventually.js';
import {
  createPod,
  createService,
  type Harness,
  keepBusy,
  startHarness,
  types,
} from './dataplane-fixtures.js';

describe('metrics API (metrics-server view)', () => {
  let h: Harness;
  let api: WorkloadMetrics;
  let source: WorkloadMetricsSource;

  before(async () => {
    h = await startHarness();
    h.store.create(types.nodes, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1', labels: { pool: 'a' } },
      status: { allocatable: { cpu: '4', memory: '16Gi' } },
    });
    createService(h.store, 'busy', { app: 'busy' });
    createPod(h.store, 'busy-0', {
      labels: { app: 'busy' },
      cpuLimit: '500m',
      annotations: {
        'sim.scalegate.dev/cpu-per-request': '10ms',
        'sim.scalegate.dev/base-latency': '0ms',
        'sim.scalegate.dev/base-memory': '64Mi',
        'sim.scalegate.dev/memory-per-request': '2Mi',
      },
    });
    api = h.context.services.metricsApi as WorkloadMetrics;
    source = h.context.services.workloadMetrics as WorkloadMetricsSource;
  });
  after(() => h.close());

  it('has no sample for a pod that does not run', () => {
    h.store.create(types.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'waiting', namespace: 'shop' },
      spec: { containers: [{ name: 'app', image: 'x' }] },
    });
    assert.equal(source.podUsage('shop', 'waiting'), undefined);
    assert.equal(source.nodeUsage('no-such-node'), undefined);
  });

  it('reports windowed CPU, memory and request rate of a saturated pod, in the shapes kubectl top reads', async () => {
    const busy = keepBusy(`${h.gatewayUrl}/shop/busy/`, 4);
    try {
      const started = Date.now();
      await eventually('a full usage window', () => Date.now() - started > 2800 || undefined, {
        timeoutMs: 10_000,
      });
      const usage = source.podUsage('shop', 'busy-0');
      assert.ok(usage, 'pod usage');
      assert.equal(usage.windowSeconds, 2);
      // Four requests share 500m: the container runs at its limit.
      const cpu = usage.containers.app?.cpuMillis ?? 0;
      assert.ok(cpu > 250 && cpu <= 510, `cpu ${cpu}m`);
      const memory = usage.containers.app?.memoryBytes ?? 0;
      assert.ok(memory > 64 * 2 ** 20 && memory <= 72 * 2 ** 20, `memory ${memory}`);
      const rate = source.podCustomMetric('shop', 'busy-0', 'http_requests_per_second') ?? 0;
      assert.ok(rate > 25 && rate <= 55, `rate ${rate}/s`);
      assert.equal(source.podCustomMetric('shop', 'busy-0', 'queue_depth'), undefined);

      const [podMetrics] = api.listPodMetrics('shop');
      assert.ok(podMetrics);
      assert.equal(podMetrics.kind, 'PodMetrics');
      assert.equal(podMetrics.apiVersion, 'metrics.k8s.io/v1beta1');
      assert.equal(podMetrics.metadata.name, 'busy-0');
      assert.equal(podMetrics.metadata.namespace, 'shop');
      assert.match(podMetrics.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.match(podMetrics.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(podMetrics.window, '2s');
      const container = podMetrics.containers[0];
      assert.equal(container?.name, 'app');
      assert.match(container?.usage.cpu ?? '', /^\d+n$/);
      assert.match(container?.usage.memory ?? '', /^\d+Ki$/);
      assert.ok(Math.abs(parseQuantity(container?.usage.cpu ?? '0') * 1000 - cpu) < 60);
      assert.deepEqual(api.listPodMetrics('other'), []);

      const node = source.nodeUsage('node-1');
      assert.ok(node && node.cpuMillis > 250, `node cpu ${node?.cpuMillis}`);
      const [nodeMetrics] = api.listNodeMetrics();
      assert.equal(nodeMetrics?.kind, 'NodeMetrics');
      assert.equal(nodeMetrics?.metadata.name, 'node-1');
      assert.match(nodeMetrics?.usage.cpu ?? '', /^\d+n$/);
      assert.match(nodeMetrics?.usage.memory ?? '', /^\d+Ki$/);
    } finally {
      await busy.stop();
    }
  });

  it('drops to idle usage once traffic stops', async () => {
    await eventually(
      'an idle window',
      () => {
        const cpu = source.podUsage('shop', 'busy-0')?.containers.app?.cpuMillis;
        return cpu !== undefined && cpu < 5 ? cpu : undefined;
      },
      { timeoutMs: 15_000 },
    );
    assert.equal(source.podCustomMetric('shop', 'busy-0', 'http_requests_per_second'), 0);
  });
});
