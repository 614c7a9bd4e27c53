import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../simulator/store/errors.js';
import { ResourceRegistry } from '../../simulator/store/resources.js';
import { parseLabelSelector } from '../../simulator/store/selectors.js';
import { ObjectStore, type StoreEvent } from '../../simulator/store/store.js';

const registry = new ResourceRegistry();
const deployments = registry.byKind('apps/v1', 'Deployment')!;
const pods = registry.byKind('v1', 'Pod')!;

function deployment(name: string, replicas = 1) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop', labels: { app: name } },
    spec: { replicas },
  };
}

describe('ObjectStore', () => {
  it('assigns identity on create and rejects a duplicate name with 409 AlreadyExists', () => {
    const store = new ObjectStore(registry);
    const created = store.create(deployments, deployment('web'));
    assert.match(created.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(created.metadata.generation, 1);
    assert.equal(created.metadata.resourceVersion, '1');
    assert.throws(
      () => store.create(deployments, deployment('web')),
      (e: unknown) => e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists',
    );
  });

  it('raises generation only on spec changes and refuses stale resourceVersions with 409 Conflict', () => {
    const store = new ObjectStore(registry);
    const v1 = store.create(deployments, deployment('web'));
    const v2 = store.update(deployments, { ...v1, spec: { replicas: 3 } });
    assert.equal(v2.metadata.generation, 2);
    const v3 = store.update(deployments, {
      ...v2,
      metadata: { ...v2.metadata, labels: { app: 'web', x: 'y' } },
    });
    assert.equal(v3.metadata.generation, 2);
    assert.throws(
      () => store.update(deployments, { ...v1, spec: { replicas: 5 } }),
      (e: unknown) => e instanceof ApiError && e.code === 409 && e.reason === 'Conflict',
    );
    const status = store.update(deployments, { ...v3, status: { replicas: 3 } }, { subresource: 'status' });
    assert.equal(status.metadata.generation, 2);
    assert.deepEqual(status.status, { replicas: 3 });
  });

  it('lists by label selector and replays a watch from a resourceVersion, answering 410 once compacted', () => {
    const store = new ObjectStore(registry, { historySize: 3 });
    store.create(deployments, deployment('web'));
    const api = store.create(deployments, deployment('api'));
    store.create(deployments, deployment('db'));
    const { items } = store.list(deployments, { labelSelector: parseLabelSelector('app in (web,db)') });
    assert.deepEqual(
      items.map((i) => i.metadata.name),
      ['db', 'web'],
    );
    const seen: StoreEvent[] = [];
    const stop = store.watch(
      deployments,
      { sinceResourceVersion: Number(api.metadata.resourceVersion) },
      (e) => seen.push(e),
    );
    store.delete(deployments, 'shop', 'web');
    stop();
    assert.deepEqual(
      seen.map((e) => `${e.type} ${e.object.metadata.name}`),
      ['ADDED db', 'DELETED web'],
    );
    store.create(deployments, deployment('x'));
    store.create(deployments, deployment('y'));
    assert.throws(
      () => store.watch(deployments, { sinceResourceVersion: 1 }, () => {}),
      (e: unknown) => e instanceof ApiError && e.code === 410,
    );
  });

  it('keeps a pod bound to a node until removed, and an object with finalizers until they are cleared', () => {
    const store = new ObjectStore(registry);
    store.create(pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'shop' },
      spec: { nodeName: 'node-1', containers: [] },
    });
    const marked = store.delete(pods, 'shop', 'p');
    assert.ok(marked.metadata.deletionTimestamp);
    assert.equal(marked.metadata.deletionGracePeriodSeconds, 30);
    store.remove(pods, 'shop', 'p');
    assert.equal(store.tryGet(pods, 'shop', 'p'), undefined);

    const withFinalizer = store.create(deployments, {
      ...deployment('f'),
      metadata: { ...deployment('f').metadata, finalizers: ['example.com/hold'] },
    });
    store.delete(deployments, 'shop', 'f');
    const held = store.get(deployments, 'shop', 'f');
    assert.ok(held.metadata.deletionTimestamp);
    store.update(deployments, { ...held, metadata: { ...held.metadata, finalizers: [] } });
    assert.equal(store.tryGet(deployments, 'shop', 'f'), undefined);
    assert.ok(withFinalizer.metadata.uid);
  });
});
