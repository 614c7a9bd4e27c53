/**
 * The local cluster's HPA controller against the object store: it reads the Deployment's scale and pods and the
 * `workload-metrics` service (here a scripted source standing in for the data plane: fixed CPU usage per pod),
 * writes spec.replicas, status and the SuccessfulRescale event as kube-controller-manager does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventRecorder } from '../../simulator/api/events.js';
import { HpaController } from '../../simulator/autoscaling/hpa-controller.js';
import type { ControllerContext } from '../../simulator/controllers/controller.js';
import { profiles } from '../../simulator/profile.js';
import type { WorkloadMetricsSource } from '../../simulator/services.js';
import { ResourceRegistry } from '../../simulator/store/resources.js';
import { ObjectStore } from '../../simulator/store/store.js';
import type { KubeObject } from '../../simulator/store/types.js';
import { eventually } from '../support/eventually.js';

const registry = new ResourceRegistry();
const type = (apiVersion: string, kind: string) => registry.byKind(apiVersion, kind)!;
const deployments = type('apps/v1', 'Deployment');
const pods = type('v1', 'Pod');
const hpas = type('autoscaling/v2', 'HorizontalPodAutoscaler');
const events = type('v1', 'Event');

/** CPU usage per pod in millicores, as the data plane would measure it; `reads` counts the controller's reads. */
function scriptedUsage(cpuMillis: Map<string, number>, reads: { count: number }): WorkloadMetricsSource {
  return {
    podUsage: (_ns, pod) => {
      reads.count++;
      const cpu = cpuMillis.get(pod);
      if (cpu === undefined) return undefined;
      return {
        timestamp: Date.now(),
        windowSeconds: 2,
        containers: { app: { cpuMillis: cpu, memoryBytes: 64 << 20 } },
      };
    },
    podCustomMetric: () => undefined,
    nodeUsage: () => undefined,
  };
}

function pod(name: string): KubeObject {
  const started = new Date(Date.now() - 10 * 60_000).toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', image: 'web:1', resources: { requests: { cpu: '500m' } } }] },
    status: {
      phase: 'Running',
      startTime: started,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: started }],
    },
  };
}

describe('HpaController', () => {
  const store = new ObjectStore(registry);
  const usage = new Map([
    ['web-1', 500],
    ['web-2', 500],
  ]);
  const usageReads = { count: 0 };
  const context: ControllerContext = {
    store,
    registry,
    profile: { ...profiles.fast, hpaSyncSeconds: 0.2 },
    recordEvent: eventRecorder(store, registry),
    services: { workloadMetrics: scriptedUsage(usage, usageReads) },
  };
  const controller = new HpaController();

  before(() => {
    store.create(deployments, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: {} },
      status: { replicas: 2 },
    });
    store.create(pods, pod('web-1'));
    store.create(pods, pod('web-2'));
    store.create(hpas, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
        ],
      },
    });
    controller.start(context);
  });

  after(() => controller.stop());

  it('scales the Deployment from CPU utilization and reports status, conditions and the event', async () => {
    await eventually('spec.replicas 4', () => store.get(deployments, 'shop', 'web').spec.replicas === 4);
    const status = await eventually('status', () => {
      const s = store.get(hpas, 'shop', 'web').status;
      return s?.desiredReplicas === 4 ? s : undefined;
    });
    assert.equal(status.currentReplicas, 2);
    assert.deepEqual(status.currentMetrics, [
      {
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: 100, averageValue: '500m' } },
      },
    ]);
    assert.deepEqual(
      status.conditions.map((c: { type: string; status: string; reason: string }) => [
        c.type,
        c.status,
        c.reason,
      ]),
      [
        ['AbleToScale', 'True', 'SucceededRescale'],
        ['ScalingActive', 'True', 'ValidMetricFound'],
        ['ScalingLimited', 'False', 'DesiredWithinRange'],
      ],
    );
    assert.match(status.lastScaleTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const rescale = store
      .list(events, { namespace: 'shop' })
      .items.find((e) => e.reason === 'SuccessfulRescale');
    assert.equal(
      rescale?.message,
      'New size: 4; reason: cpu resource utilization (percentage of request) above target',
    );
    assert.deepEqual(rescale?.source, { component: 'horizontal-pod-autoscaler' });
  });

  it('reconciles at once on a spec change: a lower maxReplicas caps the target without metrics', async () => {
    const hpa = store.get(hpas, 'shop', 'web');
    store.update(hpas, { ...hpa, spec: { ...hpa.spec, maxReplicas: 3 } });
    await eventually('spec.replicas 3', () => store.get(deployments, 'shop', 'web').spec.replicas === 3);
    await eventually('the rescale event', () =>
      store
        .list(events, { namespace: 'shop' })
        .items.find(
          (e) => e.message === 'New size: 3; reason: Current number of replicas above Spec.MaxReplicas',
        ),
    );
  });

  it('keeps the scale when the usage is within tolerance and does not rewrite an unchanged status', async () => {
    const deployment = store.get(deployments, 'shop', 'web');
    store.update(deployments, { ...deployment, status: { replicas: 3 } });
    usage.set('web-1', 260).set('web-2', 240).set('web-3', 250);
    store.create(pods, pod('web-3'));
    const settled = await eventually('status for 3 pods at 50 %', () => {
      const s = store.get(hpas, 'shop', 'web');
      return s.status?.currentMetrics?.[0]?.resource?.current.averageUtilization === 50 ? s : undefined;
    });
    assert.equal(store.get(deployments, 'shop', 'web').spec.replicas, 3);
    // Two more syncs (each reads the usage of the three pods) must leave the settled status as it is.
    const seen = usageReads.count;
    await eventually('two more syncs of the HPA', () => usageReads.count >= seen + 6);
    assert.equal(store.get(hpas, 'shop', 'web').metadata.resourceVersion, settled.metadata.resourceVersion);
  });

  it('reports AmbiguousSelector on both HPAs when two targets select the same pods', async () => {
    store.create(deployments, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web-twin', namespace: 'shop' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: {} },
      status: { replicas: 1 },
    });
    const twin = store.create(hpas, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web-twin', namespace: 'shop' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-twin' },
        maxReplicas: 3,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
        ],
      },
    });
    for (const name of ['web', 'web-twin']) {
      const condition = await eventually(`${name} AmbiguousSelector`, () =>
        store
          .get(hpas, 'shop', name)
          .status?.conditions?.find((c: { reason: string }) => c.reason === 'AmbiguousSelector'),
      );
      assert.match(
        condition.message,
        /^pods by selector app=web are controlled by more than one HPA \(e\.g\. \[shop\/web/,
      );
    }
    store.delete(hpas, 'shop', twin.metadata.name as string);
    await eventually('web active again', () =>
      store
        .get(hpas, 'shop', 'web')
        .status?.conditions?.some((c: { reason: string }) => c.reason === 'ValidMetricFound'),
    );
  });

  it('reports FailedGetScale when the target does not exist', async () => {
    store.create(hpas, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'ghost', namespace: 'shop' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ghost' }, maxReplicas: 3 },
    });
    const condition = await eventually('AbleToScale False', () =>
      store
        .get(hpas, 'shop', 'ghost')
        .status?.conditions?.find((c: { type: string }) => c.type === 'AbleToScale'),
    );
    assert.deepEqual([condition.status, condition.reason], ['False', 'FailedGetScale']);
    assert.match(condition.message, /deployments\.apps "ghost" not found/);
  });
});
