import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../e2e/scenario-support.js';

// The demo on a real control plane takes about two minutes on its own. node:test applies --test-timeout to each file
// as a whole (npm test gives each file 300 s), so this file holds only the demo and a quick check; the suite's own
// limits bound its tests when the file runs alone.
describe('scalegate with --control-plane kubernetes', { timeout: 600_000 }, () => {
  it('says in one line how to build the binaries when they are missing', async () => {
    const result = await runCli(['sim', 'up', '--control-plane', 'kubernetes'], 60_000, {
      ...process.env,
      SCALEGATE_KUBE_BIN: join(tmpdir(), 'scalegate-no-such-bin'),
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^scalegate: the kubernetes control plane is not built \(kube-apiserver, .* missing in .*\): run `npm run build:kube` .*\n$/,
    );
  });

  // Three verify runs on the real control plane take about two minutes on an idle machine: more than the suite's default.
  it('demo reaches the same verdicts as on the built-in control plane, scalegate running as its ServiceAccount', {
    timeout: 420_000,
  }, async () => {
    const out = await mkdtemp(join(tmpdir(), 'scalegate-kube-demo-'));
    try {
      const demo = await runCli(['demo', '--control-plane', 'kubernetes', '--out', out], 400_000);
      assert.equal(demo.code, 0, `${demo.stdout}\n${demo.stderr.slice(-3000)}`);
      assert.match(demo.stdout, /ok {3}shop\/web:1\.5\.0: promoted \(expected promoted\)/);
      assert.match(demo.stdout, /ok {3}shop\/web:1\.6\.0-cpu2x: rolled-back \(expected rolled-back\)/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
