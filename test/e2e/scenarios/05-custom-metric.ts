import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControlPlaneKind } from '../../../simulator/cluster.js';
import { gate, runScenario } from '../scenario-support.js';

// Two small nodes: 1 CPU each holds four pods of 250m.
const twoSmallNodes = { nodes: 2, nodeCpu: '1', nodeMemory: '4Gi' };

/** Scenario 5 on one control plane; each plane has a test file of its own, so each gets the whole per-file time-out. */
export function scenario5(controlPlane: ControlPlaneKind): void {
  describe(`scenario 5 (${controlPlane} control plane): HPA on the Pods metric http_requests_per_second, k6 stages to a peak`, {
    concurrency: true,
  }, () => {
    it('on two small nodes pending pods appear and stay: rolled back for missing capacity', async () => {
      const result = await runScenario({
        controlPlane,
        env: '05-custom-metric/custom-metric.yaml',
        image: 'shop/api:4.1.0',
        namespace: 'custom',
        service: 'api',
        cluster: twoSmallNodes,
      });
      console.error(`[${controlPlane}] scenario 5 (two nodes): ${result.outcome} in ${result.seconds} s`);
      assert.equal(result.outcome, 'rolled-back');
      const pending = gate(result, 'scheduled-in-time');
      assert.equal(pending.status, 'fail', pending.reason);
      assert.ok(Number(pending.observed.maxPending) > 0);
      assert.equal(pending.observed.cause, 'capacity');
    });

    it('with a node group the pods are scheduled: promoted', async () => {
      const result = await runScenario({
        controlPlane,
        env: '05-custom-metric/custom-metric.yaml',
        image: 'shop/api:4.1.0',
        namespace: 'custom',
        service: 'api',
        cluster: { ...twoSmallNodes, nodeGroups: [{ name: 'pool', min: 0, max: 4, provisionSeconds: 8 }] },
      });
      console.error(`[${controlPlane}] scenario 5 (node group): ${result.outcome} in ${result.seconds} s`);
      const pending = gate(result, 'scheduled-in-time');
      assert.equal(pending.status, 'pass', pending.reason);
      assert.ok(Number(pending.observed.maxPending) > 0, 'pending pods appeared before the nodes came');
      assert.equal(gate(result, 'scaled-out').status, 'pass');
      assert.equal(result.outcome, 'promoted', result.reason);
    });
  });
}
