import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  type QueryResult,
  runKubectlConformance,
  runQueryConformance,
} from '../../scripts/conformance/run.js';
import type { CaseResult } from '../../scripts/conformance/run-kubectl.js';

/**
 * The conformance matrix's expectations hold on the real control plane, the reference they are checked against
 * (`npm run conformance -- --control-plane kubernetes`): every everyday kubectl command but `exec` (the simulated
 * nodes' kubelets run no process to exec into) and every kubernetes-mixin query. A failure here means an
 * expectation describes something a real server does not do.
 */
describe('the conformance expectations against the real control plane', () => {
  let commands: CaseResult[] = [];
  let queries: QueryResult[] = [];

  // Runs in a hook: the matrix takes minutes on the real control plane, past the runner's per-test timeout.
  before(
    async () => {
      commands = await runKubectlConformance({ controlPlane: 'kubernetes' });
      queries = await runQueryConformance({ controlPlane: 'kubernetes' });
    },
    { timeout: 900_000 },
  );

  it('answers every everyday kubectl command as expected but exec', () => {
    const misses = commands
      .filter((c) => !c.conforms)
      .map((c) => `kubectl ${c.args}: ${c.output.split('\n')[0]}`);
    assert.ok(commands.length >= 146, `${commands.length} commands run`);
    assert.deepEqual(
      misses.map((m) => m.split(':')[0]),
      ['kubectl exec once -n demo -- true'],
      misses.join('\n'),
    );
  });

  it('returns series for every kubernetes-mixin query', () => {
    const misses = queries.filter((q) => !q.conforms).map((q) => `${q.source}: ${q.error ?? 'no series'}`);
    assert.ok(queries.length >= 32, `${queries.length} queries run`);
    assert.deepEqual(misses, []);
  });
});
