import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compareRun } from '../../actions/lib/regression/compare.js';
import { pendingFigures, replicaFigures, stageWindows } from '../../actions/lib/regression/extract.js';
import { appendRun, parseHistory, type RunRecord } from '../../actions/lib/regression/history.js';
import { historyPath, parseCriteriaLines } from '../../actions/lib/regression/run.js';
import { regressionMarkdown, trendChart } from '../../actions/lib/regression/trend.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/regression/${name}.json`, import.meta.url), 'utf8');

const t0 = Date.parse('2026-11-22T03:00:00Z') / 1000;
const series = (values: number[], start = t0, step = 5) => ({
  metric: {},
  values: values.map((v, i) => [start + i * step, v] as [number, number]),
});

describe('run record extraction', () => {
  it('names every ramping stage <scenario>:<index> and a stage-less scenario by itself', () => {
    const windows = stageWindows({
      start: '2026-11-22T03:00:00.000Z',
      end: '2026-11-22T03:02:00.000Z',
      scenarios: [
        {
          name: 'peak',
          executor: 'ramping-vus',
          start: '2026-11-22T03:00:00.000Z',
          end: '2026-11-22T03:01:00.000Z',
          stages: [
            {
              index: 0,
              target: 50,
              durationMs: 30_000,
              start: '2026-11-22T03:00:00.000Z',
              end: '2026-11-22T03:00:30.000Z',
            },
            {
              index: 1,
              target: 50,
              durationMs: 30_000,
              start: '2026-11-22T03:00:30.000Z',
              end: '2026-11-22T03:01:00.000Z',
            },
          ],
        },
        {
          name: 'soak',
          executor: 'constant-vus',
          start: '2026-11-22T03:01:00.000Z',
          end: '2026-11-22T03:02:00.000Z',
          stages: [],
        },
      ],
    });
    assert.deepEqual(
      windows.map((w) => [w.name, w.start.toISOString(), w.end.toISOString()]),
      [
        ['peak:0', '2026-11-22T03:00:00.000Z', '2026-11-22T03:00:30.000Z'],
        ['peak:1', '2026-11-22T03:00:30.000Z', '2026-11-22T03:01:00.000Z'],
        ['soak', '2026-11-22T03:01:00.000Z', '2026-11-22T03:02:00.000Z'],
      ],
    );
  });

  it('takes peak replicas and the time from the stage start to the first sample at the peak', () => {
    const stageStart = new Date(t0 * 1000);
    assert.deepEqual(replicaFigures([series([2, 2, 3, 5, 5, 4])], stageStart), {
      peakReplicas: { value: 5 },
      timeToScaleOutSeconds: { value: 15 },
    });
    // No scale-out in the stage: a peak, but no time to scale out (not a zero that would look like an instant one).
    assert.deepEqual(replicaFigures([series([4, 4, 3])], stageStart), { peakReplicas: { value: 4 } });
    assert.deepEqual(replicaFigures([series([Number.NaN])], stageStart), {});
    assert.deepEqual(replicaFigures([], stageStart), {});
  });

  it('counts pods Pending at once and the longest stretch of one pod, a gap ending a stretch', () => {
    const figures = pendingFigures(
      [
        {
          metric: { pod: 'a' },
          values: [
            [t0, 1],
            [t0 + 5, 1],
            [t0 + 10, 1],
            [t0 + 15, 0],
          ],
        },
        {
          metric: { pod: 'b' },
          values: [
            [t0 + 5, 1],
            [t0 + 10, 1],
            [t0 + 25, 1],
          ],
        },
        {
          metric: { pod: 'c' },
          values: [
            [t0, 0],
            [t0 + 5, 0],
          ],
        },
      ],
      5,
    );
    assert.deepEqual(figures, { peakPendingPods: { value: 2 }, longestPendingSeconds: { value: 15 } });
    assert.deepEqual(pendingFigures([], 5), {
      peakPendingPods: { value: 0 },
      longestPendingSeconds: { value: 0 },
    });
  });

  it('reads criteria overrides, refusing unknown figures and malformed criteria', () => {
    assert.deepEqual(parseCriteriaLines(['p95Seconds: <=+5%', '', ' peakReplicas:<=+2 ']), {
      p95Seconds: { criterion: '<=+5%', worseWhen: 'higher', aggregate: 'median' },
      peakReplicas: { criterion: '<=+2', worseWhen: 'higher', aggregate: 'median' },
    });
    assert.throws(
      () => parseCriteriaLines(['latency: <=+5%']),
      /criteria 'latency: <=\+5%': expected '<figure>: <criterion>'/,
    );
    assert.throws(() => parseCriteriaLines(['p95Seconds: <=10%']), /a percentage needs a sign/);
    assert.equal(historyPath('perf eu/1'), 'regression/perf_eu_1.json');
  });
});

