/**
 * The KEDA-like ScaledObject controller with a REAL Prometheus: a test exporter serves a scripted
 * `http_requests_total` counter growing at 250 req/s, Prometheus scrapes it every second, the ScaledObject's
 * trigger queries `sum(rate(...))` with threshold 100, and the HPA controller scales the Deployment 2 → 3
 * (ceil(250 / 100)). Also: the derived `keda-hpa-<name>` HPA, the ScaledObject status, and an unreachable
 * Prometheus surfacing as FailedGetExternalMetric without any scaling.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type PrometheusServer, startPrometheus } from '../../cli/local/prometheus-server.js';
import { eventRecorder } from '../../simulator/api/events.js';
import { HpaController } from '../../simulator/autoscaling/hpa-controller.js';
import { KedaController } from '../../simulator/autoscaling/keda-controller.js';
import type { ControllerContext } from '../../simulator/controllers/controller.js';
import { profiles } from '../../simulator/profile.js';
import { ResourceRegistry } from '../../simulator/store/resources.js';
import { ObjectStore } from '../../simulator/store/store.js';
import { eventually } from '../support/eventually.js';

const registry = new ResourceRegistry();
const type = (apiVersion: string, kind: string) => registry.byKind(apiVersion, kind)!;
const deployments = type('apps/v1', 'Deployment');
const hpas = type('autoscaling/v2', 'HorizontalPodAutoscaler');
const scaledObjects = type('keda.sh/v1alpha1', 'ScaledObject');

/** The ScaledObject's Ready condition, once the operator has set one. */
function readyCondition(store: ObjectStore) {
  return eventually(
    'the Ready condition',
    () =>
      store
        .get(scaledObjects, 'shop', 'web')
        .status?.conditions?.find((c: { type: string }) => c.type === 'Ready'),
    { timeoutMs: 60_000 },
  );
}

/** A Prometheus exporter whose counter grows at `rate` per second from the moment it starts. */
async function requestCounter(rate: number): Promise<{ url: string; server: Server }> {
  const started = Date.now();
  const server = createServer((_req, res) => {
    const total = Math.floor(((Date.now() - started) / 1000) * rate);
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(
      `# TYPE http_requests_total counter\nhttp_requests_total{namespace="shop",service="web",code="200"} ${total}\n`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, server };
}

function cluster() {
  const store = new ObjectStore(registry);
  const context: ControllerContext = {
    store,
    registry,
    profile: { ...profiles.fast, hpaSyncSeconds: 0.5 },
    recordEvent: eventRecorder(store, registry),
    services: {},
  };
  store.create(deployments, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: {} },
    status: { replicas: 2 },
  });
  const controllers = [new KedaController(), new HpaController()];
  for (const c of controllers) c.start(context);
  return { store, stop: () => Promise.all(controllers.map((c) => c.stop())) };
}

function scaledObject(serverAddress: string) {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      scaleTargetRef: { name: 'web' },
      pollingInterval: 1,
      minReplicaCount: 2,
      maxReplicaCount: 10,
      triggers: [
        {
          type: 'prometheus',
          metadata: {
            serverAddress,
            query: 'sum(rate(http_requests_total{service="web"}[10s]))',
            threshold: '100',
          },
        },
      ],
    },
  };
}

describe('KEDA ScaledObject with a real Prometheus', () => {
  let exporter: { url: string; server: Server };
  let prometheus: PrometheusServer;

  before(async () => {
    exporter = await requestCounter(250);
    prometheus = await startPrometheus({
      targets: [{ job: 'web', url: exporter.url }],
      scrapeIntervalSeconds: 1,
    });
  });

  after(async () => {
    await prometheus?.stop();
    await new Promise((r) => exporter?.server.close(r));
  });

  it('creates keda-hpa-web and scales the Deployment 2 → 3 at 250 req/s against a threshold of 100', async () => {
    const { store, stop } = cluster();
    try {
      store.create(scaledObjects, scaledObject(prometheus.url));
      const hpa = await eventually('keda-hpa-web', () => store.tryGet(hpas, 'shop', 'keda-hpa-web'), {
        timeoutMs: 60_000,
      });
      assert.deepEqual(
        hpa.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.controller]),
        [['ScaledObject', 'web', true]],
      );
      assert.deepEqual(hpa.spec.metrics, [
        {
          type: 'External',
          external: {
            metric: {
              name: 's0-prometheus',
              selector: { matchLabels: { 'scaledobject.keda.sh/name': 'web' } },
            },
            target: { type: 'AverageValue', averageValue: '100' },
          },
        },
      ]);
      assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [2, 10]);
      await eventually('spec.replicas 3', () => store.get(deployments, 'shop', 'web').spec.replicas === 3, {
        timeoutMs: 90_000,
      });
      const status = store.get(hpas, 'shop', 'keda-hpa-web').status;
      const current = Number.parseFloat(status.currentMetrics[0].external.current.averageValue);
      assert.ok(current > 100, `per-pod value ${current} above the threshold`);
      const so = store.get(scaledObjects, 'shop', 'web').status;
      assert.equal(so.hpaName, 'keda-hpa-web');
      assert.deepEqual(so.externalMetricNames, ['s0-prometheus']);
      assert.deepEqual(
        so.conditions.map((c: { type: string; status: string }) => [c.type, c.status]),
        [
          ['Ready', 'True'],
          ['Active', 'True'],
          ['Fallback', 'False'],
          ['Paused', 'False'],
        ],
      );
    } finally {
      await stop();
    }
  });
});

describe('KEDA ScaledObject with Prometheus down', () => {
  it('reports the trigger error and the HPA does not scale', async () => {
    const { store, stop } = cluster();
    try {
      store.create(scaledObjects, scaledObject('http://127.0.0.1:1'));
      const condition = await eventually(
        'ScalingActive False',
        () =>
          store
            .tryGet(hpas, 'shop', 'keda-hpa-web')
            ?.status?.conditions?.find(
              (c: { type: string; status: string }) => c.type === 'ScalingActive' && c.status === 'False',
            ),
        { timeoutMs: 60_000 },
      );
      assert.equal(condition.reason, 'FailedGetExternalMetric');
      const ready = await readyCondition(store);
      assert.deepEqual([ready.status, ready.reason], ['False', 'TriggerError']);
      assert.equal(store.get(deployments, 'shop', 'web').spec.replicas, 2);
    } finally {
      await stop();
    }
  });

  it('rejects an invalid ScaledObject with Ready False and creates no HPA', async () => {
    const { store, stop } = cluster();
    try {
      const invalid = scaledObject('http://127.0.0.1:1');
      invalid.spec.triggers[0]!.metadata.threshold = 'lots';
      store.create(scaledObjects, invalid);
      const ready = await readyCondition(store);
      assert.equal(ready.reason, 'ScaledObjectCheckFailed');
      assert.match(
        ready.message,
        /triggers\[0\]\.metadata\.threshold: expected a positive number, got "lots"/,
      );
      assert.equal(store.tryGet(hpas, 'shop', 'keda-hpa-web'), undefined);
    } finally {
      await stop();
    }
  });
});
