import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prometheusAdapterConfig } from '../../simulator/kubernetes/prometheus-adapter.js';

/** The prometheus-adapter rules generated from an environment's HPA metrics (format: its docs/config.md). */
describe('prometheus-adapter rules from HPA metrics', () => {
  it('a *_per_second Pods metric is the rate of its *_total counter, as README shows', () => {
    const config = prometheusAdapterConfig(
      [{ type: 'Pods', pods: { metric: { name: 'http_requests_per_second' } } }],
      4,
    );
    assert.deepEqual(config.rules, [
      {
        seriesQuery: 'http_requests_total{namespace!=""}',
        resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
        name: { matches: '^http_requests_total$', as: 'http_requests_per_second' },
        metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[4s])) by (<<.GroupBy>>)',
      },
    ]);
  });

  it('any other name is a gauge; an Object metric adds its kind as a resource label; one rule per name', () => {
    const config = prometheusAdapterConfig(
      [
        { type: 'Resource' },
        { type: 'Pods', pods: { metric: { name: 'queue_depth' } } },
        {
          type: 'Object',
          object: {
            metric: { name: 'queue_depth' },
            describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
          },
        },
        { type: 'External' },
      ],
      60,
    );
    assert.equal(config.rules.length, 1);
    assert.deepEqual(config.rules[0], {
      seriesQuery: 'queue_depth{namespace!=""}',
      resources: {
        overrides: {
          namespace: { resource: 'namespace' },
          pod: { resource: 'pod' },
          ingress: { resource: 'ingress', group: 'networking.k8s.io' },
        },
      },
      name: { matches: '^queue_depth$', as: 'queue_depth' },
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    });
  });

  it('a name Prometheus cannot hold is an error, not a rule that never matches', () => {
    assert.throws(
      () => prometheusAdapterConfig([{ type: 'Pods', pods: { metric: { name: 'requests-per-second' } } }], 4),
      /HPA metric "requests-per-second" is not a Prometheus metric name/,
    );
  });

  it('no Pods or Object metric: no rules, so no adapter is started', () => {
    assert.deepEqual(prometheusAdapterConfig([{ type: 'Resource' }], 4).rules, []);
  });
});
