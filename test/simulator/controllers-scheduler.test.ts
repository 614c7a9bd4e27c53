import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Kubelet } from '../../simulator/controllers/kubelet.js';
import { Scheduler } from '../../simulator/controllers/scheduler.js';
import { zoneLabel } from '../../simulator/nodes.js';
import type { KubeObject } from '../../simulator/store/types.js';
import { eventually } from '../support/eventually.js';
import {
  condition,
  coreControllers,
  deployment,
  eventsFor,
  type Harness,
  node,
  pod,
  podsOf,
  podTemplate,
  startControllers,
  stopHarnesses,
  types,
} from './controllers-fixtures.js';

afterEach(stopHarnesses);

const getPod = (h: Harness, name: string) => h.store.tryGet(types.pods, 'default', name);

function unschedulableMessage(h: Harness, name: string): string | undefined {
  const p = getPod(h, name);
  const scheduled = condition(p, 'PodScheduled');
  return scheduled?.status === 'False' && scheduled.reason === 'Unschedulable'
    ? scheduled.message
    : undefined;
}

describe('scheduler', () => {
  it('leaves a pod that fits nowhere Pending with the FitError message, and binds it once a node is added', async () => {
    const h = startControllers([new Scheduler(), new Kubelet()], {
      nodes: [node('node-1', '1'), node('node-2', '1'), node('node-3', '1')],
    });
    for (const n of ['node-1', 'node-2', 'node-3']) {
      h.store.create(
        types.pods,
        pod(
          `filler-${n}`,
          podTemplate('filler', { cpu: '700m', spec: { nodeSelector: { 'kubernetes.io/hostname': n } } }),
        ),
      );
    }
    await eventually('fillers bound', () => podsOf(h.store, 'filler').every((p) => p.spec.nodeName));
    h.store.create(types.pods, pod('big', podTemplate('big', { cpu: '500m' })));
    const expected =
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
    const message = await eventually('big unschedulable', () => unschedulableMessage(h, 'big'));
    assert.equal(message, expected);
    const big = getPod(h, 'big');
    assert.equal(big?.status.phase, 'Pending');
    assert.equal(big?.spec.nodeName, undefined);
    const failed = eventsFor(h.store, 'big', 'FailedScheduling');
    assert.equal(failed[0]?.type, 'Warning');
    assert.equal(failed[0]?.message, expected);

    h.store.create(types.pods, pod('huge', podTemplate('huge', { cpu: '3', memory: '1Gi' })));
    assert.equal(
      await eventually('huge unschedulable', () => unschedulableMessage(h, 'huge')),
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );

    h.store.create(types.nodes, node('node-4', '1'));
    await eventually('big bound to the new node', () => getPod(h, 'big')?.spec.nodeName === 'node-4');
    await eventually(
      'PodScheduled=True',
      () => condition(getPod(h, 'big'), 'PodScheduled')?.status === 'True',
    );
    assert.ok(
      eventsFor(h.store, 'big', 'Scheduled').some(
        (e) => e.message === 'Successfully assigned default/big to node-4',
      ),
    );
  });

  it('preempts low-priority buffer pods to make room, nominating the node', async () => {
    const h = startControllers(coreControllers(), { nodes: [node('node-1', '1'), node('node-2', '1')] });
    h.store.create(types.priorityClasses, {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'overprovisioning' },
      value: -1,
      globalDefault: false,
    });
    h.store.create(
      types.deployments,
      deployment(
        'buffer',
        2,
        podTemplate('buffer', {
          cpu: '800m',
          priorityClassName: 'overprovisioning',
          image: 'shop/pause:3.9',
        }),
      ),
    );
    await eventually(
      'buffer pods bound',
      () => podsOf(h.store, 'buffer').filter((p) => p.spec.nodeName).length === 2,
    );
    const victims: KubeObject[] = [];
    const nominated: string[] = [];
    h.store.subscribe((e) => {
      if (e.resource.plural !== 'pods') return;
      if (condition(e.object, 'DisruptionTarget')) victims.push(e.object);
      if (e.object.metadata.name === 'urgent' && e.object.status?.nominatedNodeName)
        nominated.push(e.object.status.nominatedNodeName);
    });
    h.store.create(types.pods, pod('urgent', podTemplate('urgent', { cpu: '600m' })));

    const urgent = await eventually('urgent bound after preemption', () => {
      const p = getPod(h, 'urgent');
      return p?.spec.nodeName && p;
    });
    const victim = victims[0];
    assert.ok(victim, 'a buffer pod was marked as a disruption target');
    assert.deepEqual([...new Set(nominated)], [urgent.spec.nodeName]);
    assert.equal(victim.metadata.labels?.app, 'buffer');
    assert.equal(victim.spec.nodeName, urgent.spec.nodeName);
    assert.equal(condition(victim, 'DisruptionTarget')?.reason, 'PreemptionByScheduler');
    const preempted = eventsFor(h.store, victim.metadata.name as string, 'Preempted');
    assert.equal(
      preempted[0]?.message,
      `Preempted by pod ${urgent.metadata.uid} on node ${urgent.spec.nodeName}`,
    );
    // The buffer Deployment recreates its pod, which now waits: it may not preempt the higher-priority pod.
    await eventually('the replacement buffer pod Pending', () =>
      podsOf(h.store, 'buffer').some(
        (p) => !p.spec.nodeName && condition(p, 'PodScheduled')?.reason === 'Unschedulable',
      ),
    );
  });

  it('honours taints, unschedulable nodes, tolerations and node selectors', async () => {
    const h = startControllers([new Scheduler()], {
      nodes: [
        node('node-1', '2', '4Gi', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
        { ...node('node-2'), spec: { unschedulable: true } },
        node('node-3', '2', '4Gi', { labels: { disk: 'hdd' } }),
      ],
    });
    h.store.create(
      types.pods,
      pod('plain', podTemplate('plain', { spec: { nodeSelector: { disk: 'ssd' } } })),
    );
    assert.equal(
      await eventually('plain unschedulable', () => unschedulableMessage(h, 'plain')),
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    h.store.create(
      types.pods,
      pod(
        'tolerant',
        podTemplate('tolerant', {
          spec: {
            tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
            nodeSelector: { 'kubernetes.io/hostname': 'node-1' },
          },
        }),
      ),
    );
    await eventually(
      'tolerant pod on the tainted node',
      () => getPod(h, 'tolerant')?.spec.nodeName === 'node-1',
    );
    h.store.create(
      types.pods,
      pod(
        'affine',
        podTemplate('affine', {
          spec: {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    { matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd', 'ssd'] }] },
                  ],
                },
              },
            },
          },
        }),
      ),
    );
    await eventually('affine pod on node-3', () => getPod(h, 'affine')?.spec.nodeName === 'node-3');
  });

  it('spreads pods over zones within maxSkew (DoNotSchedule)', async () => {
    const h = startControllers(coreControllers(), {
      nodes: [
        node('a-1', '8', '16Gi', { labels: { [zoneLabel]: 'a' } }),
        node('a-2', '8', '16Gi', { labels: { [zoneLabel]: 'a' } }),
        node('a-3', '8', '16Gi', { labels: { [zoneLabel]: 'a' } }),
        node('b-1', '8', '16Gi', { labels: { [zoneLabel]: 'b' } }),
        node('c-1', '8', '16Gi', { labels: { [zoneLabel]: 'c' } }),
      ],
    });
    const spread = {
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: zoneLabel,
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'zonal' } },
        },
      ],
    };
    h.store.create(
      types.deployments,
      deployment('zonal', 6, podTemplate('zonal', { cpu: '100m', spec: spread })),
    );
    await eventually(
      'six pods bound',
      () => podsOf(h.store, 'zonal').filter((p) => p.spec.nodeName).length === 6,
    );
    const perZone = new Map<string, number>();
    for (const p of podsOf(h.store, 'zonal')) {
      const zone = p.spec.nodeName.split('-')[0];
      perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(perZone), { a: 2, b: 2, c: 2 });
  });
});
