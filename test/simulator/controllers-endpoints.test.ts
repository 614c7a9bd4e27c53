import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { EndpointsController } from '../../simulator/controllers/endpoints.js';
import { eventually } from '../support/eventually.js';
import {
  coreControllers,
  deployment,
  type Harness,
  node,
  podsOf,
  podTemplate,
  startControllers,
  stopHarnesses,
  types,
} from './controllers-fixtures.js';

interface Subset {
  addresses?: Array<{ ip: string; targetRef: { name: string } }>;
  notReadyAddresses?: unknown[];
  ports: unknown[];
}

const subsetsOf = (h: Harness): Subset[] | undefined =>
  h.store.tryGet(types.endpoints, 'default', 'web')?.subsets as Subset[] | undefined;

afterEach(stopHarnesses);

describe('endpoints controller', () => {
  it('publishes ready pods as Endpoints and an EndpointSlice, and follows scaling and deletion', async () => {
    const h = startControllers([...coreControllers(), new EndpointsController()], {
      nodes: [node('node-1')],
    });
    const template = podTemplate('web');
    template.spec.containers[0] = {
      ...template.spec.containers[0],
      ports: [{ name: 'http', containerPort: 8080 }],
    } as (typeof template.spec.containers)[0];
    h.store.create(types.deployments, deployment('web', 2, template));
    h.store.create(types.services, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        selector: { app: 'web' },
        ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      },
    });
    const subsets = await eventually('two ready addresses', () => {
      const found = subsetsOf(h);
      return found?.[0]?.addresses?.length === 2 && found;
    });
    const subset = subsets[0]!;
    assert.deepEqual(subset.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const pods = podsOf(h.store, 'web');
    assert.deepEqual(
      subset.addresses?.map((a) => [a.ip, a.targetRef.name]).sort(),
      pods.map((p) => [p.status.podIP, p.metadata.name]).sort(),
    );
    const slice = h.store.list(types.endpointSlices, { namespace: 'default' }).items[0];
    assert.equal(slice?.metadata.labels?.['kubernetes.io/service-name'], 'web');
    assert.deepEqual(
      ((slice?.endpoints ?? []) as Array<{ conditions: { ready: boolean } }>).map((e) => e.conditions.ready),
      [true, true],
    );

    const d = h.store.get(types.deployments, 'default', 'web');
    h.store.update(types.deployments, { ...d, spec: { ...d.spec, replicas: 1 } });
    await eventually('one address after scaling in', () => {
      const found = subsetsOf(h);
      return found?.length === 1 && found[0]?.addresses?.length === 1 && !found[0].notReadyAddresses;
    });

    h.store.delete(types.services, 'default', 'web');
    await eventually(
      'endpoints and slice removed with the service',
      () =>
        !h.store.tryGet(types.endpoints, 'default', 'web') &&
        h.store.list(types.endpointSlices).items.length === 0,
    );
  });
});
