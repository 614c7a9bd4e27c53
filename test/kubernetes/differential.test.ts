import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type RunningCluster, startCluster } from '../../simulator/cluster.js';
import { runScenario, type Snapshot } from './differential-scenario.js';

/**
 * The built-in control plane against the real one (kube-apiserver, kube-controller-manager, kube-scheduler and
 * kube-state-metrics v1.34 / 2.19): the same objects applied with real kubectl to both, each settled, then their
 * status and conditions, event reasons and kube-state-metrics series compared. Any difference fails the test unless
 * the allow-list below names it, with why it differs; README's "where the built-in control plane still differs"
 * table lists each entry. Fails, never skips, when the real binaries are not built.
 */

interface Allowed {
  /**
   * Matches a difference line: `status <Kind/name .path>`, `event <Kind Type Reason>`, `metric <series>` or
   * `kubectl <command>: <output>`.
   */
  match: RegExp;
  why: string;
}

/**
 * Empty: every difference the test found has been fixed in the built-in control plane (README's table lists what
 * remains outside what this test compares). An entry added here needs its reason and a row in that table.
 */
const allowed: Allowed[] = [];

/** The difference lines between two snapshots: what one has and the other has not, or has with another value. */
function differences(builtin: Snapshot, real: Snapshot): string[] {
  const lines: string[] = [];
  for (const path of new Set([...builtin.status.keys(), ...real.status.keys()])) {
    const b = builtin.status.get(path);
    const r = real.status.get(path);
    if (b !== r) lines.push(`status ${path}: built-in ${b ?? '(absent)'}, real ${r ?? '(absent)'}`);
  }
  const sets = [
    ['event', builtin.events, real.events],
    ['metric', builtin.metrics, real.metrics],
    ['kubectl', builtin.shown, real.shown],
  ] as const;
  for (const [what, b, r] of sets) {
    for (const x of b) if (!r.has(x)) lines.push(`${what} ${x}: only built-in`);
    for (const x of r) if (!b.has(x)) lines.push(`${what} ${x}: only real`);
  }
  return lines.sort();
}

async function scenarioOn(controlPlane: 'builtin' | 'kubernetes'): Promise<Snapshot> {
  let cluster: RunningCluster | undefined;
  try {
    cluster = await startCluster({ controlPlane, profile: 'fast', nodes: 2 });
    return await runScenario(cluster);
  } finally {
    await cluster?.stop();
  }
}

describe('the built-in control plane against the real one', () => {
  let all: string[] = [];

  // One cluster after the other (two at once would starve each other of the two cores and skew what settles); a
  // hook, not a test, so that the runner's per-test timeout bounds each comparison and not the two clusters' runs.
  before(
    async () => {
      const builtin = await scenarioOn('builtin');
      const real = await scenarioOn('kubernetes');
      // Two empty snapshots would compare equal: each must have seen the objects, their events and their series.
      for (const [name, s] of [
        ['built-in', builtin],
        ['real', real],
      ] as const) {
        assert.ok(s.status.size > 50, `${name}: ${s.status.size} status fields`);
        assert.ok(s.events.size > 10, `${name}: ${s.events.size} event reasons`);
        assert.ok(s.metrics.size > 100, `${name}: ${s.metrics.size} kube-state-metrics series`);
      }
      all = differences(builtin, real);
    },
    { timeout: 600_000 },
  );

  const unexplained = (prefix: string) =>
    all.filter((line) => line.startsWith(`${prefix} `) && !allowed.some((a) => a.match.test(line)));

  for (const [prefix, what] of [
    ['status', 'the same status fields and conditions (type, status, reason)'],
    ['event', 'the same event reasons, by kind of involved object'],
    ['metric', 'the same kube-state-metrics families, label sets and stability'],
    ['kubectl', 'the same pod log and StorageClasses through kubectl'],
  ] as const) {
    it(`gives ${what}`, () => {
      const lines = unexplained(prefix);
      assert.deepEqual(lines, [], `differences not in the allow-list:\n${lines.join('\n')}`);
    });
  }

  it('has no allow-list entry that matches no difference any more (a fixed difference leaves the list)', () => {
    const stale = allowed.filter((a) => !all.some((line) => a.match.test(line))).map((a) => String(a.match));
    assert.deepEqual(stale, [], `allow-list entries that match no difference any more:\n${stale.join('\n')}`);
  });
});
