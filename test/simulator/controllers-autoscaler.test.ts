import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ClusterAutoscaler } from '../../simulator/controllers/cluster-autoscaler.js';
import { isPodReady } from '../../simulator/controllers/objects.js';
import { type NodeGroupSpec, nodeGroupLabel } from '../../simulator/nodes.js';
import { eventually } from '../support/eventually.js';
import {
  coreControllers,
  deployment,
  eventReasons,
  eventsFor,
  type Harness,
  node,
  podsOf,
  podTemplate,
  startControllers,
  stopHarnesses,
  types,
} from './controllers-fixtures.js';

afterEach(stopHarnesses);

const controllers = () => [...coreControllers(), new ClusterAutoscaler()];

const pool: NodeGroupSpec = { name: 'pool', min: 0, max: 2, provisionSeconds: 0.5, cpu: '2', memory: '4Gi' };
const fixed: NodeGroupSpec = {
  name: 'fixed',
  min: 1,
  max: 1,
  provisionSeconds: 0.5,
  cpu: '2',
  memory: '4Gi',
};

function groupNodes(h: Harness, group: string): string[] {
  return h.store
    .list(types.nodes)
    .items.filter((n) => n.metadata.labels?.[nodeGroupLabel] === group)
    .map((n) => n.metadata.name as string);
}

function readyPods(h: Harness, app: string): number {
  return podsOf(h.store, app).filter((p) => isPodReady(p) && !p.metadata.deletionTimestamp).length;
}

function scale(h: Harness, name: string, replicas: number): void {
  const d = h.store.get(types.deployments, 'default', name);
  h.store.update(types.deployments, { ...d, spec: { ...d.spec, replicas } });
}

