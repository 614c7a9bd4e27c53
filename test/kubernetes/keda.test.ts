import { after, before, describe, it } from 'node:test';
import {
  compositeScenario,
  fallbackScenario,
  type KedaBench,
  startKedaBench,
} from '../simulator/keda-fixtures.js';

/**
 * The node agent's KEDA operator on the real control plane: the same code as the built-in cluster's, with
 * status.health kept by the real API server under KEDA's own CRD schema, composite-metric served through the
 * real aggregator, and the real kube-controller-manager's HPA scaling to fallback.replicas. Real kubectl, a real
 * Prometheus scraping a scripted exporter. Fails, never skips, when the binaries are not built.
 */
describe('KEDA on the kubernetes control plane', () => {
  let bench: KedaBench;
  before(async () => {
    bench = await startKedaBench({ controlPlane: 'kubernetes', profile: 'fast', nodes: 2 }, {});
  });
  after(async () => {
    await bench?.stop();
  });

  it('fallback: status.health and the Fallback condition, and the real HPA scales to fallback.replicas', () =>
    fallbackScenario(bench));

  it('scalingModifiers: composite-metric through the aggregated external metrics API', () =>
    compositeScenario(bench));
});
