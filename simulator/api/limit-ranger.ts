import { parseQuantity } from '../../actions/lib/util/quantity.js';
import { ApiError } from '../store/errors.js';
import type { KubeObject } from '../store/types.js';

/**
 * The LimitRanger admission plugin on pod creation (plugin/pkg/admission/limitranger): each `Container` item of the
 * namespace's LimitRanges gives containers the `default` limits and `defaultRequest` requests they lack (recorded in
 * the `kubernetes.io/limit-ranger` annotation), then its `min` and `max` are enforced, refusing the pod with 403
 * Forbidden. `Pod`-type items and `maxLimitRequestRatio` are not enforced here.
 */

// biome-ignore lint/suspicious/noExplicitAny: admission edits untyped pod JSON.
type Json = any;
type ResourceList = Record<string, string>;

const annotation = 'kubernetes.io/limit-ranger';

/** LimitRange defaulting (SetDefaults_LimitRangeItem): default ← max, defaultRequest ← default, then ← min. */
export function defaultLimitRange(spec: Json): void {
  for (const item of spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    item.default = { ...(item.max ?? {}), ...(item.default ?? {}) };
    item.defaultRequest = { ...(item.min ?? {}), ...item.default, ...(item.defaultRequest ?? {}) };
  }
}

function containerItems(limitRanges: KubeObject[]): Json[] {
  return limitRanges.flatMap((lr) => (lr.spec?.limits ?? []).filter((i: Json) => i.type === 'Container'));
}

/** Sets the defaults the container lacks; returns the annotation's parts for it (requests first, then limits). */
function mergeDefaults(
  container: Json,
  requests: ResourceList,
  limits: ResourceList,
  what: string,
): string[] {
  container.resources ??= {};
  const resources = container.resources;
  const fill = (target: 'requests' | 'limits', defaults: ResourceList) => {
    resources[target] ??= {};
    const set = Object.keys(defaults).filter((k) => !(k in resources[target]));
    for (const k of set) resources[target][k] = defaults[k];
    return set.sort();
  };
  const setLimits = fill('limits', limits);
  const setRequests = fill('requests', requests);
  return [
    ...(setRequests.length ? [`${setRequests.join(', ')} request for ${what} ${container.name}`] : []),
    ...(setLimits.length ? [`${setLimits.join(', ')} limit for ${what} ${container.name}`] : []),
  ];
}

function violations(item: Json, container: Json): string[] {
  const requests: ResourceList = container.resources?.requests ?? {};
  const limits: ResourceList = container.resources?.limits ?? {};
  const errors: string[] = [];
  const value = (q: string) => parseQuantity(q);
  for (const [name, min] of Object.entries<string>(item.min ?? {})) {
    const prefix = `minimum ${name} usage per Container is ${min}`;
    if (!(name in requests)) errors.push(`${prefix}.  No request is specified`);
    else if (value(requests[name]!) < value(min)) errors.push(`${prefix}, but request is ${requests[name]}`);
    else if (name in limits && value(limits[name]!) < value(min))
      errors.push(`${prefix}, but limit is ${limits[name]}`);
  }
  for (const [name, max] of Object.entries<string>(item.max ?? {})) {
    const prefix = `maximum ${name} usage per Container is ${max}`;
    if (!(name in limits)) errors.push(`${prefix}.  No limit is specified`);
    else if (value(limits[name]!) > value(max)) errors.push(`${prefix}, but limit is ${limits[name]}`);
    else if (name in requests && value(requests[name]!) > value(max))
      errors.push(`${prefix}, but request is ${requests[name]}`);
  }
  return errors;
}

/**
 * Admits a pod being created against its namespace's LimitRanges, one after another as the plugin runs them (a
 * LimitRange fills only what the ones before left unset; the annotation names the last one's additions), then
 * enforces min and max.
 */
export function admitLimitRanges(pod: KubeObject, limitRanges: KubeObject[]): void {
  const spec = pod.spec ?? {};
  for (const limitRange of limitRanges) {
    const items = containerItems([limitRange]);
    if (items.length === 0) continue;
    const requests: ResourceList = Object.assign({}, ...items.map((i) => i.defaultRequest ?? {}));
    const limits: ResourceList = Object.assign({}, ...items.map((i) => i.default ?? {}));
    const set = [
      ...(spec.containers ?? []).flatMap((c: Json) => mergeDefaults(c, requests, limits, 'container')),
      ...(spec.initContainers ?? []).flatMap((c: Json) =>
        mergeDefaults(c, requests, limits, 'init container'),
      ),
    ];
    if (set.length > 0)
      pod.metadata.annotations = {
        ...(pod.metadata.annotations ?? {}),
        [annotation]: `LimitRanger plugin set: ${set.join('; ')}`,
      };
  }
  const containers: Json[] = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  const items = containerItems(limitRanges);
  const errors = [...new Set(items.flatMap((item) => containers.flatMap((c) => violations(item, c))))];
  if (errors.length === 0) return;
  const name = pod.metadata.name ?? '';
  throw new ApiError(
    403,
    'Forbidden',
    `pods "${name}" is forbidden: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}`,
    { name, kind: 'pods' },
  );
}
