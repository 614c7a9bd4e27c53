/** The gate context the Prometheus-backed gate tests evaluate in: 1 s steps (the scrape interval), default metrics. */
import { defaultGateMetrics } from '../../actions/lib/gates/schema.js';
import type { GateContext, TimeWindow } from '../../actions/lib/gates/types.js';
import type { PrometheusClient } from '../../actions/lib/prometheus/client.js';

export function gateContext(
  client: PrometheusClient,
  window: TimeWindow,
  overrides: Partial<GateContext> = {},
): GateContext {
  return {
    client,
    window,
    stepSeconds: 1,
    metrics: defaultGateMetrics,
    defaults: {},
    includeSeries: false,
    ...overrides,
  };
}
