import { parseQuantity } from '../../actions/lib/util/quantity.js';
import {
  type Labels,
  type MetricFamily,
  type MetricType,
  type Sample,
  sanitizeLabelName,
} from './exposition.js';

/** Helpers shared by the kube-state-metrics families: the same conventions as upstream's store package. */

export function family(name: string, type: MetricType, help: string, samples: Sample[] = []): MetricFamily {
  return { name, type, help, samples };
}

/** Unix seconds of an RFC 3339 time, or undefined when absent. */
export function unixSeconds(time: unknown): number | undefined {
  if (typeof time !== 'string') return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** ksm's addConditionMetrics: three series (true/false/unknown), 1 on the condition's status. */
export function conditionSamples(base: Labels, status: string | undefined, key = 'status'): Sample[] {
  const current = (status ?? 'Unknown').toLowerCase();
  return ['true', 'false', 'unknown'].map((s) => ({
    labels: { ...base, [key]: s },
    value: s === current ? 1 : 0,
  }));
}

function quantity(value: unknown): number | undefined {
  try {
    return parseQuantity(value as string | number);
  } catch {
    return undefined;
  }
}

/**
 * A resource quantity as ksm reports it: cpu in cores (from milli-units), memory and storage in bytes, pods and
 * extended resources as integers. Undefined for names ksm skips.
 */
export function resourceValue(
  name: string,
  value: unknown,
  options: { countPods: boolean },
): { resource: string; unit: string; value: number } | undefined {
  const v = quantity(value);
  if (v === undefined) return undefined;
  const resource = sanitizeLabelName(name);
  if (name === 'cpu') return { resource, unit: 'core', value: Math.ceil(v * 1000 - 1e-9) / 1000 };
  if (['memory', 'storage', 'ephemeral-storage'].includes(name) || name.startsWith('hugepages-'))
    return { resource, unit: 'byte', value: Math.ceil(v) };
  if (name.startsWith('attachable-volumes-')) return { resource, unit: 'byte', value: Math.ceil(v) };
  if (name === 'pods' && options.countPods) return { resource, unit: 'integer', value: Math.ceil(v) };
  if (name.includes('/')) return { resource, unit: 'integer', value: Math.ceil(v) };
  return undefined;
}

/** `label_<sanitized key>` labels, as kube_<kind>_labels carries them. */
export function kubeLabels(labels: Record<string, string> | undefined): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels ?? {})) out[`label_${sanitizeLabelName(k)}`] = v;
  return out;
}
