import type { ResourceRegistry, ResourceType } from '../store/resources.js';
import type { ObjectStore, StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import { localApiService } from './system-objects.js';

/**
 * The apiextensions part of kube-apiserver: a CustomResourceDefinition makes its custom resources servable (every
 * served version, the storage version stored, the others converted with `conversion: None`, i.e. only the
 * apiVersion changes), gets the NamesAccepted and Established conditions, and an automanaged APIService for its
 * group/version; deleting it removes the custom resources. Its schemas prune unknown fields (field-validation.ts);
 * values are not validated against them.
 */

// biome-ignore lint/suspicious/noExplicitAny: CRDs are untyped JSON.
type Json = any;

function typesOf(crd: KubeObject): ResourceType[] {
  const spec: Json = crd.spec ?? {};
  const names: Json = spec.names ?? {};
  const versions: Json[] = spec.versions ?? [];
  const storage = versions.find((v) => v.storage)?.name ?? versions[0]?.name;
  return versions
    .filter((v) => v.served !== false)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      kind: names.kind,
      plural: names.plural,
      singular: names.singular ?? String(names.kind ?? '').toLowerCase(),
      namespaced: spec.scope !== 'Cluster',
      ...(names.shortNames ? { shortNames: names.shortNames } : {}),
      ...(names.categories ? { categories: names.categories } : {}),
      subresources: [
        ...(v.subresources?.status ? (['status'] as const) : []),
        ...(v.subresources?.scale ? (['scale'] as const) : []),
      ],
      verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
      ...(v.name !== storage ? { storedAs: { group: spec.group, version: storage } } : {}),
      ...(v.additionalPrinterColumns ? { printerColumns: v.additionalPrinterColumns } : {}),
      ...(v.schema?.openAPIV3Schema ? { schema: v.schema.openAPIV3Schema } : {}),
      customResource: true,
    }));
}

export class CrdRegistrar {
  private readonly served = new Map<string, ResourceType[]>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
  ) {}

  private crdType(): ResourceType | undefined {
    return this.registry.byKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
  }

  start(): void {
    const type = this.crdType();
    if (!type) return;
    for (const crd of this.store.list(type).items) this.serve(crd);
    this.unsubscribe = this.store.subscribe((event) => this.onEvent(event));
  }

  stop(): void {
    this.unsubscribe?.();
  }

  private onEvent(event: StoreEvent): void {
    const type = this.crdType();
    if (!type || event.resource.group !== type.group || event.resource.plural !== type.plural) return;
    // Work happens after the write that caused it, as a controller's would.
    const crd = event.object;
    setImmediate(() => (event.type === 'DELETED' ? this.withdraw(crd) : this.serve(crd)));
  }

  private serve(crd: KubeObject): void {
    const name = crd.metadata.name as string;
    for (const t of this.served.get(name) ?? []) this.registry.remove(t);
    const types = typesOf(crd);
    for (const t of types) this.registry.add(t);
    this.served.set(name, types);
    this.establish(crd);
  }

  private establish(crd: KubeObject): void {
    const type = this.crdType() as ResourceType;
    const current = this.store.tryGet(type, undefined, crd.metadata.name as string);
    if (!current || current.metadata.deletionTimestamp) return;
    const now = this.store.nowIso();
    const condition = (t: string, reason: string, message: string) => ({
      type: t,
      status: 'True',
      lastTransitionTime:
        (current.status?.conditions ?? []).find((c: Json) => c.type === t)?.lastTransitionTime ?? now,
      reason,
      message,
    });
    const versions: Json[] = current.spec?.versions ?? [];
    const storage = versions.find((v) => v.storage)?.name;
    const status = {
      conditions: [
        condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
        condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
      ],
      acceptedNames: current.spec?.names ?? {},
      storedVersions: [
        ...new Set([...(current.status?.storedVersions ?? []), ...(storage ? [storage] : [])]),
      ],
    };
    if (JSON.stringify(status) !== JSON.stringify(current.status))
      this.store.update(type, { ...current, status }, { subresource: 'status' });
    const apiServices = this.registry.byKind('apiregistration.k8s.io/v1', 'APIService');
    for (const v of versions.filter((x) => x.served !== false)) {
      const service = localApiService(current.spec.group, v.name);
      service.metadata.labels = { 'kube-aggregator.kubernetes.io/automanaged': 'true' };
      if (apiServices && !this.store.tryGet(apiServices, undefined, service.metadata.name as string))
        this.store.create(apiServices, service);
    }
  }

  private withdraw(crd: KubeObject): void {
    const name = crd.metadata.name as string;
    const types = this.served.get(name) ?? [];
    const stored = types.find((t) => !t.storedAs);
    if (stored)
      for (const o of this.store.list(stored).items)
        if (this.store.tryGet(stored, o.metadata.namespace, o.metadata.name as string))
          this.store.remove(stored, o.metadata.namespace, o.metadata.name as string);
    for (const t of types) this.registry.remove(t);
    this.served.delete(name);
  }
}
