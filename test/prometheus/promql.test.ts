import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorRatioQuery, quantileQuery } from '../../actions/lib/gates/app-queries.js';
import { hpaMatchers, replicasQuery } from '../../actions/lib/gates/hpa-scale-out.js';
import { pendingQuery } from '../../actions/lib/gates/pending-pods.js';
import {
  escapeLabelValue,
  escapeRegex,
  kubeLabelName,
  promDuration,
  selector,
} from '../../actions/lib/prometheus/promql.js';
import { promqlSyntaxError } from '../../actions/lib/prometheus/syntax.js';

const hostile = 'a"} or vector(1) #';

test('a hostile namespace stays one label value: the query structure is unchanged', () => {
  assert.equal(
    replicasQuery('current', hpaMatchers(hostile, 'web')),
    'max(kube_horizontalpodautoscaler_status_current_replicas{namespace="a\\"} or vector(1) #",horizontalpodautoscaler="web"})',
  );
  assert.equal(
    pendingQuery([{ name: 'namespace', op: '=', value: hostile }], { app: 'x\\"}' }),
    'max by (namespace, pod) (kube_pod_status_phase{namespace="a\\"} or vector(1) #",phase="Pending"})' +
      ' * on (namespace, pod) group_left () max by (namespace, pod) (kube_pod_labels{namespace="a\\"} or vector(1) #",label_app="x\\\\\\"}"})',
  );
});

test('escaping covers backslashes, quotes and control characters', () => {
  assert.equal(
    escapeLabelValue('back\\slash "q"\nline\ttab\u0001'),
    'back\\\\slash \\"q\\"\\nline\\ttab\\x01',
  );
  assert.equal(escapeLabelValue('plain-value_1.2'), 'plain-value_1.2');
});

test('regex alternatives from literal names match only those names', () => {
  assert.equal(escapeRegex('web-1.a(b)|c*'), 'web-1\\.a\\(b\\)\\|c\\*');
  const query = selector('kube_pod_created', [
    { name: 'pod', op: '=~', value: ['a.b', 'c|d'].map(escapeRegex).join('|') },
  ]);
  assert.equal(query, 'kube_pod_created{pod=~"a\\\\.b|c\\\\|d"}');
});

test('names that are not PromQL identifiers are refused, never spliced in', () => {
  assert.throws(() => selector('up{x="1"}', []), /not a valid Prometheus metric name/);
  assert.throws(
    () => selector('up', [{ name: 'a"b', op: '=', value: '' }]),
    /not a valid Prometheus label name/,
  );
});

test('app queries: quantile by track and error ratio that reads 0 without any 5xx series', () => {
  const matchers = [{ name: 'service', op: '=' as const, value: 'web' }];
  assert.equal(
    quantileQuery('http_request_duration_seconds', 0.95, matchers, '60s', ['track']),
    'histogram_quantile(0.95, sum by (track, le) (rate(http_request_duration_seconds_bucket{service="web"}[60s])))',
  );
  assert.equal(
    errorRatioQuery('http_requests_total', '5..', matchers, '1m'),
    '(sum (rate(http_requests_total{service="web",code=~"5.."}[1m])) or 0 * sum (rate(http_requests_total{service="web"}[1m]))) / sum (rate(http_requests_total{service="web"}[1m]))',
  );
});

test('kube-state-metrics pod label names and PromQL durations', () => {
  assert.equal(kubeLabelName('app.kubernetes.io/name'), 'label_app_kubernetes_io_name');
  assert.equal(promDuration(90_000), '90s');
  assert.equal(promDuration(1500), '1500ms');
  assert.equal(promDuration(0.2), '1ms');
});

test('PromQL syntax at load: valid queries pass, with $window and {{name}} standing for their values', () => {
  for (const query of [
    'sum(rate(http_requests_total{code=~"5.."}[$window])) / sum(rate(http_requests_total[$window]))',
    'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{track="{{track}}"}[1m])))',
    'max_over_time(kube_horizontalpodautoscaler_status_desired_replicas[$window:15s]) offset 1m',
    'up == bool 1',
  ])
    assert.equal(promqlSyntaxError(query), undefined, query);
});

test('PromQL syntax at load: an error names the column where the query stops being PromQL', () => {
  assert.equal(promqlSyntaxError('sum(rate(x[5m])'), 'invalid PromQL: unexpected end of query at column 16');
  assert.equal(promqlSyntaxError('rate(x[5m]) bye'), "invalid PromQL at column 13, near 'bye'");
  assert.equal(
    promqlSyntaxError('foo{track="{{track}}"'),
    'invalid PromQL: unexpected end of query at column 22',
  );
});