describe('trend chart and summary', () => {
  const history = parseHistory(fixture('stable-history'), 'perf');
  const regressed = parseHistory(fixture('regressed-run'), 'perf').runs[0] as RunRecord;
  const withRun = appendRun(history, regressed);

  it('draws one point per run and one line per stage, labelled by commit', () => {
    const mini = {
      ...history,
      runs: [
        {
          runId: '1',
          sha: 'aaaaaaa1',
          startedAt: '2026-11-01T00:00:00Z',
          passed: true,
          stages: [
            { name: 'peak', measurements: { p95Seconds: { value: 0.21 } } },
            { name: 'ramp', measurements: { p95Seconds: { value: 0.1 } } },
          ],
        },
        {
          runId: '2',
          sha: 'bbbbbbb2',
          startedAt: '2026-11-02T00:00:00Z',
          passed: true,
          stages: [{ name: 'peak', measurements: { p95Seconds: { value: 0.23456 } } }],
        },
        {
          runId: '3',
          sha: '',
          startedAt: '2026-11-03T00:00:00Z',
          passed: false,
          stages: [
            { name: 'peak', measurements: { p95Seconds: { value: 0.4 } } },
            { name: 'ramp', measurements: { p95Seconds: { value: 0.12 } } },
          ],
        },
      ],
    };
    assert.equal(
      trendChart(mini, 'p95Seconds'),
      [
        '```mermaid',
        'xychart-beta',
        '  title "p95 (s) by run: peak (line 1), ramp (line 2)"',
        '  x-axis ["aaaaaaa", "bbbbbbb", "3"]',
        '  y-axis "p95 (s)" 0 --> 0.5',
        '  line [0.21, 0.2346, 0.4]',
        '  line [0.1, 0.1, 0.12]',
        '```',
      ].join('\n'),
    );
    assert.equal(trendChart(mini, 'peakReplicas'), '');
    assert.equal(trendChart(mini, 'p95Seconds', 1).split('\n')[3], '  x-axis ["3"]');
  });

  it('summarises the comparison: the regressed figures, the baseline and a trend chart per figure', () => {
    const comparison = compareRun(regressed, withRun);
    const text = regressionMarkdown('perf', withRun, comparison);
    assert.match(
      text,
      /^### ❌ scaling regression in perf: 3 figure\(s\)\n\nBaseline: 10 earlier passing run\(s\)\./,
    );
    const p95Row = text.split('\n').find((l) => l.startsWith('| peak | p95 (s) |'))!;
    assert.match(
      p95Row,
      /^\| peak \| p95 \(s\) \| ❌ regression \| [\d.]+ \| [\d.]+ \| \+\d+\.\d% \| <=\+10% \| mann-whitney \| /,
    );
    const measured = new Set(
      withRun.runs.flatMap((r) => r.stages.flatMap((st) => Object.keys(st.measurements))),
    );
    assert.ok(measured.size >= 6);
    assert.equal((text.match(/```mermaid/g) ?? []).length, measured.size);
    assert.ok(
      text.includes(
        `x-axis [${withRun.runs
          .slice(-30)
          .map((r) => `"${r.sha.slice(0, 7)}"`)
          .join(', ')}]`,
      ),
    );
    const clean = regressionMarkdown('perf', history, compareRun(history.runs.at(-1)!, history));
    assert.match(clean, /^### ✅ no scaling regression in perf\n/);
  });
});
