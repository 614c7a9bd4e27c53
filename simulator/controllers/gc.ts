import { type ResourceType, resourceKey } from '../store/resources.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject, OwnerReference } from '../store/types.js';
import { isType } from './objects.js';
import { QueueController } from './queue-controller.js';

const foreground = 'foregroundDeletion';

interface Ref {
  type: ResourceType;
  namespace: string | undefined;
  name: string;
}

const refKey = (r: Ref) => `${resourceKey(r.type)}|${r.namespace ?? ''}|${r.name}`;

/**
 * The garbage collector: keeps a graph of ownerReferences (owner uid → dependents). A dependent whose owners are
 * all gone is deleted (background propagation); dangling references to some of several owners are dropped. An
 * owner marked with the `foregroundDeletion` finalizer gets its dependents deleted first and loses the finalizer
 * once none remain. (Orphan propagation is done by the API server's DELETE.) Like the pod GC, it also removes pods
 * bound to nodes that no longer exist.
 */
export class GarbageCollector extends QueueController {
  readonly name = 'garbage-collector';
  private readonly dependents = new Map<string, Map<string, Ref>>();
  private readonly ownersOf = new Map<string, string[]>();
  private readonly objectsByUid = new Map<string, Ref>();

  protected override begin(): void {
    for (const type of this.context.registry.all()) {
      for (const object of this.context.store.list(type).items) this.observe(type, object, 'ADDED');
    }
    this.queue.add('orphaned-pods');
  }

  protected override onEvent(event: StoreEvent): void {
    this.observe(event.resource, event.object, event.type);
    if (isType(event.resource, this.types.nodes) && event.type === 'DELETED') this.queue.add('orphaned-pods');
  }

  private observe(type: ResourceType, object: KubeObject, kind: StoreEvent['type']): void {
    const uid = object.metadata.uid as string;
    const ref: Ref = { type, namespace: object.metadata.namespace, name: object.metadata.name as string };
    const key = refKey(ref);
    const owners = (object.metadata.ownerReferences ?? []).map((r) => r.uid);
    for (const owner of this.ownersOf.get(uid) ?? []) this.dependents.get(owner)?.delete(key);
    if (kind === 'DELETED') {
      this.ownersOf.delete(uid);
      this.objectsByUid.delete(uid);
      // The owner's dependents may now be garbage; a foreground owner may now be free to go.
      this.queue.add(`owner:${uid}`);
      for (const owner of owners) this.queue.add(`owner:${owner}`);
      return;
    }
    this.objectsByUid.set(uid, ref);
    this.ownersOf.set(uid, owners);
    for (const owner of owners) {
      let set = this.dependents.get(owner);
      if (!set) {
        set = new Map();
        this.dependents.set(owner, set);
      }
      set.set(key, ref);
    }
    if (owners.length > 0 && kind === 'ADDED') this.queue.add(`dependent:${uid}`);
    if (object.metadata.deletionTimestamp && object.metadata.finalizers?.includes(foreground)) {
      this.queue.add(`owner:${uid}`);
    }
  }

  protected sync(key: string): void {
    if (key === 'orphaned-pods') this.removePodsOfMissingNodes();
    else if (key.startsWith('owner:')) this.processOwner(key.slice('owner:'.length));
    else if (key.startsWith('dependent:')) {
      const ref = this.objectsByUid.get(key.slice('dependent:'.length));
      if (ref) this.processDependent(ref);
    }
  }

  private processOwner(uid: string): void {
    const { store } = this.context;
    const dependents = [...(this.dependents.get(uid)?.values() ?? [])];
    const ownerRef = this.objectsByUid.get(uid);
    const owner = ownerRef && store.tryGet(ownerRef.type, ownerRef.namespace, ownerRef.name);
    if (!owner || owner.metadata.uid !== uid) {
      for (const dependent of dependents) this.processDependent(dependent);
      if (dependents.length === 0) this.dependents.delete(uid);
      return;
    }
    if (!owner.metadata.deletionTimestamp || !owner.metadata.finalizers?.includes(foreground)) return;
    const remaining = dependents.filter((d) => store.tryGet(d.type, d.namespace, d.name));
    for (const d of remaining) {
      const object = store.tryGet(d.type, d.namespace, d.name);
      if (!object || object.metadata.deletionTimestamp) continue;
      // Foreground propagates: a dependent with dependents of its own waits for them in turn.
      if ((this.dependents.get(object.metadata.uid as string)?.size ?? 0) > 0) {
        const finalizers = [...new Set([...(object.metadata.finalizers ?? []), foreground])];
        store.update(d.type, { ...object, metadata: { ...object.metadata, finalizers } });
      }
      store.delete(d.type, d.namespace, d.name);
    }
    if (remaining.length === 0) {
      const finalizers = (owner.metadata.finalizers ?? []).filter((f) => f !== foreground);
      store.update(ownerRef.type, { ...owner, metadata: { ...owner.metadata, finalizers } });
    }
  }

  private ownerExists(reference: OwnerReference, namespace: string | undefined): boolean {
    const type = this.context.registry.byKind(reference.apiVersion, reference.kind);
    // An owner of a kind this cluster does not serve cannot be checked; keep the dependent, as the real GC does
    // while the kind's discovery is unavailable.
    if (!type) return true;
    const owner = this.context.store.tryGet(type, type.namespaced ? namespace : undefined, reference.name);
    return owner?.metadata.uid === reference.uid;
  }

  private processDependent(ref: Ref): void {
    const { store } = this.context;
    const object = store.tryGet(ref.type, ref.namespace, ref.name);
    const references = object?.metadata.ownerReferences ?? [];
    if (!object || references.length === 0) return;
    const alive = references.filter((r) => this.ownerExists(r, ref.namespace));
    if (alive.length === references.length) return;
    if (alive.length === 0) {
      if (!object.metadata.deletionTimestamp) store.delete(ref.type, ref.namespace, ref.name);
      return;
    }
    store.update(ref.type, { ...object, metadata: { ...object.metadata, ownerReferences: alive } });
  }

  /** PodGC: pods bound to a node that no longer exists are removed at once (their kubelet is gone). */
  private removePodsOfMissingNodes(): void {
    const { store } = this.context;
    const nodes = new Set(store.list(this.types.nodes).items.map((n) => n.metadata.name));
    for (const pod of store.list(this.types.pods).items) {
      if (pod.spec?.nodeName && !nodes.has(pod.spec.nodeName)) {
        store.remove(this.types.pods, pod.metadata.namespace, pod.metadata.name as string);
      }
    }
  }
}
