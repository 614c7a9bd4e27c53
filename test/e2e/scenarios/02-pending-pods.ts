import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControlPlaneKind } from '../../../simulator/cluster.js';
import { gate, runScenario, type ScenarioRun } from '../scenario-support.js';

// Small nodes: 1 CPU holds two pods of 400m.
const smallNodes = { nodes: 3, nodeCpu: '1', nodeMemory: '4Gi' };
const nodeGroup = { name: 'pool', min: 0, max: 6, provisionSeconds: 8 };

/** One run of the capacity service, its pending gate's figures logged under `label`. */
async function runCapacity(
  controlPlane: ControlPlaneKind,
  label: string,
  env: string,
  cluster: ScenarioRun['cluster'],
) {
  const result = await runScenario({
    controlPlane,
    env: `02-pending-pods/${env}`,
    image: 'shop/api:2.1.0',
    namespace: 'capacity',
    service: 'api',
    cluster,
  });
  console.error(`[${controlPlane}] scenario 2 (${label}): ${result.outcome} in ${result.seconds} s`);
  console.error(`  longest pending: ${JSON.stringify(gate(result, 'no-stuck-pods').observed)}`);
  return result;
}

/** Scenario 2 on one control plane; each plane has a test file of its own, so each gets the whole per-file time-out. */
export function scenario2(controlPlane: ControlPlaneKind): void {
  describe(`scenario 2 (${controlPlane} control plane): requests == limits (400m), HPA CPU 50 %, small nodes`, {
    concurrency: true,
  }, () => {
    it('without spare capacity: pods stay Pending, the gate fails as a capacity problem, rolled back', async () => {
      const result = await runCapacity(controlPlane, 'no spare capacity', 'capacity.yaml', smallNodes);
      assert.equal(result.outcome, 'rolled-back');
      const pending = gate(result, 'no-stuck-pods');
      assert.equal(pending.status, 'fail', pending.reason);
      assert.equal(pending.observed.cause, 'capacity');
      assert.match(pending.reason, /capacity/);
    });

    it('with a cluster-autoscaler node group: the pods are scheduled within the limit, promoted', async () => {
      const result = await runCapacity(controlPlane, 'node group', 'capacity.yaml', {
        ...smallNodes,
        nodeGroups: [nodeGroup],
      });
      assert.equal(result.outcome, 'promoted', result.reason);
      const pending = gate(result, 'no-stuck-pods');
      assert.equal(pending.status, 'pass', pending.reason);
      // Pods did wait for the new nodes: longer than the buffered variant's limit, shorter than this one's.
      assert.ok(Number(pending.observed.maxPending) > 0, JSON.stringify(pending.observed));
      assert.ok(Number(pending.observed.longestPendingSeconds) > 5, JSON.stringify(pending.observed));
    });

    it('with low-priority buffer pods: the longest pending time drops below the 5 s limit, promoted', async () => {
      const result = await runCapacity(controlPlane, 'buffer pods', 'buffered.yaml', {
        ...smallNodes,
        nodeGroups: [nodeGroup],
      });
      const pending = gate(result, 'no-stuck-pods');
      assert.equal(pending.status, 'pass', `${pending.reason} ${JSON.stringify(pending.observed)}`);
      assert.ok(Number(pending.observed.longestPendingSeconds) < 5, JSON.stringify(pending.observed));
      assert.equal(result.outcome, 'promoted', result.reason);
    });
  });
}
