import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compareRun } from '../../actions/lib/regression/compare.js';
import { parseCriterion } from '../../actions/lib/regression/criteria.js';
import {
  appendRun,
  type History,
  parseHistory,
  type RunRecord,
} from '../../actions/lib/regression/history.js';
import { mannWhitney, normalQuantile, percentile } from '../../actions/lib/regression/statistics.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/regression/${name}.json`, import.meta.url), 'utf8');
const history = parseHistory(fixture('stable-history'), 'perf');
const onlyRun = (name: string) => parseHistory(fixture(name), 'perf').runs[0] as RunRecord;

describe('scaling-regression comparison on recorded histories', () => {
  it('flags a real regression: slower scale-out, worse p95 confirmed by the rank test, lower throughput', () => {
    const result = compareRun(onlyRun('regressed-run'), history);
    assert.equal(result.baselineRunIds.length, 10);
    const flagged = result.regressions.map((f) => f.metric).sort();
    assert.deepEqual(flagged, ['achievedRate', 'p95Seconds', 'timeToScaleOutSeconds']);
    const p95 = result.regressions.find((f) => f.metric === 'p95Seconds')!;
    assert.equal(p95.method, 'mann-whitney');
    assert.ok(p95.mannWhitney!.interval[0] > 0, 'the whole interval of the shift is above zero');
    assert.ok(p95.changePercent! > 25);
    assert.match(p95.reason, /breaks <=\+10% .*samples confirm it/);
  });

  it('does not flag a run drawn from the baseline distribution', () => {
    const result = compareRun(onlyRun('noisy-run'), history);
    assert.deepEqual(result.regressions, []);
    assert.ok(result.findings.every((f) => f.status === 'ok'));
  });

  it('does not flag a criterion breach that the samples show to be noise', () => {
    const wide: History = {
      ...history,
      runs: history.runs.map((r, i) => ({
        ...r,
        stages: [
          {
            name: 'peak',
            measurements: {
              p95Seconds: {
                value: 0.2,
                samples: [0.12, 0.16, 0.2, 0.24, 0.28, 0.14 + (i % 3) * 0.04, 0.3, 0.1],
              },
            },
          },
        ],
      })),
    };
    const current: RunRecord = {
      ...onlyRun('noisy-run'),
      stages: [
        {
          name: 'peak',
          measurements: {
            p95Seconds: { value: 0.23, samples: [0.1, 0.15, 0.22, 0.24, 0.26, 0.3, 0.12, 0.28] },
          },
        },
      ],
    };
    const [finding] = compareRun(current, wide).findings;
    assert.equal(finding!.status, 'ok');
    assert.equal(finding!.method, 'mann-whitney');
    assert.match(finding!.reason, /breaks <=\+10%.*do not differ significantly/);
  });

  it('uses the criterion alone when there are too few samples, and only passing runs as baseline', () => {
    const failing = {
      ...onlyRun('regressed-run'),
      runId: 'bad',
      startedAt: '2026-10-20T00:00:00.000Z',
      passed: false,
    };
    const withFailure = appendRun(history, failing);
    const current = { ...onlyRun('regressed-run'), startedAt: '2026-10-21T00:00:00.000Z' };
    const result = compareRun(current, withFailure, { minSamples: 1000 });
    assert.ok(!result.baselineRunIds.includes('bad'));
    const p95 = result.findings.find((f) => f.metric === 'p95Seconds')!;
    assert.equal(p95.method, 'criterion');
    assert.equal(p95.status, 'regression');
  });

  it('reports no baseline for a stage never measured before', () => {
    const current: RunRecord = {
      ...onlyRun('noisy-run'),
      stages: [{ name: 'soak', measurements: { p99Seconds: { value: 1 } } }],
    };
    const [finding] = compareRun(current, history).findings;
    assert.equal(finding!.status, 'no-baseline');
  });
});

describe('criteria', () => {
  it('parses Keptn-style relative, absolute and fixed criteria', () => {
    assert.deepEqual(parseCriterion('<=+10%'), {
      text: '<=+10%',
      comparator: '<=',
      kind: 'relative',
      amount: 10,
    });
    assert.deepEqual(parseCriterion('>=-5%'), {
      text: '>=-5%',
      comparator: '>=',
      kind: 'relative',
      amount: -5,
    });
    assert.deepEqual(parseCriterion('<=+0.5'), {
      text: '<=+0.5',
      comparator: '<=',
      kind: 'absolute',
      amount: 0.5,
    });
    assert.deepEqual(parseCriterion('<600'), { text: '<600', comparator: '<', kind: 'fixed', amount: 600 });
    assert.throws(() => parseCriterion('<=10%'), /needs a sign/);
    assert.throws(() => parseCriterion('about 10%'), /expected a comparison/);
  });
});

describe('statistics', () => {
  it('matches the normal-approximation Mann–Whitney U of reference implementations', () => {
    // scipy.stats.mannwhitneyu([1..5], [6..10], method='asymptotic') → U=0, p≈0.0122
    const r = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    assert.equal(r.u, 0);
    assert.ok(Math.abs(r.pValue - 0.0122) < 0.0005, `p=${r.pValue}`);
    assert.equal(r.shift, -5);
    const same = mannWhitney([1, 2, 3, 4], [1, 2, 3, 4]);
    assert.equal(same.u, 8);
    assert.equal(same.pValue, 1);
  });

  it('estimates a pure shift exactly and covers it with its interval', () => {
    const y = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    const r = mannWhitney(
      y.map((v) => v + 10),
      y,
    );
    assert.equal(r.shift, 10);
    assert.ok(r.interval[0] <= 10 && r.interval[1] >= 10);
  });

  it('computes percentiles and normal quantiles', () => {
    assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
  });
});
