import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { verdictJsonSchema, verdictSchemaPath } from '../../actions/lib/gates/json-schema.js';
import type { GateResult } from '../../actions/lib/gates/types.js';
import { buildVerdict, exitCodeFor, verdictMarkdown } from '../../actions/lib/gates/verdict.js';
import { windowFromLoad } from '../../actions/lib/gates/windows.js';

function gate(name: string, status: GateResult['status'], extra: Partial<GateResult> = {}): GateResult {
  return {
    name,
    type: 'latency',
    status,
    reason: `${name} is ${status}`,
    observed: { p95Ms: 120 },
    threshold: { maxMs: 300, quantile: 0.95 },
    margin: 180,
    marginUnit: 'ms',
    queries: ['histogram_quantile(0.95, sum by (le) (rate(x_bucket[60s])))'],
    window: { start: '2026-11-22T06:00:00.000Z', end: '2026-11-22T06:01:00.000Z' },
    series: [
      {
        name: 'p95 (s)',
        labels: {},
        points: [
          [1795500000, 0.12],
          [1795500001, Number.NaN],
        ],
      },
    ],
    settled: true,
    ...extra,
  };
}

const window = { start: new Date('2026-11-22T06:00:00Z'), end: new Date('2026-11-22T06:01:00Z') };

test('overall status, counts, summary line and exit code', () => {
  const all = buildVerdict({
    results: [gate('a', 'pass'), gate('b', 'pass')],
    window,
    prometheusUrl: 'http://p',
    mode: 'once',
  });
  assert.deepEqual(
    [all.status, all.passed, all.summary, exitCodeFor(all.status)],
    ['pass', true, '2/2 gates passed: all passed', 0],
  );
  const mixed = buildVerdict({
    results: [gate('a', 'pass'), gate('b', 'inconclusive'), gate('c', 'fail')],
    window,
    prometheusUrl: 'https://user:secret@mimir.example.com/prometheus',
    mode: 'once',
  });
  assert.equal(mixed.status, 'fail');
  assert.deepEqual(mixed.counts, { pass: 1, fail: 1, inconclusive: 1 });
  assert.equal(mixed.summary, '1/3 gates passed; c failed: c is fail (+1 more not passed)');
  assert.equal(mixed.prometheus.url, 'https://mimir.example.com/prometheus');
  assert.equal(exitCodeFor(mixed.status), 1);
  const unsure = buildVerdict({
    results: [gate('a', 'pass'), gate('b', 'inconclusive')],
    window,
    prometheusUrl: 'http://p',
    mode: 'once',
  });
  assert.deepEqual([unsure.status, exitCodeFor(unsure.status)], ['inconclusive', 3]);
  assert.equal(
    buildVerdict({ results: [], window, prometheusUrl: 'http://p', mode: 'once' }).status,
    'inconclusive',
  );
});

test('the committed verdict schema is generated from the zod one (regenerate: npm run schema)', async () => {
  assert.equal(await readFile(verdictSchemaPath, 'utf8'), verdictJsonSchema());
});

test('the verdict JSON validates against schema/verdict.schema.json', async () => {
  const schema = JSON.parse(await readFile('schema/verdict.schema.json', 'utf8'));
  const validate = new Ajv2020({
    strict: true,
    allowUnionTypes: true,
    validateFormats: false,
    allErrors: true,
  }).compile(schema);
  const verdict = buildVerdict({
    results: [
      gate('a', 'pass'),
      gate('b', 'inconclusive', {
        error: { kind: 'unreachable', message: 'down' },
        margin: null,
        marginUnit: undefined,
      }),
    ],
    window,
    stage: 'default:1',
    prometheusUrl: 'http://p',
    mode: 'continuous',
    continuous: { evaluations: 3, stoppedEarly: false, stopReason: 'the window ended' },
  });
  const json = JSON.parse(JSON.stringify(verdict));
  assert.equal(validate(json), true, JSON.stringify(validate.errors));
  assert.equal(json.gates[0].series[0].points[1][1], null, 'NaN is written as null');
  assert.equal(validate({ ...json, schemaVersion: 'scalegate.dev/verdict/v1' }), false);
  assert.equal(validate({ ...json, gates: [{ ...json.gates[0], status: 'maybe' }] }), false);
});

test('the job-summary Markdown has one row per gate and escapes pipes', () => {
  const verdict = buildVerdict({
    results: [gate('a', 'pass'), gate('b|c', 'fail', { reason: 'x | y' })],
    window,
    prometheusUrl: 'http://p',
    mode: 'once',
  });
  const markdown = verdictMarkdown(verdict);
  assert.match(markdown, /^### Gates: ❌ fail$/m);
  assert.match(markdown, /^\| Gate \| Type \| Status \| Observed \| Threshold \| Margin \| Why \|$/m);
  assert.match(
    markdown,
    /^\| a \| latency \| ✅ pass \| p95Ms=120 \| maxMs=300, quantile=0\.95 \| 180 ms \| a is pass \|$/m,
  );
  assert.match(markdown, /^\| b\\\|c \| latency \| ❌ fail \| .* \| x \\\| y \|$/m);
});

const load = JSON.stringify({
  start: '2026-11-22T06:00:00.000Z',
  end: '2026-11-22T06:03:00.000Z',
  scenarios: [
    {
      name: 'ramp',
      executor: 'ramping-vus',
      start: '2026-11-22T06:00:00.000Z',
      end: '2026-11-22T06:03:00.000Z',
      stages: [
        {
          index: 0,
          target: 10,
          durationMs: 60000,
          start: '2026-11-22T06:00:00.000Z',
          end: '2026-11-22T06:01:00.000Z',
        },
        {
          index: 1,
          target: 10,
          durationMs: 120000,
          start: '2026-11-22T06:01:00.000Z',
          end: '2026-11-22T06:03:00.000Z',
        },
      ],
    },
  ],
});

test("windows from the load step's output: whole run, scenario, stage by scenario:index or index", () => {
  assert.deepEqual(windowFromLoad(load), {
    start: new Date('2026-11-22T06:00:00Z'),
    end: new Date('2026-11-22T06:03:00Z'),
  });
  assert.equal(windowFromLoad(load, 'ramp').stage, 'ramp');
  assert.deepEqual(windowFromLoad(load, 'ramp:1'), {
    start: new Date('2026-11-22T06:01:00Z'),
    end: new Date('2026-11-22T06:03:00Z'),
    stage: 'ramp:1',
  });
  assert.equal(windowFromLoad(load, '0').end.toISOString(), '2026-11-22T06:01:00.000Z');
  assert.throws(() => windowFromLoad(load, 'rmp'), /stage 'rmp': no such scenario \(have: ramp\)/);
  assert.throws(() => windowFromLoad(load, 'ramp:5'), /scenario ramp has stages 0\.\.1/);
  assert.throws(() => windowFromLoad('{"start": 1}'), /^ScalegateError: windows: start: .*expected string/);
  assert.throws(
    () => windowFromLoad('{}'),
    /windows: expected the load step's windows \{start, end, scenarios\}/,
  );
});
