import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { ensureNamespace } from '../../actions/lib/kube/apply.js';
import { renderEnvironment } from '../../actions/lib/render/index.js';
import { loadEnvironment } from '../../actions/lib/settings/index.js';
import { currentWeight, setWeight, type TrafficTarget } from '../../actions/lib/traffic/index.js';
import { startTestCluster, type TestCluster } from '../kube/helpers/cluster.js';
import { writeEnvironments } from '../rollout/helpers/environment.js';
import { forbiddenCalls, rbacRules } from '../rollout/helpers/rbac.js';
import { eventually } from '../support/eventually.js';

const apiVersion = 'split.smi-spec.io/v1alpha4';

interface TrafficSplit {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: { service: string; backends: { service: string; weight: number }[] };
}

/** The TrafficSplit CRD with the v1alpha4 spec's schema (the served version only), as SMI's CRDs declare it. */
const trafficSplitCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'trafficsplits.split.smi-spec.io' },
  spec: {
    group: 'split.smi-spec.io',
    scope: 'Namespaced',
    names: {
      kind: 'TrafficSplit',
      listKind: 'TrafficSplitList',
      plural: 'trafficsplits',
      singular: 'trafficsplit',
    },
    versions: [
      {
        name: 'v1alpha4',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['service', 'backends'],
                properties: {
                  service: { type: 'string' },
                  backends: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['service', 'weight'],
                      properties: { service: { type: 'string' }, weight: { type: 'integer', minimum: 0 } },
                    },
                  },
                  matches: {
                    type: 'array',
                    items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

describe('smi traffic router', () => {
  let cwd: string;
  before(async () => {
    cwd = await writeEnvironments({
      name: 'mesh',
      namespace: 'mesh',
      extra: { canary: { method: 'smi', steps: [{ weight: 20 }, { weight: 60 }] } },
    });
  });
  after(async () => {
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  async function renderSplit(options: Parameters<typeof renderEnvironment>[1]): Promise<TrafficSplit> {
    const loaded = await loadEnvironment('mesh', { cwd });
    const { objects } = await renderEnvironment(loaded, { cwd, ...options });
    const splits = objects.filter((o) => o.kind === 'TrafficSplit') as unknown as TrafficSplit[];
    assert.equal(splits.length, 1);
    return splits[0]!;
  }

  it('renders a TrafficSplit for the root service, weighing web-stable against web-canary', async () => {
    const split = await renderSplit({ canaryWeight: 20 });
    assert.equal(split.apiVersion, apiVersion);
    assert.equal(split.metadata.name, 'web');
    assert.equal(split.metadata.namespace, 'mesh');
    assert.equal(split.metadata.labels?.['scalegate.dev/track'], 'shared');
    assert.deepEqual(split.spec, {
      service: 'web',
      backends: [
        { service: 'web-stable', weight: 80 },
        { service: 'web-canary', weight: 20 },
      ],
    });
    const stableOnly = await renderSplit({ track: 'stable', canaryWeight: 20 });
    assert.deepEqual(stableOnly.spec.backends, [{ service: 'web-stable', weight: 100 }]);
  });

  describe('against the local cluster', () => {
    let cluster: TestCluster;
    before(async () => {
      cluster = await startTestCluster();
    });
    after(async () => {
      await cluster?.stop();
    });

    it('sets and reads the canary weight on the applied TrafficSplit', async () => {
      const client = cluster.client('mesh');
      const target: TrafficTarget = { namespace: 'mesh', environment: 'mesh', service: 'web', method: 'smi' };
      const routerCalls = cluster.proxy.calls.length;
      // Before anything is applied there is nothing to move back; moving traffic to a canary is refused.
      assert.equal(await setWeight(client, target, 0, {}), 0);
      await assert.rejects(setWeight(client, target, 10, {}), /no TrafficSplit in mesh splits to web-canary/);

      const beforeSetup = cluster.proxy.calls.length;
      await client.apply(trafficSplitCrd);
      await ensureNamespace(client, 'mesh');
      const rendered = await renderSplit({ canaryWeight: 0 });
      await eventually('the TrafficSplit kind to be served', () =>
        client.apply(rendered).then(
          () => true,
          () => false,
        ),
      );
      const afterSetup = cluster.proxy.calls.length;
      assert.equal(await currentWeight(client, target), 0);

      assert.equal(await setWeight(client, target, 40, {}), 40);
      const stored = await client.read<TrafficSplit>({
        apiVersion,
        kind: 'TrafficSplit',
        metadata: { name: 'web', namespace: 'mesh' },
      });
      assert.deepEqual(stored?.spec.backends, [
        { service: 'web-stable', weight: 60 },
        { service: 'web-canary', weight: 40 },
      ]);
      assert.equal(stored?.spec.service, 'web');
      assert.equal(await currentWeight(client, target), 40);

      assert.equal(await setWeight(client, target, 0, {}), 0);
      assert.equal(await currentWeight(client, target), 0);
      // What the router itself asked of the API server, the CI Role allows.
      const calls = cluster.proxy.calls;
      const made = [...calls.slice(routerCalls, beforeSetup), ...calls.slice(afterSetup)];
      assert.ok(made.some((c) => c.method === 'PATCH' && c.path.includes('/trafficsplits/web')));
      assert.deepEqual(forbiddenCalls(made, await rbacRules()), []);
    });
  });
});
