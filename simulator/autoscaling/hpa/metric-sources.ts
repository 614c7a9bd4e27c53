import { milliValue } from './quantity.js';
import type { PodMetrics } from './replica-calculator.js';
import type { LabelSelector, MetricSamples } from './types.js';

/**
 * The metrics clients of the controller (metrics.k8s.io, custom.metrics.k8s.io, external.metrics.k8s.io) answered
 * from a `MetricSamples` snapshot, with the client's own error messages and missing-sample rules.
 */

const unavailable = (what: string) => `the server is currently unable to handle the request (get ${what})`;

export class MetricSource {
  private readonly timestamp: number;
  private readonly windowMs: number;
  private readonly failing: Set<string>;

  constructor(private readonly samples: MetricSamples) {
    this.timestamp = Date.parse(samples.timestamp);
    this.windowMs = samples.windowSeconds * 1000;
    this.failing = new Set(samples.failing ?? []);
  }

  /**
   * `GetResourceMetric`: per-pod usage summed over containers (a pod missing the resource in any container has no
   * sample) or, with a container name, that container's usage (a pod without that container has no sample).
   */
  resource(resource: string, container: string): PodMetrics {
    if (this.failing.has(resource)) {
      throw new Error(
        `unable to fetch metrics from resource metrics API: ${unavailable('pods.metrics.k8s.io')}`,
      );
    }
    const entries = Object.entries(this.samples.resource ?? {});
    if (entries.length === 0) throw new Error('no metrics returned from resource metrics API');
    const metrics: PodMetrics = new Map();
    for (const [pod, containers] of entries) {
      let value: bigint | undefined;
      if (container !== '') {
        const usage = containers[container]?.[resource];
        if (usage !== undefined) value = milliValue(usage);
      } else {
        const usages = Object.values(containers).map((c) => c[resource]);
        if (usages.length > 0 && usages.every((u) => u !== undefined)) {
          value = usages.reduce<bigint>((sum, u) => sum + milliValue(u!), 0n);
        }
      }
      if (value !== undefined)
        metrics.set(pod, { value, timestamp: this.timestamp, windowMs: this.windowMs });
    }
    return metrics;
  }

  /** `GetRawMetric`: a per-pod custom metric. Its window defaults to one minute as the adapter reports none. */
  pods(metric: string): PodMetrics {
    if (this.failing.has(metric)) {
      throw new Error(
        `unable to fetch metrics from custom metrics API: ${unavailable(`pods.custom.metrics.k8s.io *`)}`,
      );
    }
    const entries = Object.entries(this.samples.pods?.[metric] ?? {});
    if (entries.length === 0) throw new Error('no metrics returned from custom metrics API');
    return new Map(
      entries.map(([pod, value]) => [
        pod,
        { value: milliValue(value), timestamp: this.timestamp, windowMs: 60_000 },
      ]),
    );
  }

  /** `GetObjectMetric` */
  object(metric: string, kind: string, name: string): bigint {
    const value = this.samples.object?.[metric];
    if (this.failing.has(metric) || value === undefined) {
      const why = this.failing.has(metric)
        ? unavailable(`${kind.toLowerCase()}s.custom.metrics.k8s.io ${name}`)
        : `the server could not find the metric ${metric} for ${kind.toLowerCase()}s ${name}`;
      throw new Error(`unable to fetch metrics from custom metrics API: ${why}`);
    }
    return milliValue(value);
  }

  /** `GetExternalMetric`: one value per returned series. */
  external(metric: string): bigint[] {
    if (this.failing.has(metric)) {
      throw new Error(
        `unable to fetch metrics from external metrics API: ${unavailable(`${metric}.external.metrics.k8s.io`)}`,
      );
    }
    const values = this.samples.external?.[metric] ?? [];
    if (values.length === 0) throw new Error('no metrics returned from external metrics API');
    return values.map((v) => milliValue(v));
  }
}

/** Go's `%+v` of a `*metav1.LabelSelector`, as it appears in the controller's reasons and messages. */
export function formatSelectorForMessage(selector: LabelSelector | undefined): string {
  if (!selector) return '<nil>';
  const labels = Object.keys(selector.matchLabels ?? {})
    .sort()
    .map((k) => `${k}: ${selector.matchLabels![k]},`)
    .join('');
  const expressions = (selector.matchExpressions ?? [])
    .map(
      (e) =>
        `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`,
    )
    .join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${expressions}},}`;
}
