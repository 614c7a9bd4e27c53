import { randomUUID } from 'node:crypto';
import { alreadyExists, badRequest, conflict, gone, notFound } from './errors.js';
import { apiVersionOf, type ResourceRegistry, type ResourceType, resourceKey } from './resources.js';
import {
  type FieldRequirement,
  type LabelRequirement,
  matchesFieldSelector,
  matchesRequirements,
} from './selectors.js';
import type { KubeObject, WatchEventType } from './types.js';

/** A committed change, as a watch or a controller sees it. `object` is a private copy. */
export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceType;
  object: KubeObject;
  resourceVersion: number;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: LabelRequirement[];
  fieldSelector?: FieldRequirement[];
}

export interface WatchOptions extends ListOptions {
  /** Replay every change after this version first; 0 or undefined means "from now". */
  sinceResourceVersion?: number;
}

/** What a delete may carry, as in metav1.DeleteOptions. */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Whether an object is in a list with these options (namespace, label and field selectors). */
export function matchesListOptions(object: KubeObject, options: ListOptions): boolean {
  if (options.namespace && object.metadata.namespace !== options.namespace) return false;
  if (options.labelSelector && !matchesRequirements(object.metadata.labels, options.labelSelector))
    return false;
  if (options.fieldSelector && !matchesFieldSelector(object, options.fieldSelector)) return false;
  return true;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface StoreOptions {
  clock?: Clock;
  /** How many past events a watch can resume from; older versions answer 410 Gone, like a compacted etcd. */
  historySize?: number;
}

/** Deep copy for plain JSON data; the store never hands out its own objects. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const storageKey = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

/**
 * The local cluster's etcd: objects by type, a single increasing resourceVersion, and an event history for watches.
 * It applies the storage-level rules kube-apiserver applies to every type (uid, creationTimestamp, generation,
 * optimistic concurrency, finalizers); type-specific validation and defaulting live in the API layer.
 *
 * Listeners run synchronously after each commit and must not write back inline (enqueue work instead).
 */
export class ObjectStore {
  readonly clock: Clock;
  private revision = 0;
  private readonly tables = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly historySize: number;
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  constructor(
    readonly registry: ResourceRegistry,
    options: StoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.historySize = options.historySize ?? 20_000;
  }

  get resourceVersion(): number {
    return this.revision;
  }

  nowIso(): string {
    return isoSeconds(this.clock.now());
  }

  private table(type: ResourceType): Map<string, KubeObject> {
    const key = resourceKey(type);
    let table = this.tables.get(key);
    if (!table) {
      table = new Map();
      this.tables.set(key, table);
    }
    return table;
  }

  private commit(type: WatchEventType, resource: ResourceType, object: KubeObject): void {
    const event: StoreEvent = { type, resource, object: clone(object), resourceVersion: this.revision };
    this.history.push(event);
    if (this.history.length > this.historySize)
      this.history.splice(0, this.history.length - this.historySize);
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Subscribes to every committed change of every type. Returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.table(type).get(storageKey(type.namespaced ? namespace : undefined, name));
    if (!found) throw notFound(type.plural, type.group, name);
    return clone(found);
  }

  tryGet(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.table(type).get(storageKey(type.namespaced ? namespace : undefined, name));
    return found ? clone(found) : undefined;
  }

  private matches(object: KubeObject, options: ListOptions): boolean {
    return matchesListOptions(object, options);
  }

  /** Objects sorted by namespace then name, as kube-apiserver lists them. */
  list(type: ResourceType, options: ListOptions = {}): { items: KubeObject[]; resourceVersion: number } {
    const items = [...this.table(type).values()]
      .filter((o) => this.matches(o, options))
      .sort((a, b) =>
        storageKey(a.metadata.namespace, a.metadata.name as string).localeCompare(
          storageKey(b.metadata.namespace, b.metadata.name as string),
        ),
      )
      .map(clone);
    return { items, resourceVersion: this.revision };
  }

  /** Stores a new object; `uid` is the one the API server chose already (a Job's selector names it). */
  create(type: ResourceType, input: KubeObject, options: { uid?: string } = {}): KubeObject {
    const object = clone(input);
    const meta = object.metadata ?? {};
    object.metadata = meta;
    object.apiVersion = apiVersionOf(type);
    object.kind = type.kind;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomUUID().slice(0, 5)}`;
    if (!meta.name) throw badRequest('resource name may not be empty');
    if (!type.namespaced) delete meta.namespace;
    const key = storageKey(meta.namespace, meta.name);
    const table = this.table(type);
    if (table.has(key)) throw alreadyExists(type.plural, type.group, meta.name);
    this.revision++;
    meta.uid = options.uid ?? randomUUID();
    meta.resourceVersion = String(this.revision);
    meta.creationTimestamp = this.nowIso();
    meta.generation = 1;
    delete meta.deletionTimestamp;
    table.set(key, object);
    this.commit('ADDED', type, object);
    return clone(object);
  }

  /**
   * Replaces an object. A non-empty metadata.resourceVersion must match the stored one (409 Conflict otherwise).
   * With `subresource: 'status'` only the status and the annotations change; otherwise the status is kept from the stored object
   * for types that have a status subresource, and metadata.generation rises when the spec changes.
   */
  update(type: ResourceType, input: KubeObject, options: { subresource?: 'status' } = {}): KubeObject {
    const name = input.metadata?.name as string;
    const namespace = type.namespaced ? input.metadata?.namespace : undefined;
    const table = this.table(type);
    const key = storageKey(namespace, name);
    const current = table.get(key);
    if (!current) throw notFound(type.plural, type.group, name);
    const expected = input.metadata.resourceVersion;
    if (expected && expected !== current.metadata.resourceVersion) {
      throw conflict(
        type.plural,
        type.group,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    let next: KubeObject;
    if (options.subresource === 'status') {
      next = clone(current);
      next.status = clone(input.status);
      // kube-apiserver's status strategies reset the spec (and, for some kinds, labels), not the annotations: the
      // Deployment controller records its revision annotation with the status, so the generation stays.
      if (input.metadata.annotations !== undefined)
        next.metadata.annotations = clone(input.metadata.annotations);
    } else {
      next = clone(input);
      next.apiVersion = apiVersionOf(type);
      next.kind = type.kind;
      // Identity and bookkeeping fields are the server's, whatever the client sent.
      next.metadata.uid = current.metadata.uid;
      next.metadata.creationTimestamp = current.metadata.creationTimestamp;
      next.metadata.generation = current.metadata.generation;
      if (current.metadata.deletionTimestamp)
        next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
      else delete next.metadata.deletionTimestamp;
      if (type.subresources.includes('status')) next.status = clone(current.status);
      if (raisesGeneration(type, next, current))
        next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    }
    if (JSON.stringify(next) === JSON.stringify(current)) return clone(current);
    if (
      next.metadata.deletionTimestamp &&
      (next.metadata.finalizers ?? []).length === 0 &&
      !this.awaitsKubelet(type, next)
    ) {
      return this.remove(type, namespace, name);
    }
    this.revision++;
    next.metadata.resourceVersion = String(this.revision);
    table.set(key, next);
    this.commit('MODIFIED', type, next);
    return clone(next);
  }

  /** A pod bound to a node stays, marked, until its kubelet confirms it stopped (grace period). */
  private awaitsKubelet(type: ResourceType, object: KubeObject): boolean {
    return (
      type.group === '' &&
      type.plural === 'pods' &&
      Boolean(object.spec?.nodeName) &&
      (object.metadata.deletionGracePeriodSeconds ?? 0) > 0
    );
  }

  /**
   * Deletes as kube-apiserver does: objects with finalizers, and pods bound to a node with a non-zero grace
   * period, are only marked (deletionTimestamp) and go when the finalizers are gone or the kubelet removes them.
   * Returns the object as it was removed or marked.
   */
  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): KubeObject {
    const key = storageKey(type.namespaced ? namespace : undefined, name);
    const current = this.table(type).get(key);
    if (!current) throw notFound(type.plural, type.group, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw conflict(
        type.plural,
        type.group,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(
        type.plural,
        type.group,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    const next = clone(current);
    if (type.group === '' && type.plural === 'pods') {
      next.metadata.deletionGracePeriodSeconds =
        options.gracePeriodSeconds ?? next.spec?.terminationGracePeriodSeconds ?? 30;
    }
    const marked = Boolean(current.metadata.deletionTimestamp);
    if ((next.metadata.finalizers ?? []).length > 0 || this.awaitsKubelet(type, next)) {
      if (
        marked &&
        next.metadata.deletionGracePeriodSeconds === current.metadata.deletionGracePeriodSeconds
      ) {
        return clone(current);
      }
      next.metadata.deletionTimestamp = marked ? current.metadata.deletionTimestamp : this.nowIso();
      this.revision++;
      next.metadata.resourceVersion = String(this.revision);
      this.table(type).set(key, next);
      this.commit('MODIFIED', type, next);
      return clone(next);
    }
    return this.remove(type, namespace, name);
  }

  /** Removes an object at once, with no grace and no finalizers: the kubelet's and the garbage collector's last step. */
  remove(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const key = storageKey(type.namespaced ? namespace : undefined, name);
    const table = this.table(type);
    const current = table.get(key);
    if (!current) throw notFound(type.plural, type.group, name);
    table.delete(key);
    this.revision++;
    const removed = clone(current);
    removed.metadata.resourceVersion = String(this.revision);
    removed.metadata.deletionTimestamp ??= this.nowIso();
    this.commit('DELETED', type, removed);
    return clone(removed);
  }

  /**
   * Streams changes of one type. With `sinceResourceVersion`, first replays the retained changes after it; a version
   * older than the retained history throws 410 Gone ("too old resource version"), as kube-apiserver answers.
   */
  watch(type: ResourceType, options: WatchOptions, onEvent: (event: StoreEvent) => void): () => void {
    const since = options.sinceResourceVersion ?? 0;
    const relevant = (e: StoreEvent) =>
      e.resource === type || (e.resource.group === type.group && e.resource.plural === type.plural);
    if (since > 0) {
      const oldest = this.history[0]?.resourceVersion ?? this.revision + 1;
      if (since < oldest - 1 && since < this.revision) {
        throw gone(`too old resource version: ${since} (${oldest - 1})`);
      }
      for (const e of this.history) {
        if (e.resourceVersion > since && relevant(e) && this.matches(e.object, options)) onEvent(clone(e));
      }
    }
    return this.subscribe((e) => {
      if (relevant(e) && this.matches(e.object, options)) onEvent(clone(e));
    });
  }
}

/**
 * Whether an update raises metadata.generation: a spec change; for a type without spec, a change of its other
 * top-level fields; for a Deployment also an annotation change (its strategy's PrepareForUpdate: annotations are
 * copied to the ReplicaSets).
 */
export function raisesGeneration(type: ResourceType, next: KubeObject, current: KubeObject): boolean {
  if (JSON.stringify(next.spec) !== JSON.stringify(current.spec)) return true;
  if (
    type.group === 'apps' &&
    type.kind === 'Deployment' &&
    JSON.stringify(next.metadata.annotations ?? {}) !== JSON.stringify(current.metadata.annotations ?? {})
  )
    return true;
  return (
    next.spec === undefined &&
    Object.keys({ ...next, ...current })
      .filter((k) => !['apiVersion', 'kind', 'metadata', 'spec', 'status'].includes(k))
      .some((k) => JSON.stringify(next[k]) !== JSON.stringify(current[k]))
  );
}
