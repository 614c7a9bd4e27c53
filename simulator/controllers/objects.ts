import { randomInt } from 'node:crypto';
import { type ResourceRegistry, type ResourceType, resourceKey } from '../store/resources.js';
import type { KubeObject, OwnerReference } from '../store/types.js';

/** The built-in types the core controllers work with, looked up once. */
export function coreTypes(registry: ResourceRegistry) {
  const find = (apiVersion: string, kind: string): ResourceType => {
    const found = registry.byKind(apiVersion, kind);
    if (!found) throw new Error(`resource type ${apiVersion} ${kind} is not registered`);
    return found;
  };
  return {
    pods: find('v1', 'Pod'),
    nodes: find('v1', 'Node'),
    services: find('v1', 'Service'),
    endpoints: find('v1', 'Endpoints'),
    endpointSlices: find('discovery.k8s.io/v1', 'EndpointSlice'),
    namespaces: find('v1', 'Namespace'),
    configMaps: find('v1', 'ConfigMap'),
    deployments: find('apps/v1', 'Deployment'),
    replicaSets: find('apps/v1', 'ReplicaSet'),
    priorityClasses: find('scheduling.k8s.io/v1', 'PriorityClass'),
  };
}

export type CoreTypes = ReturnType<typeof coreTypes>;

/** Whether a store event's resource is the given type (by group and plural, whichever registry instance). */
export function isType(resource: ResourceType, type: ResourceType): boolean {
  return resource === type || resourceKey(resource) === resourceKey(type);
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
}

export function findCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Returns the conditions with `next` set: lastTransitionTime moves only when the status changes, as every
 * Kubernetes controller's SetCondition helper does.
 */
export function withCondition(
  conditions: Condition[] | undefined,
  next: Condition,
  now: string,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === next.type);
  const previous = index >= 0 ? list[index] : undefined;
  const merged: Condition = {
    ...next,
    lastTransitionTime:
      previous && previous.status === next.status
        ? (previous.lastTransitionTime ?? now)
        : (next.lastTransitionTime ?? now),
  };
  if (index >= 0) list[index] = merged;
  else list.push(merged);
  return list;
}

export function controllerRef(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((r) => r.controller);
}

export function ownerReferenceTo(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name as string,
    uid: owner.metadata.uid as string,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function isPodReady(pod: KubeObject): boolean {
  return findCondition(pod.status?.conditions, 'Ready')?.status === 'True';
}

/** Ready for at least minReadySeconds (deployment/util IsPodAvailable). */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, nowMs: number): boolean {
  const ready = findCondition(pod.status?.conditions, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(ready.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= nowMs;
}

/** A pod that still counts for its controller: not being deleted and not finished. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** The 5-character random suffix of generated names (apimachinery's utilrand.String alphabet). */
export function randomSuffix(length = 5): string {
  let text = '';
  for (let i = 0; i < length; i++) text += suffixAlphabet[randomInt(suffixAlphabet.length)];
  return text;
}

/** `namespace/name`, the work-queue key of namespaced objects (just `name` for cluster-scoped ones). */
export function objectKey(object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${namespace}/${name}` : (name as string);
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0
    ? { namespace: undefined, name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** JSON with object keys sorted, so equal objects written in different key orders compare (and hash) equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Limits how often a controller repeats a Warning about the same object: again only when the message changes or
 * `everySeconds` have passed (the event recorder then bumps the existing Event's count).
 */
export class RepeatLimiter {
  private readonly last = new Map<string, { message: string; at: number }>();

  constructor(private readonly everySeconds: number) {}

  shouldEmit(key: string, message: string, nowMs: number): boolean {
    const last = this.last.get(key);
    if (last && last.message === message && nowMs - last.at < this.everySeconds * 1000) return false;
    this.last.set(key, { message, at: nowMs });
    return true;
  }

  forget(key: string): void {
    this.last.delete(key);
  }
}
