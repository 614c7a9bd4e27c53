import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PrometheusClient } from '../../actions/lib/prometheus/client.js';
import { type PrometheusServer, startPrometheus } from '../../cli/local/prometheus-server.js';
import { eventually } from '../support/eventually.js';
import {
  createPod,
  createService,
  type Harness,
  keepBusy,
  startHarness,
  types,
} from './dataplane-fixtures.js';

describe('metrics endpoint scraped by a real Prometheus', () => {
  let h: Harness;
  let prometheus: PrometheusServer;
  let client: PrometheusClient;
  let traffic: ReturnType<typeof keepBusy> | undefined;

  before(async () => {
    h = await startHarness();
    const annotations = {
      'sim.scalegate.dev/cpu-per-request': '1ms',
      'sim.scalegate.dev/base-latency': '20ms',
    };
    createPod(h.store, 'web-0', {
      labels: { app: 'web', track: 'stable', version: 'v1' },
      annotations,
      cpuLimit: '1',
    });
    createPod(h.store, 'web-1', {
      labels: { app: 'web', track: 'canary', version: 'v2' },
      annotations,
      cpuLimit: '1',
    });
    createService(h.store, 'web', { app: 'web' });
    h.store.create(types.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'stuck', namespace: 'shop' },
      spec: { containers: [{ name: 'app', image: 'x' }] },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
      },
    });
    traffic = keepBusy(`${h.gatewayUrl}/shop/web/`, 4);
    prometheus = await startPrometheus({
      targets: [{ job: 'scalegate', url: h.metricsUrl }],
      scrapeIntervalSeconds: 1,
    });
    client = new PrometheusClient({ url: prometheus.url, retries: 0 });
    await prometheus.waitForSample('kube_pod_status_phase', 30_000);
  });

  after(async () => {
    await traffic?.stop();
    await client?.close();
    await prometheus?.stop();
    await h.close();
  });

  it('answers kube-state-metrics queries', async () => {
    const pending = await client.query('kube_pod_status_phase{phase="Pending"} == 1');
    assert.deepEqual(
      pending.map((s) => s.metric.pod),
      ['stuck'],
    );
    assert.equal(pending[0]?.metric.namespace, 'shop');
    assert.equal(pending[0]?.metric.job, 'scalegate');
    const unschedulable = await client.query('sum(kube_pod_status_unschedulable)');
    assert.equal(unschedulable[0]?.value[1], 1);
  });

  it('answers latency, traffic split and CPU queries over rates', async () => {
    const p95 = await eventually(
      'a p95 over two scrapes of traffic',
      async () => {
        const [sample] = await client.query(
          'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[10s])))',
        );
        const value = sample?.value[1];
        return value !== undefined && Number.isFinite(value) ? value : undefined;
      },
      { timeoutMs: 30_000 },
    );
    // 20 ms base latency + 1 ms of CPU: the 0.025 bucket boundary or the next one.
    assert.ok(p95 > 0.02 && p95 <= 0.1, `p95 ${p95}`);
    const byTrack = await client.query(
      'sum by (track) (rate(http_requests_total{namespace="shop",service="web"}[10s]))',
    );
    const rates = Object.fromEntries(byTrack.map((s) => [s.metric.track, s.value[1]]));
    assert.ok((rates.stable ?? 0) > 0 && (rates.canary ?? 0) > 0, JSON.stringify(rates));
    const share = (rates.canary ?? 0) / ((rates.canary ?? 0) + (rates.stable ?? 0));
    assert.ok(share > 0.4 && share < 0.6, `canary share ${share}`);
    const cpu = await client.query(
      'sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="shop",container!="",image!=""}[10s]))',
    );
    assert.deepEqual(cpu.map((s) => s.metric.pod).sort(), ['web-0', 'web-1']);
    assert.ok(cpu.every((s) => s.value[1] > 0));
  });
});
