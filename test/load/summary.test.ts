import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricRegistry } from '../../actions/lib/load/metrics.js';
import { buildSummaryData, GroupTree, toSummaryExport } from '../../actions/lib/load/summary.js';
import { jUnit, textSummary } from '../../actions/lib/load/text-summary.js';
import { evaluateThresholds, parseThresholds } from '../../actions/lib/load/thresholds.js';

/** The metrics of k6's own summary fixture: checks in group "child", a custom trend, vus and http_reqs. */
function fixture(setupData?: unknown) {
  const registry = new MetricRegistry();
  registry.define({ name: 'my_trend', type: 'trend', contains: 'time' });
  const groups = new GroupTree();
  registry.onSample((metric, value, tags) => groups.record(metric.name, value, tags));
  const check = (name: string, passes: number, fails: number) => {
    for (let i = 0; i < passes; i++) registry.add('checks', 1, { group: '::child', check: name }, 0);
    for (let i = 0; i < fails; i++) registry.add('checks', 0, { group: '::child', check: name }, 0);
  };
  check('check1', 30, 0);
  check('check3', 10, 5);
  check('check2', 5, 10);
  for (const v of [10, 20, 15]) registry.add('my_trend', v, {}, 0);
  registry.add('vus', 1, {}, 0);
  for (let i = 0; i < 3; i++) registry.add('http_reqs', 1, {}, 0);
  const thresholds = parseThresholds(
    { checks: ['rate>0.7'], my_trend: ['avg<10'], http_reqs: ['rate<100'] },
    registry,
  );
  evaluateThresholds(thresholds, 1000, true);
  return buildSummaryData({
    registry,
    thresholds,
    groups,
    durationMs: 1000,
    trendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
    setupData,
  });
}

const child = {
  name: 'child',
  path: '::child',
  id: 'f41cbb53a398ec1c9fb3d33e20c9b040',
};
const checks = [
  { name: 'check1', path: '::child::check1', id: '6289a7a06253a1c3f6137dfb25695563', passes: 30, fails: 0 },
  { name: 'check3', path: '::child::check3', id: 'c7553eca92d3e034b5808332296d304a', passes: 10, fails: 5 },
  { name: 'check2', path: '::child::check2', id: '06f5922794bef0d4584ba76a49893e1f', passes: 5, fails: 10 },
];

describe('end-of-test summary', () => {
  it('builds the handleSummary data object in k6 legacy shape', () => {
    const data = fixture();
    assert.deepEqual(data.root_group, {
      name: '',
      path: '',
      id: 'd41d8cd98f00b204e9800998ecf8427e',
      groups: [{ ...child, groups: [], checks }],
      checks: [],
    });
    assert.deepEqual(data.options, {
      summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
      summaryTimeUnit: '',
      noColor: false,
    });
    assert.deepEqual(data.state, { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 });
    assert.deepEqual(data.metrics, {
      checks: {
        type: 'rate',
        contains: 'default',
        values: { rate: 0.75, passes: 45, fails: 15 },
        thresholds: { 'rate>0.7': { ok: true } },
      },
      my_trend: {
        type: 'trend',
        contains: 'time',
        values: { avg: 15, min: 10, med: 15, max: 20, 'p(90)': 19, 'p(95)': 19.5, 'p(99)': 19.9, count: 3 },
        thresholds: { 'avg<10': { ok: false } },
      },
      vus: { type: 'gauge', contains: 'default', values: { value: 1, min: 1, max: 1 } },
      http_reqs: {
        type: 'counter',
        contains: 'default',
        values: { count: 3, rate: 3 },
        thresholds: { 'rate<100': { ok: true } },
      },
    });
    assert.equal('setup_data' in data, false);
    assert.equal(fixture(5).setup_data, 5);
  });

  it('transforms it to the --summary-export document', () => {
    const exported = JSON.parse(JSON.stringify(toSummaryExport(fixture(5))));
    assert.deepEqual(exported, {
      root_group: {
        name: '',
        path: '',
        id: 'd41d8cd98f00b204e9800998ecf8427e',
        groups: {
          child: {
            ...child,
            groups: {},
            checks: Object.fromEntries(checks.map((c) => [c.name, c])),
          },
        },
        checks: {},
      },
      metrics: {
        checks: { value: 0.75, passes: 45, fails: 15, thresholds: { 'rate>0.7': false } },
        http_reqs: { count: 3, rate: 3, thresholds: { 'rate<100': false } },
        my_trend: {
          avg: 15,
          max: 20,
          med: 15,
          min: 10,
          'p(90)': 19,
          'p(95)': 19.5,
          'p(99)': 19.9,
          count: 3,
          thresholds: { 'avg<10': true },
        },
        vus: { value: 1, min: 1, max: 1 },
      },
      setup_data: 5,
    });
  });

  it('renders a text summary and a JUnit report from the data object', () => {
    const data = fixture();
    const text = textSummary(data, { indent: ' ', enableColors: false });
    assert.match(text, /█ child/);
    assert.match(text, /✗ check3\n.*↳ {2}66% — ✓ 10 \/ ✗ 5/);
    assert.match(text, /✗ my_trend\.+: avg=15\.00ms min=10\.00ms/);
    assert.match(text, /✓ checks\.+: 75\.00% 45 out of 60/);
    const xml = jUnit(data);
    assert.match(xml, /<testsuites tests="3" failures="1">/);
    assert.match(xml, /<testcase name="my_trend - avg&lt;10"><failure message="failed" \/><\/testcase>/);
  });
});
