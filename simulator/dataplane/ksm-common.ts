import { parseQuantity } from '../../actions/lib/util/quantity.js';
import {
  type Labels,
  type MetricFamily,
  type MetricType,
  type Sample,
  sanitizeLabelName,
} from './exposition.js';

/** Helpers shared by the kube-state-metrics families: the same conventions as upstream's store package. */

/**
 * The families kube-state-metrics marks STABLE: their HELP text starts with `[STABLE] ` (the others are
 * EXPERIMENTAL and carry no prefix), as in ksm's docs/metrics tables.
 */
const stablePrefixes = [
  'kube_pod_',
  'kube_deployment_',
  'kube_replicaset_',
  'kube_statefulset_',
  'kube_daemonset_',
  'kube_job_',
  'kube_namespace_',
  'kube_resourcequota',
  'kube_poddisruptionbudget_',
];
const experimental = new Set([
  'kube_pod_status_reason',
  'kube_pod_status_scheduled_time',
  'kube_pod_status_unschedulable',
  'kube_pod_container_status_last_terminated_reason',
  'kube_deployment_status_condition',
  'kube_statefulset_status_replicas_available',
  'kube_namespace_status_condition',
  'kube_node_role',
  'kube_horizontalpodautoscaler_info',
  'kube_horizontalpodautoscaler_spec_target_metric',
  'kube_horizontalpodautoscaler_status_target_metric',
]);
const stableOthers = new Set([
  'kube_node_info',
  'kube_node_labels',
  'kube_node_spec_unschedulable',
  'kube_node_spec_taint',
  'kube_node_status_condition',
  'kube_node_status_allocatable',
  'kube_node_status_capacity',
  'kube_horizontalpodautoscaler_labels',
  'kube_horizontalpodautoscaler_metadata_generation',
  'kube_horizontalpodautoscaler_spec_max_replicas',
  'kube_horizontalpodautoscaler_spec_min_replicas',
  'kube_horizontalpodautoscaler_status_condition',
  'kube_horizontalpodautoscaler_status_current_replicas',
  'kube_horizontalpodautoscaler_status_desired_replicas',
]);

export function isStable(name: string): boolean {
  if (experimental.has(name)) return false;
  return stableOthers.has(name) || stablePrefixes.some((p) => name.startsWith(p));
}

export function family(name: string, type: MetricType, help: string, samples: Sample[] = []): MetricFamily {
  return { name, type, help: isStable(name) ? `[STABLE] ${help}` : help, samples };
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

/**
 * ksm's `--metric-labels-allowlist`: per resource (plural), the Kubernetes labels `kube_<kind>_labels` carries, or
 * `*` for all. ksm's default is none; the local cluster runs it as scalegate's docs ask a real cluster to
 * (`--metric-labels-allowlist=pods=[*]`), since the pending-pods gate selects pods by label.
 */
export type LabelsAllowlist = Record<string, string[]>;

export const defaultLabelsAllowlist: LabelsAllowlist = { pods: ['*'] };

/** `label_<sanitized key>` labels for the allow-listed keys, as kube_<kind>_labels carries them. */
export function kubeLabels(
  labels: Record<string, string> | undefined,
  resource: string,
  allowlist: LabelsAllowlist = defaultLabelsAllowlist,
): Labels {
  const allowed = allowlist[resource] ?? [];
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels ?? {}))
    if (allowed.includes('*') || allowed.includes(k)) out[`label_${sanitizeLabelName(k)}`] = v;
  return out;
}
