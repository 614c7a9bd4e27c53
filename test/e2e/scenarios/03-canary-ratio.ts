import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ControlPlaneKind } from '../../../simulator/cluster.js';
import { gate, runScenario, runScenarioCli } from '../scenario-support.js';

/** Scenario 3 on one control plane; each plane has a test file of its own, so each gets the whole per-file time-out. */
export function scenario3(controlPlane: ControlPlaneKind): void {
  describe(`scenario 3 (${controlPlane} control plane): canary by replica ratio 3:1, HPA CPU 80 %`, {
    concurrency: true,
  }, () => {
    it('a canary costing twice the CPU per request fails canary-versus-stable and is rolled back', async () => {
      const result = await runScenario({
        controlPlane,
        env: '03-canary-ratio/canary-ratio.yaml',
        image: 'shop/web:1.5.0-cpu2x',
        namespace: 'shop',
        service: 'web',
      });
      console.error(`[${controlPlane}] scenario 3 (regressed): ${result.outcome} in ${result.seconds} s`);
      assert.equal(result.outcome, 'rolled-back');
      const compared = gate(result, 'canary-median');
      assert.equal(compared.status, 'fail', compared.reason);
      assert.ok(Number(compared.observed.ratio) > 1.3, JSON.stringify(compared.observed));
      assert.equal(gate(result, 'errors').status, 'pass');
      assert.equal(result.steps[0]?.weight, 25, 'one canary pod next to three stable pods');
    });

    it('a good canary passes and is promoted (through the scalegate verify command)', async () => {
      const out = await mkdtemp(join(tmpdir(), 'scalegate-verify-'));
      try {
        const run = await runScenarioCli(
          {
            controlPlane,
            env: '03-canary-ratio/canary-ratio.yaml',
            image: 'shop/web:1.5.0',
            namespace: 'shop',
            service: 'web',
          },
          out,
        );
        console.error(`[${controlPlane}] scenario 3 (good, CLI): exit ${run.code} in ${run.seconds} s`);
        assert.equal(run.code, 0, `${run.stdout}\n${run.stderr.slice(-3000)}`);
        assert.match(run.stdout, /shop\/web:1\.5\.0: promoted: all 1 step\(s\) passed/);
        const verdict = JSON.parse(await readFile(join(out, 'verdict.json'), 'utf8'));
        assert.equal(verdict.schemaVersion, 'scalegate.dev/verdict/v2');
        const compared = verdict.gates.find((g: { name: string }) => g.name === 'canary-median');
        assert.equal(compared.status, 'pass', compared.reason);
        assert.ok(compared.observed.ratio <= 1.3);
        assert.match(await readFile(join(out, 'report.html'), 'utf8'), /<figure data-chart="latency">/);
      } finally {
        await rm(out, { recursive: true, force: true });
      }
    });
  });
}
