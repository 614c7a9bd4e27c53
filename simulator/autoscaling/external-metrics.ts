import type { LabelSelector } from './hpa/types.js';

/**
 * `SimulatorServices.externalMetrics`: what an external.metrics.k8s.io adapter (KEDA's metrics server) answers the HPA
 * controller. The KEDA-like controller registers it; the HPA controller reads External metrics from it.
 */
export interface ExternalMetricsSource {
  /**
   * The values of one external metric for the selector, one per series; undefined when the adapter serves no such
   * metric. Throws when the adapter cannot answer (e.g. its last query to Prometheus failed).
   */
  values(namespace: string, metric: string, selector: LabelSelector | undefined): number[] | undefined;
}
