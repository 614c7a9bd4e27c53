import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricRegistry, parseMetricKey, Sink } from '../../actions/lib/load/metrics.js';
import { ConfigError } from '../../actions/lib/load/options.js';
import {
  evaluateThresholds,
  parseThresholdExpression,
  parseThresholds,
} from '../../actions/lib/load/thresholds.js';

describe('threshold expressions', () => {
  it('parses methods, operators, whitespace and Go floats', () => {
    assert.deepEqual(parseThresholdExpression('p(99.9) < 2000'), {
      method: 'p(99.9)',
      operator: '<',
      value: 2000,
    });
    assert.deepEqual(parseThresholdExpression('rate<=.5'), { method: 'rate', operator: '<=', value: 0.5 });
    assert.deepEqual(parseThresholdExpression('count===1e3'), {
      method: 'count',
      operator: '==',
      value: 1000,
    });
    assert.deepEqual(parseThresholdExpression('max >= 3'), { method: 'max', operator: '>=', value: 3 });
    assert.deepEqual(parseThresholdExpression('avg!=0'), { method: 'avg', operator: '!=', value: 0 });
    assert.throws(() => parseThresholdExpression('p(95) 500'), ConfigError);
    assert.throws(() => parseThresholdExpression('<500'), ConfigError);
    assert.throws(() => parseThresholdExpression('avg<abc'), ConfigError);
  });

  it('parses submetric keys with quoted and spaced tags', () => {
    assert.deepEqual(parseMetricKey('http_req_duration{ status : "200", method:\'POST\' }'), {
      name: 'http_req_duration',
      suffix: ' status : "200", method:\'POST\' ',
      tags: { status: '200', method: 'POST' },
    });
    assert.throws(() => parseMetricKey('http_req_duration{status:}'));
    assert.throws(() => parseMetricKey('http_req_duration{status:200}x'));
  });

  it('rejects unknown metrics and methods a metric type does not support', () => {
    const registry = new MetricRegistry();
    assert.throws(() => parseThresholds({ nope: ['count>1'] }, registry), /no metric name "nope" found/);
    assert.throws(
      () => parseThresholds({ http_reqs: ['p(95)<1'] }, registry),
      /unsupported aggregation method/,
    );
    assert.throws(() => parseThresholds({ http_req_duration: ['count>1'] }, registry), /unsupported/);
    assert.throws(() => parseThresholds({ vus: ['rate>1'] }, registry), /unsupported/);
    assert.throws(() => parseThresholds({ checks: ['value>1'] }, registry), /unsupported/);
    assert.equal(parseThresholds({ vus: ['value>1'], checks: ['rate>0.9'] }, registry).length, 2);
  });
});

describe('threshold evaluation', () => {
  it('interpolates percentiles linearly at rank p*(n-1)', () => {
    const sink = new Sink('trend');
    for (const v of [10, 20, 15]) sink.add(v);
    assert.equal(sink.stat('p(90)', 1), 19);
    assert.equal(sink.stat('p(95)', 1), 19.5);
    assert.ok(Math.abs(sink.stat('p(99)', 1)! - 19.9) < 1e-9, 'p(99) is 19.9');
    assert.equal(sink.stat('med', 1), 15);
    assert.equal(sink.stat('avg', 1), 15);
    assert.equal(new Sink('trend').stat('p(95)', 1), 0);
  });

  it('feeds submetrics only with samples whose tags contain all filter tags', () => {
    const registry = new MetricRegistry();
    const thresholds = parseThresholds(
      { 'http_req_duration{status:200,method:GET}': ['max<100'], http_req_duration: ['max<1000'] },
      registry,
    );
    registry.add('http_req_duration', 50, { status: '200', method: 'GET', url: 'a' }, 0);
    registry.add('http_req_duration', 500, { status: '500', method: 'GET' }, 0);
    registry.add('http_req_duration', 700, { status: '200', method: 'POST' }, 0);
    evaluateThresholds(thresholds, 1000, true);
    assert.deepEqual(
      thresholds.map((t) => t.ok),
      [true, true],
    );
    registry.add('http_req_duration', 150, { status: '200', method: 'GET' }, 0);
    evaluateThresholds(thresholds, 1000, true);
    assert.deepEqual(
      thresholds.map((t) => t.ok),
      [false, true],
    );
  });

  it('skips empty sinks periodically, and at the end passes empty Rates but evaluates empty Trends as 0', () => {
    const registry = new MetricRegistry();
    const thresholds = parseThresholds(
      { checks: ['rate>=0.9'], http_req_duration: ['min>0'], http_reqs: ['count>0'] },
      registry,
    );
    evaluateThresholds(thresholds, 1000, false);
    assert.deepEqual(
      thresholds.map((t) => t.ok),
      [true, true, true],
    );
    evaluateThresholds(thresholds, 1000, true);
    assert.deepEqual(
      thresholds.map((t) => t.ok),
      [true, false, false],
    );
  });

  it('divides Counter rates by the test-run duration', () => {
    const registry = new MetricRegistry();
    const thresholds = parseThresholds({ http_reqs: ['rate>=10'] }, registry);
    for (let i = 0; i < 20; i++) registry.add('http_reqs', 1, {}, 0);
    evaluateThresholds(thresholds, 2000, true);
    assert.equal(thresholds[0]!.ok, true);
    evaluateThresholds(thresholds, 2001, true);
    assert.equal(thresholds[0]!.ok, false);
  });

  it('asks for an abort only for failing abortOnFail thresholds past delayAbortEval', () => {
    const registry = new MetricRegistry();
    const thresholds = parseThresholds(
      {
        checks: [{ threshold: 'rate>0.5', abortOnFail: true, delayAbortEval: '10s' }],
        http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: false }],
      },
      registry,
    );
    registry.add('checks', 0, {}, 0);
    registry.add('http_req_failed', 1, {}, 0);
    assert.deepEqual(evaluateThresholds(thresholds, 5000, false), []);
    assert.deepEqual(
      evaluateThresholds(thresholds, 10_001, false).map((t) => t.key),
      ['checks'],
    );
    assert.equal(thresholds[1]!.ok, false);
  });
});
