import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { isPodReady } from '../../simulator/controllers/objects.js';
import type { KubeObject } from '../../simulator/store/types.js';
import { eventually } from '../support/eventually.js';
import {
  condition,
  coreControllers,
  deployment,
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

function getDeployment(h: Harness, name: string): KubeObject | undefined {
  return h.store.tryGet(types.deployments, 'default', name);
}

function replicaSets(h: Harness, app: string): KubeObject[] {
  return h.store
    .list(types.replicaSets, { namespace: 'default' })
    .items.filter((rs) => rs.metadata.labels?.app === app);
}

function rolledOut(h: Harness, name: string, replicas: number) {
  const d = getDeployment(h, name);
  const s = d?.status ?? {};
  return (
    s.observedGeneration === d?.metadata.generation &&
    s.updatedReplicas === replicas &&
    s.availableReplicas === replicas &&
    (s.replicas ?? 0) === replicas &&
    condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable' &&
    d
  );
}

function updateTemplate(h: Harness, name: string, change: (d: KubeObject) => void): void {
  const d = h.store.get(types.deployments, 'default', name);
  change(d);
  h.store.update(types.deployments, d);
}

describe('Deployment and ReplicaSet controllers', () => {
  it('rolls a Deployment out to all Ready pods with revision, owner references and conditions', async () => {
    const h = startControllers(coreControllers(), { nodes: [node('node-1'), node('node-2')] });
    h.store.create(
      types.deployments,
      deployment('web', 3, podTemplate('web', { cpu: '100m', readinessDelay: 0 })),
    );
    const d = await eventually('web rolled out', () => rolledOut(h, 'web', 3));

    assert.equal(condition(d, 'Available')?.status, 'True');
    assert.equal(condition(d, 'Available')?.reason, 'MinimumReplicasAvailable');
    assert.equal(condition(d, 'Available')?.message, 'Deployment has minimum availability.');
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    const [rs] = replicaSets(h, 'web');
    assert.ok(rs);
    const hash = rs.metadata.labels?.['pod-template-hash'];
    assert.match(hash ?? '', /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.equal(
      condition(d, 'Progressing')?.message,
      `ReplicaSet "web-${hash}" has successfully progressed.`,
    );
    assert.equal(rs.spec.selector.matchLabels['pod-template-hash'], hash);
    assert.deepEqual(
      {
        replicas: rs.status.replicas,
        ready: rs.status.readyReplicas,
        available: rs.status.availableReplicas,
      },
      { replicas: 3, ready: 3, available: 3 },
    );
    const pods = podsOf(h.store, 'web');
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.match(p.metadata.name as string, new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      assert.deepEqual(
        p.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.controller]),
        [['ReplicaSet', rs.metadata.name, true]],
      );
      assert.equal(p.status.phase, 'Running');
      assert.ok(isPodReady(p));
      assert.ok(p.status.podIP && p.status.startTime);
    }
    assert.ok(
      eventsFor(h.store, 'web', 'ScalingReplicaSet').some(
        (e) => e.message === `Scaled up replica set web-${hash} from 0 to 3`,
      ),
    );

    updateTemplate(h, 'web', (x) => {
      x.spec.replicas = 1;
    });
    await eventually('scaled in to 1', () => podsOf(h.store, 'web').length === 1 && rolledOut(h, 'web', 1));
    assert.equal(
      replicaSets(h, 'web')[0]?.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'],
      '1',
    );
  });

  it('keeps every step of a rolling update within maxSurge and maxUnavailable', async () => {
    const h = startControllers(coreControllers(), { nodes: [node('node-1', '4'), node('node-2', '4')] });
    const template = podTemplate('api', { cpu: '100m', readinessDelay: 1 });
    h.store.create(
      types.deployments,
      deployment('api', 4, template, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      }),
    );
    await eventually('initial rollout', () => rolledOut(h, 'api', 4), { timeoutMs: 30_000 });

    const violations: string[] = [];
    let maxSpec = 0;
    let minReady = Number.POSITIVE_INFINITY;
    const unsubscribe = h.store.subscribe(() => {
      const specSum = replicaSets(h, 'api').reduce((s, rs) => s + (rs.spec.replicas ?? 0), 0);
      const ready = podsOf(h.store, 'api').filter(
        (p) => isPodReady(p) && !p.metadata.deletionTimestamp,
      ).length;
      maxSpec = Math.max(maxSpec, specSum);
      minReady = Math.min(minReady, ready);
      if (specSum > 5) violations.push(`replica sets ask for ${specSum} pods (> 4 + maxSurge 1)`);
      if (ready < 3) violations.push(`only ${ready} ready pods (< 4 - maxUnavailable 1)`);
    });
    updateTemplate(h, 'api', (d) => {
      d.spec.template.spec.containers[0].image = 'registry.local/app:2.0';
    });
    const d = await eventually(
      'rolling update to revision 2',
      () => {
        const x = rolledOut(h, 'api', 4);
        return (
          x &&
          x.metadata.annotations?.['deployment.kubernetes.io/revision'] === '2' &&
          podsOf(h.store, 'api').length === 4 &&
          x
        );
      },
      { timeoutMs: 40_000 },
    );
    unsubscribe();

    assert.deepEqual(violations, []);
    assert.equal(maxSpec, 5, 'the rollout used its surge');
    assert.equal(minReady, 3, 'the rollout used its unavailability budget');
    const sets = replicaSets(h, 'api');
    assert.equal(sets.length, 2);
    const old = sets.find((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '1');
    assert.equal(old?.spec.replicas, 0);
    for (const p of podsOf(h.store, 'api'))
      assert.equal(p.spec.containers[0].image, 'registry.local/app:2.0');
    assert.equal(d.status.updatedReplicas, 4);
  });

  it('marks a rollout that cannot progress with ProgressDeadlineExceeded', async () => {
    const h = startControllers(coreControllers(), { nodes: [node('node-1')] });
    h.store.create(
      types.deployments,
      deployment('stuck', 2, podTemplate('stuck', { image: 'registry.local/app:crash' }), {
        progressDeadlineSeconds: 2,
      }),
    );
    const d = await eventually(
      'progress deadline',
      () => {
        const x = getDeployment(h, 'stuck');
        return condition(x, 'Progressing')?.reason === 'ProgressDeadlineExceeded' && x;
      },
      { timeoutMs: 30_000 },
    );
    const rs = replicaSets(h, 'stuck')[0];
    assert.equal(condition(d, 'Progressing')?.status, 'False');
    assert.equal(
      condition(d, 'Progressing')?.message,
      `ReplicaSet "${rs?.metadata.name}" has timed out progressing.`,
    );
    assert.equal(condition(d, 'Available')?.status, 'False');
    assert.equal(condition(d, 'Available')?.reason, 'MinimumReplicasUnavailable');
    assert.equal(d.status.unavailableReplicas, 2);
  });

  it('Recreate stops every old pod before the new ReplicaSet starts any', async () => {
    const h = startControllers(coreControllers(), { nodes: [node('node-1')] });
    h.store.create(
      types.deployments,
      deployment('batch', 2, podTemplate('batch'), { strategy: { type: 'Recreate' } }),
    );
    await eventually('initial rollout', () => rolledOut(h, 'batch', 2));
    let overlap = false;
    const unsubscribe = h.store.subscribe(() => {
      const images = new Set(podsOf(h.store, 'batch').map((p) => p.spec.containers[0].image));
      if (images.size > 1) overlap = true;
    });
    updateTemplate(h, 'batch', (d) => {
      d.spec.template.spec.containers[0].image = 'registry.local/app:2.0';
    });
    await eventually(
      'recreate rollout',
      () =>
        rolledOut(h, 'batch', 2) &&
        podsOf(h.store, 'batch').every((p) => p.spec.containers[0].image.endsWith(':2.0')),
    );
    unsubscribe();
    assert.equal(overlap, false);
  });

  it('holds a paused rollout, still scales it, and continues on resume', async () => {
    const h = startControllers(coreControllers(), { nodes: [node('node-1')] });
    h.store.create(types.deployments, deployment('held', 1, podTemplate('held')));
    await eventually('initial rollout', () => rolledOut(h, 'held', 1));
    updateTemplate(h, 'held', (d) => {
      d.spec.paused = true;
    });
    await eventually(
      'paused condition',
      () => condition(getDeployment(h, 'held'), 'Progressing')?.reason === 'DeploymentPaused',
    );
    updateTemplate(h, 'held', (d) => {
      d.spec.template.spec.containers[0].image = 'registry.local/app:2.0';
      d.spec.replicas = 2;
    });
    await eventually(
      'scaled while paused',
      () => podsOf(h.store, 'held').length === 2 && getDeployment(h, 'held')?.status?.availableReplicas === 2,
    );
    assert.equal(replicaSets(h, 'held').length, 1, 'no new ReplicaSet while paused');
    assert.deepEqual(
      [
        condition(getDeployment(h, 'held'), 'Progressing')?.status,
        condition(getDeployment(h, 'held'), 'Progressing')?.message,
      ],
      ['Unknown', 'Deployment is paused'],
    );
    updateTemplate(h, 'held', (d) => {
      d.spec.paused = false;
    });
    await eventually(
      'rollout after resume',
      () =>
        rolledOut(h, 'held', 2) &&
        podsOf(h.store, 'held').every((p) => p.spec.containers[0].image.endsWith(':2.0')),
    );
    assert.ok(
      h.changes.some(
        (c) =>
          c.object.metadata.name === 'held' &&
          condition(c.object, 'Progressing')?.reason === 'DeploymentResumed',
      ),
    );
  });

  it('keeps only revisionHistoryLimit old ReplicaSets', async () => {
    const h = startControllers(coreControllers(), { nodes: [node('node-1')] });
    h.store.create(
      types.deployments,
      deployment('hist', 1, podTemplate('hist'), { revisionHistoryLimit: 1 }),
    );
    for (const version of ['2', '3']) {
      await eventually(
        `revision before ${version}`,
        () => rolledOut(h, 'hist', 1) && podsOf(h.store, 'hist').length === 1,
      );
      updateTemplate(h, 'hist', (d) => {
        d.spec.template.spec.containers[0].image = `registry.local/app:${version}`;
      });
    }
    await eventually(
      'history pruned to one old ReplicaSet',
      () =>
        getDeployment(h, 'hist')?.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3' &&
        rolledOut(h, 'hist', 1) &&
        replicaSets(h, 'hist').length === 2,
    );
    const revisions = replicaSets(h, 'hist')
      .map((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'])
      .sort();
    assert.deepEqual(revisions, ['2', '3']);
  });

  it('garbage-collects ReplicaSets and pods of a deleted Deployment, in background and foreground', async () => {
    const h = startControllers(coreControllers(), { nodes: [node('node-1')] });
    h.store.create(types.deployments, deployment('gone', 2));
    h.store.create(types.deployments, deployment('fg', 1, podTemplate('fg')));
    await eventually('rollouts', () => rolledOut(h, 'gone', 2) && rolledOut(h, 'fg', 1));

    h.store.delete(types.deployments, 'default', 'gone');
    await eventually(
      'dependents of gone',
      () => replicaSets(h, 'gone').length === 0 && podsOf(h.store, 'gone').length === 0,
    );

    const fg = h.store.get(types.deployments, 'default', 'fg');
    h.store.update(types.deployments, {
      ...fg,
      metadata: { ...fg.metadata, finalizers: ['foregroundDeletion'] },
    });
    h.store.delete(types.deployments, 'default', 'fg');
    assert.ok(getDeployment(h, 'fg')?.metadata.deletionTimestamp, 'the owner waits for its dependents');
    await eventually('foreground deletion of fg', () => !getDeployment(h, 'fg'));
    assert.equal(replicaSets(h, 'fg').length, 0);
    assert.equal(podsOf(h.store, 'fg').length, 0);
  });
});
