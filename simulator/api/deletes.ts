import { badRequest } from '../store/errors.js';
import type { ResourceRegistry, ResourceType } from '../store/resources.js';
import type { ListOptions, ObjectStore } from '../store/store.js';
import type { KubeObject } from '../store/types.js';

/**
 * DELETE as kube-apiserver does it: grace periods and finalizers (in the store), and the propagation policies.
 * Background leaves dependents to the garbage collector; Orphan removes the owner reference from dependents
 * first; Foreground marks the owner with the `foregroundDeletion` finalizer, which the garbage collector removes once
 * the dependents are gone. Deleting a namespace deletes everything in it.
 */

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

const policies = ['Background', 'Foreground', 'Orphan'];

export class ObjectDeleter {
  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
  ) {}

  private dependents(uid: string | undefined): Array<{ type: ResourceType; object: KubeObject }> {
    if (!uid) return [];
    return this.registry.all().flatMap((type) =>
      this.store
        .list(type)
        .items.filter((o) => (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid))
        .map((object) => ({ type, object })),
    );
  }

  private orphan(uid: string | undefined): void {
    for (const { type, object } of this.dependents(uid)) {
      const ownerReferences = (object.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      const { ownerReferences: _, ...rest } = object.metadata;
      const metadata = ownerReferences.length > 0 ? { ...rest, ownerReferences } : rest;
      this.store.update(type, { ...object, metadata });
    }
  }

  private deleteNamespaceContents(namespace: string): void {
    for (const type of this.registry.all()) {
      if (!type.namespaced) continue;
      for (const object of this.store.list(type, { namespace }).items) {
        this.store.delete(type, namespace, object.metadata.name as string);
      }
    }
  }

  /** Returns the object as removed or as marked for deletion, and whether it is gone. */
  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions,
  ): { object: KubeObject; gone: boolean } {
    const policy = options.propagationPolicy;
    if (policy !== undefined && !policies.includes(policy))
      throw badRequest(
        `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
      );
    const current = this.store.get(type, namespace, name);
    if (options.dryRun) return { object: current, gone: true };
    const pre = options.preconditions;
    // Check preconditions before orphaning or adding finalizers, which change the resourceVersion.
    if (
      (pre?.uid && pre.uid !== current.metadata.uid) ||
      (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)
    )
      this.store.delete(type, namespace, name, { preconditions: pre });
    if (policy === 'Orphan') this.orphan(current.metadata.uid);
    if (policy === 'Foreground' && this.dependents(current.metadata.uid).length > 0) {
      const finalizers = [...new Set([...(current.metadata.finalizers ?? []), 'foregroundDeletion'])];
      this.store.update(type, { ...current, metadata: { ...current.metadata, finalizers } });
    }
    if (type.group === '' && type.kind === 'Namespace') this.deleteNamespaceContents(name);
    const object = this.store.delete(type, namespace, name, {
      ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
    });
    return { object, gone: !this.store.tryGet(type, namespace, name) };
  }

  deleteCollection(type: ResourceType, list: ListOptions, options: DeleteOptions): KubeObject[] {
    return this.store
      .list(type, list)
      .items.map((o) => this.delete(type, o.metadata.namespace, o.metadata.name as string, options).object);
  }
}
