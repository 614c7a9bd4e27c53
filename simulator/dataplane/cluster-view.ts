import type { ClusterClient } from '../store/client.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';

/** The object kinds the data plane and the metrics endpoint read, by `group/plural`. */
export const trackedResources = {
  pods: '/pods',
  services: '/services',
  nodes: '/nodes',
  deployments: 'apps/deployments',
  hpas: 'autoscaling/horizontalpodautoscalers',
  ingresses: 'networking.k8s.io/ingresses',
  httproutes: 'gateway.networking.k8s.io/httproutes',
} as const;

export type TrackedKind = keyof typeof trackedResources;

const kindByKey = new Map<string, TrackedKind>(
  Object.entries(trackedResources).map(([kind, key]) => [key, kind as TrackedKind]),
);

const objectKey = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

/**
 * An informer-like cache of the tracked kinds, kept current from store events so that routing a request costs
 * map lookups rather than store lists. `revision` changes on every change to a tracked object.
 */
export class ClusterView {
  private readonly objects = new Map<TrackedKind, Map<string, KubeObject>>();
  private unsubscribe: (() => void) | undefined;
  revision = 0;

  constructor(private readonly onChange: (kind: TrackedKind, event: StoreEvent) => void = () => {}) {
    for (const kind of Object.keys(trackedResources) as TrackedKind[]) this.objects.set(kind, new Map());
  }

  /** Lists every tracked kind, then follows changes. */
  start(store: ClusterClient): void {
    this.unsubscribe = store.subscribe((event) => this.apply(event));
    for (const type of store.registry.all()) {
      const kind = kindByKey.get(`${type.group}/${type.plural}`);
      if (!kind) continue;
      for (const object of store.list(type).items) {
        this.apply({ type: 'ADDED', resource: type, object, resourceVersion: store.resourceVersion });
      }
    }
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private apply(event: StoreEvent): void {
    const kind = kindByKey.get(`${event.resource.group}/${event.resource.plural}`);
    if (!kind) return;
    const table = this.objects.get(kind) as Map<string, KubeObject>;
    const key = objectKey(event.object.metadata.namespace, event.object.metadata.name as string);
    if (event.type === 'DELETED') table.delete(key);
    else table.set(key, event.object);
    this.revision++;
    this.onChange(kind, event);
  }

  get(kind: TrackedKind, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(kind)?.get(objectKey(namespace, name));
  }

  /** Objects of a kind, optionally in one namespace, sorted by namespace then name. */
  list(kind: TrackedKind, namespace?: string): KubeObject[] {
    const all = [...(this.objects.get(kind)?.values() ?? [])].filter(
      (o) => namespace === undefined || o.metadata.namespace === namespace,
    );
    return all.sort((a, b) =>
      objectKey(a.metadata.namespace, a.metadata.name as string).localeCompare(
        objectKey(b.metadata.namespace, b.metadata.name as string),
      ),
    );
  }
}