describe('cluster autoscaler', () => {
  it('adds a node for unschedulable pods after the provisioning delay, and removes it once unneeded', async () => {
    const h = startControllers(controllers(), {
      nodes: [
        node('node-1', '2', '4Gi'),
        node('fixed-1', '2', '4Gi', { group: 'fixed', taints: [{ key: 'reserved', effect: 'NoSchedule' }] }),
      ],
      groups: [pool, fixed],
    });
    h.store.create(types.deployments, deployment('web', 3, podTemplate('web', { cpu: '600m' })));
    await eventually('web on node-1', () => readyPods(h, 'web') === 3);
    h.store.create(types.deployments, deployment('extra', 2, podTemplate('extra', { cpu: '900m' })));

    await eventually('extra running on an added node', () => readyPods(h, 'extra') === 2, {
      timeoutMs: 30_000,
    });
    const [added] = groupNodes(h, 'pool');
    assert.ok(added, 'a pool node was added');
    const extraPods = podsOf(h.store, 'extra');
    assert.ok(extraPods.every((p) => p.spec.nodeName === added));
    const triggered = extraPods.flatMap((p) =>
      eventsFor(h.store, p.metadata.name as string, 'TriggeredScaleUp'),
    );
    assert.equal(triggered[0]?.message, 'pod triggered scale-up: [{pool 0->1 (max: 2)}]');
    const firstPod = extraPods[0]?.metadata.name as string;
    assert.deepEqual(
      eventReasons(h, firstPod).slice(0, 3),
      ['FailedScheduling', 'TriggeredScaleUp', 'Scheduled'],
      'Pending first, then the scale-up, then bound to the new node',
    );
    const nodeAdded = h.changes.findIndex((c) => c.type === 'ADDED' && c.object.metadata.name === added);
    const scaleUpEvent = h.changes.findIndex(
      (c) => c.type === 'ADDED' && c.object.reason === 'TriggeredScaleUp',
    );
    assert.ok(scaleUpEvent < nodeAdded, 'the node registers after the scale-up decision');
    const status = h.store.get(types.configMaps, 'kube-system', 'cluster-autoscaler-status');
    assert.match((status.data as { status: string }).status, /name: pool/);

    let fixedBelowMin = false;
    h.store.subscribe(() => {
      if (groupNodes(h, 'fixed').length < 1) fixedBelowMin = true;
    });
    scale(h, 'web', 1);
    scale(h, 'extra', 1);
    await eventually(
      'the pool node removed',
      () => groupNodes(h, 'pool').length === 0 && readyPods(h, 'extra') === 1,
      { timeoutMs: 30_000 },
    );
    const survivor = podsOf(h.store, 'extra')[0];
    assert.equal(survivor?.spec.nodeName, 'node-1', 'the evicted pod was recreated and rescheduled');
    assert.ok(
      h.changes.some(
        (c) =>
          c.type === 'ADDED' &&
          c.object.reason === 'ScaleDown' &&
          c.object.message === 'deleting pod for node scale down',
      ),
    );
    assert.ok(
      eventsFor(h.store, added, 'ScaleDown').some(
        (e) => e.message === 'marked the node as toBeDeleted/unschedulable',
      ),
    );
    assert.deepEqual(groupNodes(h, 'fixed'), ['fixed-1'], 'a group at its min size keeps its nodes');
    assert.equal(fixedBelowMin, false);
  });

  it('replaces preempted overprovisioning buffer pods with a new node', async () => {
    const h = startControllers(controllers(), { nodes: [node('node-1', '2', '4Gi')], groups: [pool] });
    h.store.create(types.priorityClasses, {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'overprovisioning' },
      value: -1,
    });
    h.store.create(
      types.deployments,
      deployment('buffer', 1, podTemplate('buffer', { cpu: '1500m', priorityClassName: 'overprovisioning' })),
    );
    await eventually('buffer running on node-1', () => readyPods(h, 'buffer') === 1);
    h.store.create(types.deployments, deployment('app', 1, podTemplate('app', { cpu: '1' })));
    await eventually(
      'app and buffer both running',
      () => readyPods(h, 'app') === 1 && readyPods(h, 'buffer') === 1,
      { timeoutMs: 30_000 },
    );
    assert.equal(podsOf(h.store, 'app')[0]?.spec.nodeName, 'node-1', "the app took the buffer pod's room");
    const [added] = groupNodes(h, 'pool');
    const buffer = podsOf(h.store, 'buffer')[0];
    assert.equal(buffer?.spec.nodeName, added, 'the recreated buffer pod moved to a new node');
    assert.match(
      eventsFor(h.store, buffer?.metadata.name as string, 'TriggeredScaleUp')[0]?.message as string,
      /^pod triggered scale-up: \[\{pool 0->1 \(max: 2\)\}\]$/,
    );
  });

  it('reports NotTriggerScaleUp when no node group can host the pod', async () => {
    const h = startControllers(controllers(), { nodes: [node('node-1', '1', '2Gi')], groups: [pool] });
    h.store.create(types.deployments, deployment('giant', 1, podTemplate('giant', { cpu: '3' })));
    h.store.create(
      types.deployments,
      deployment('picky', 1, podTemplate('picky', { cpu: '100m', spec: { nodeSelector: { disk: 'ssd' } } })),
    );
    const giant = await eventually('giant pod', () => podsOf(h.store, 'giant')[0]?.metadata.name);
    const picky = await eventually('picky pod', () => podsOf(h.store, 'picky')[0]?.metadata.name);
    const giantEvent = await eventually(
      'NotTriggerScaleUp for giant',
      () => eventsFor(h.store, giant, 'NotTriggerScaleUp')[0],
    );
    assert.equal(giantEvent.message, "pod didn't trigger scale-up: 1 Insufficient cpu");
    const pickyEvent = await eventually(
      'NotTriggerScaleUp for picky',
      () => eventsFor(h.store, picky, 'NotTriggerScaleUp')[0],
    );
    assert.equal(
      pickyEvent.message,
      "pod didn't trigger scale-up: 1 node(s) didn't match Pod's node affinity/selector",
    );
    assert.deepEqual(groupNodes(h, 'pool'), []);
  });
});
