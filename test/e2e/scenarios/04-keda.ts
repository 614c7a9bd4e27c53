import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControlPlaneKind } from '../../../simulator/cluster.js';
import { gate, runScenario } from '../scenario-support.js';

/** Scenario 4 on one control plane; each plane has a test file of its own, so each gets the whole per-file time-out. */
export function scenario4(controlPlane: ControlPlaneKind): void {
  describe(`scenario 4 (${controlPlane} control plane): KEDA ScaledObject, Prometheus trigger at 100 req/s per pod`, () => {
    it('250 req/s held for a stage takes the canary from 2 pods to 3, and no further', async () => {
      const result = await runScenario({
        controlPlane,
        env: '04-keda-prometheus/keda-prometheus.yaml',
        image: 'shop/api:3.1.0',
        namespace: 'keda',
        service: 'api-canary',
        kedaServerAddress: true,
      });
      console.error(
        `[${controlPlane}] scenario 4: ${result.outcome} in ${result.seconds} s: ${result.reason}`,
      );
      const scaled = gate(result, 'canary-scaled-to-3');
      assert.equal(scaled.status, 'pass', scaled.reason);
      // KEDA's minimum is 2; a canary Deployment created a moment earlier may still show 1 at the window's start.
      assert.ok(Number(scaled.observed.startReplicas) <= 2, JSON.stringify(scaled.observed));
      assert.equal(scaled.observed.peakReplicas, 3);
      assert.equal(gate(result, 'canary-not-beyond-3').status, 'pass');
      assert.equal(gate(result, 'rate-applied').status, 'pass');
      assert.equal(result.outcome, 'promoted', result.reason);
    });
  });
}
