import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runConformance } from '../../scripts/conformance/run.js';

/**
 * The conformance run (npm run conformance) as a test: the shares of everyday kubectl commands and of upstream
 * kubernetes-mixin queries that answer as on a real cluster must not fall below what the local cluster reached
 * (README quotes them): 144 of 145 commands (all but `kubectl exec`, which needs a container process) and all 32
 * queries.
 */
describe('conformance with real kubectl and a real Prometheus', () => {
  it('keeps the everyday-kubectl and kubernetes-mixin shares', async () => {
    const report = await runConformance();
    const misses = [
      ...report.kubectl
        .filter((c) => !c.conforms)
        .map((c) => `kubectl ${c.args}: ${c.output.split('\n')[0]}`),
      ...report.queries.filter((q) => !q.conforms).map((q) => `${q.source}: ${q.error ?? 'no series'}`),
    ];
    assert.ok(
      report.kubectlShare >= 144 / 145,
      `kubectl share ${report.kubectlShare}; misses:\n${misses.join('\n')}`,
    );
    assert.ok(
      report.queryShare >= 32 / 32,
      `query share ${report.queryShare}; misses:\n${misses.join('\n')}`,
    );
  });
});
