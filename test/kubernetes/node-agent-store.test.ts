/**
 * The node agent's store over the real kube-apiserver: a write to an object deleted meanwhile is dropped quietly,
 * as the kubelet's status manager drops an update to a pod that no longer exists; other refusals are reported.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RealControlPlane, startControlPlane } from '../../simulator/kubernetes/control-plane.js';
import { ApiServerStore } from '../../simulator/kubernetes/remote-store.js';
import { profiles } from '../../simulator/profile.js';
import { ResourceRegistry } from '../../simulator/store/resources.js';
import type { KubeObject } from '../../simulator/store/types.js';
import { eventually } from '../support/eventually.js';

describe('node agent store on the real control plane', () => {
  let dir: string;
  let plane: RealControlPlane | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scalegate-store-'));
    plane = await startControlPlane(dir, profiles.fast);
  });
  after(async () => {
    await plane?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('drops a write to a pod deleted meanwhile, and reports a write the server refuses', async () => {
    const registry = new ResourceRegistry();
    const pods = registry.byKind('v1', 'Pod')!;
    const errors: string[] = [];
    const store = new ApiServerStore(plane!.admin, registry, (message) => errors.push(message));
    await store.start();
    try {
      const pod = (name: string) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default' },
        spec: { containers: [{ name: 'app', image: 'shop/web:1.0.0' }] },
      });
      for (const name of ['gone', 'kept'])
        await plane!.admin.must('POST', '/api/v1/namespaces/default/pods', pod(name));
      const cached = (name: string) => store.list(pods).items.find((p) => p.metadata.name === name);
      await eventually('both pods in the store', () => Boolean(cached('gone') && cached('kept')));
      const stale = cached('gone') as KubeObject;
      await plane!.admin.must('DELETE', '/api/v1/namespaces/default/pods/gone', { gracePeriodSeconds: 0 });
      await eventually('the deletion seen by the store', () => cached('gone') === undefined);

      store.update(pods, { ...stale, status: { phase: 'Running' } }, { subresource: 'status' });
      store.update(pods, stale);
      // A write the server refuses for another reason: a pod's containers cannot be removed.
      store.update(pods, { ...(cached('kept') as KubeObject), spec: { containers: [] } });
    } finally {
      await store.stop();
    }
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0]!, /^PUT \/api\/v1\/namespaces\/default\/pods\/kept: 422 /);
  });
});
