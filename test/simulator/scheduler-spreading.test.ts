import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ControlPlaneKind, startCluster } from '../../simulator/cluster.js';
import { kubectl, kubectlUntil } from './cluster-kubectl-fixtures.js';

/**
 * Pods without requests, placed by the built-in scheduler and by the real kube-scheduler 1.34 over the same four
 * nodes (zones a, b, c, a): a Deployment's replicas spread by the system-default topology constraints, bare pods by
 * LeastAllocated's non-zero requests. Upstream breaks ties at random, so the test compares how many pods each node
 * and zone holds, not which node holds which pod.
 */

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: spread}
spec:
  replicas: 8
  selector: {matchLabels: {app: spread}}
  template:
    metadata: {labels: {app: spread}}
    spec:
      containers: [{name: app, image: nginx:1.27}]
`;

interface Placement {
  /** Pods per node of the Deployment, largest first. */
  replicasPerNode: number[];
  replicasPerZone: Record<string, number>;
  /** How many distinct nodes the three bare pods landed on. */
  bareNodes: number;
}

async function placement(controlPlane: ControlPlaneKind): Promise<Placement> {
  const cluster = await startCluster({ controlPlane, nodes: 4 });
  try {
    const env = { ...process.env, KUBECONFIG: cluster.kubeconfig };
    const applied = await kubectl(env, ['apply', '-f', '-'], deployment);
    assert.equal(applied.code, 0, applied.stderr);
    await kubectlUntil(
      env,
      ['get', 'pods', '-l', 'app=spread', '-o', 'jsonpath={range .items[*]}{.spec.nodeName} {end}'],
      /^(\S+ ){8}$/,
      120_000,
    );
    for (const name of ['bare-0', 'bare-1', 'bare-2']) {
      const run = await kubectl(env, ['run', name, '--image=nginx:1.27']);
      assert.equal(run.code, 0, run.stderr);
    }
    await kubectlUntil(
      env,
      ['get', 'pods', '-l', 'run', '-o', 'jsonpath={range .items[*]}{.spec.nodeName} {end}'],
      /^(\S+ ){3}$/,
      120_000,
    );
    const pods = JSON.parse((await kubectl(env, ['get', 'pods', '-o', 'json'])).stdout).items as Array<{
      metadata: { name: string; labels?: Record<string, string> };
      spec: { nodeName: string };
    }>;
    const nodes = JSON.parse((await kubectl(env, ['get', 'nodes', '-o', 'json'])).stdout).items as Array<{
      metadata: { name: string; labels: Record<string, string> };
    }>;
    const zoneOf = new Map(
      nodes.map((n) => [n.metadata.name, n.metadata.labels['topology.kubernetes.io/zone']]),
    );
    const perNode = new Map<string, number>();
    const perZone: Record<string, number> = {};
    for (const pod of pods.filter((p) => p.metadata.labels?.app === 'spread')) {
      perNode.set(pod.spec.nodeName, (perNode.get(pod.spec.nodeName) ?? 0) + 1);
      const zone = zoneOf.get(pod.spec.nodeName) ?? '';
      perZone[zone] = (perZone[zone] ?? 0) + 1;
    }
    const bare = pods.filter((p) => p.metadata.name.startsWith('bare-')).map((p) => p.spec.nodeName);
    return {
      replicasPerNode: [...perNode.values()].sort((a, b) => b - a),
      replicasPerZone: perZone,
      bareNodes: new Set(bare).size,
    };
  } finally {
    await cluster.stop();
  }
}

describe('scheduling pods without requests', () => {
  it('spreads them over nodes and zones as the real kube-scheduler does', async () => {
    const builtin = await placement('builtin');
    assert.deepEqual(builtin, {
      replicasPerNode: [2, 2, 2, 2],
      replicasPerZone: { a: 4, b: 2, c: 2 },
      bareNodes: 3,
    });
    assert.deepEqual(await placement('kubernetes'), builtin, 'the real control plane places them alike');
  });
});
