import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControlPlaneKind } from '../../../simulator/cluster.js';
import { gate, runScenario } from '../scenario-support.js';

/** Scenario 1 on one control plane; each plane has a test file of its own, so each gets the whole per-file time-out. */
export function scenario1(controlPlane: ControlPlaneKind): void {
  describe(`scenario 1 (${controlPlane} control plane): HPA on CPU at 25 %, min 3, max 10`, () => {
    it('scales to 10 under load and back to 3 after, and the canary is promoted', async () => {
      const result = await runScenario({
        controlPlane,
        env: '01-hpa-cpu/hpa-cpu.yaml',
        image: 'shop/web:1.1.0',
        namespace: 'hpa-cpu',
        service: 'web',
      });
      console.error(
        `[${controlPlane}] scenario 1: ${result.outcome} in ${result.seconds} s: ${result.reason}`,
      );
      assert.equal(result.outcome, 'promoted', result.reason);
      const scaled = gate(result, 'scales-to-10');
      assert.equal(scaled.status, 'pass', scaled.reason);
      assert.equal(scaled.observed.peakReplicas, 10);
      const back = gate(result, 'back-to-3');
      assert.equal(back.status, 'pass', back.reason);
      assert.match(back.reason, /result 3 meets the success condition/);
    });
  });
}
