import { parseQuantity } from '../../actions/lib/util/quantity.js';
import type { KubeObject, OwnerReference } from '../store/types.js';
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
 * EXPERIMENTAL and carry no prefix), as each family's stability in ksm v2.19's internal/store (the differential test
 * compares them with the real exporter's).
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
  'kube_service_',
];
const experimental = new Set([
  'kube_pod_deletion_timestamp',
  'kube_pod_ips',
  'kube_pod_scheduler',
  'kube_pod_service_account',
  'kube_pod_status_container_ready_time',
  'kube_pod_status_initialized_time',
  'kube_pod_status_qos_class',
  'kube_pod_status_ready_time',
  'kube_pod_status_reason',
  'kube_pod_status_unscheduled_time',
  'kube_pod_tolerations',
  'kube_pod_container_status_last_terminated_reason',
  'kube_pod_container_status_terminated_reason',
  'kube_deployment_owner',
  'kube_job_status_ready',
  'kube_poddisruptionbudget_labels',
  'kube_namespace_status_condition',
  'kube_node_role',
  'kube_horizontalpodautoscaler_info',
  'kube_horizontalpodautoscaler_spec_target_metric',
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
  'kube_horizontalpodautoscaler_status_target_metric',
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
 * `*` for all. ksm's default is none, and then it emits no `kube_<kind>_labels` series at all for that resource.
 * Both control planes run it with the same list (the real kube-state-metrics gets it as a flag): the gates join on
 * the labels of pods and workloads, and dashboards on those of nodes.
 */
export type LabelsAllowlist = Record<string, string[]>;

export const defaultLabelsAllowlist: LabelsAllowlist = {
  pods: ['*'],
  deployments: ['*'],
  replicasets: ['*'],
  horizontalpodautoscalers: ['*'],
  nodes: ['*'],
};

/** The allowlist as kube-state-metrics' flag value: `pods=[*],deployments=[*],...`. */
export function labelsAllowlistFlag(allowlist: LabelsAllowlist = defaultLabelsAllowlist): string {
  return Object.entries(allowlist)
    .map(([resource, keys]) => `${resource}=[${keys.join(',')}]`)
    .join(',');
}

/**
 * `kube_<kind>_labels` samples: one per object with `label_<sanitized key>` for the allow-listed keys, none when the
 * resource is not in the allowlist (ksm's `if len(allowLabelsList) == 0` in each store).
 */
export function labelsSamples(
  objects: KubeObject[],
  base: (o: KubeObject) => Labels,
  resource: string,
  allowlist: LabelsAllowlist = defaultLabelsAllowlist,
): Sample[] {
  const allowed = allowlist[resource] ?? [];
  if (allowed.length === 0) return [];
  return objects.map((o) => {
    const out: Labels = { ...base(o) };
    for (const [k, v] of Object.entries((o.metadata.labels as Record<string, string> | undefined) ?? {}))
      if (allowed.includes('*') || allowed.includes(k)) out[`label_${sanitizeLabelName(k)}`] = v;
    return { labels: out, value: 1 };
  });
}

/**
 * `<prefix>_owner` samples, `owner_kind=""` and `owner_name=""` for an object without owners. ksm's Deployment store
 * has no `owner_is_controller` label; the others have it.
 */
export function ownerSamples(
  objects: KubeObject[],
  base: (o: KubeObject) => Labels,
  withController = true,
): Sample[] {
  return objects.flatMap((o) => {
    const owners = (o.metadata.ownerReferences as OwnerReference[] | undefined) ?? [];
    const labels = (kind: string, name: string, controller: string) => ({
      ...base(o),
      owner_kind: kind,
      owner_name: name,
      ...(withController ? { owner_is_controller: controller } : {}),
    });
    if (owners.length === 0) return [{ labels: labels('', '', ''), value: 1 }];
    return owners.map((r) => ({
      labels: labels(r.kind, r.name, String(Boolean(r.controller))),
      value: 1,
    }));
  });
}

/** `<prefix>_created`, `<prefix>_labels` and, when `owner` names the kind, `<prefix>_owner`. */
export function metadataFamilies(
  prefix: string,
  resource: string,
  objects: KubeObject[],
  base: (o: KubeObject) => Labels,
  options: { allowlist?: LabelsAllowlist | undefined; owner?: string; ownerIsController?: boolean } = {},
): MetricFamily[] {
  return [
    family(
      `${prefix}_created`,
      'gauge',
      'Unix creation timestamp',
      objects.flatMap((o) => {
        const t = unixSeconds(o.metadata.creationTimestamp);
        return t === undefined ? [] : [{ labels: base(o), value: t }];
      }),
    ),
    family(
      `${prefix}_labels`,
      'gauge',
      'Kubernetes labels converted to Prometheus labels.',
      labelsSamples(objects, base, resource, options.allowlist),
    ),
    ...(options.owner
      ? [
          family(
            `${prefix}_owner`,
            'gauge',
            `Information about the ${options.owner}'s owner.`,
            ownerSamples(objects, base, options.ownerIsController ?? true),
          ),
        ]
      : []),
  ];
}
