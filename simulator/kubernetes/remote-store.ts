import { setMaxListeners } from 'node:events';
import type { ClusterClient } from '../store/client.js';
import { notFound } from '../store/errors.js';
import { apiVersionOf, type ResourceRegistry, type ResourceType, resourceKey } from '../store/resources.js';
import {
  type Clock,
  clone,
  type DeleteOptions,
  type ListOptions,
  matchesListOptions,
  type StoreEvent,
  systemClock,
} from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import type { ApiClient, WatchLine } from './api-client.js';

/** The kinds the node agent's parts read, by `group/plural`; other kinds list as empty. */
export const nodeAgentResources = [
  '/pods',
  '/nodes',
  '/services',
  '/namespaces',
  '/configmaps',
  'apps/deployments',
  'batch/jobs',
  'autoscaling/horizontalpodautoscalers',
  'networking.k8s.io/ingresses',
  'gateway.networking.k8s.io/httproutes',
  'scheduling.k8s.io/priorityclasses',
  'coordination.k8s.io/leases',
  'keda.sh/scaledobjects',
  'k6.io/testruns',
];

/** Re-list period of a kind the server does not serve yet (a CRD not installed). */
const absentRetryMs = 5000;

export function collectionPath(type: ResourceType, namespace?: string): string {
  const prefix = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  return type.namespaced && namespace
    ? `${prefix}/namespaces/${namespace}/${type.plural}`
    : `${prefix}/${type.plural}`;
}

export function objectPath(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${collectionPath(type, namespace)}/${encodeURIComponent(name)}`;
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

interface Informer {
  type: ResourceType;
  objects: Map<string, KubeObject>;
  resourceVersion: string;
  synced: boolean;
}

/**
 * ClusterClient over a real kube-apiserver: one informer (list, then watch from the list's resourceVersion, re-list
 * on 410 Gone) per kind the node agent reads, answering reads from that cache; writes are sent in order per object,
 * and their outcome comes back through the watch. A write refused with 409 Conflict re-delivers the cached object so
 * the writer's controller retries on the current version; any other refusal is reported through `onError`.
 */
export class ApiServerStore implements ClusterClient {
  readonly clock: Clock = systemClock;
  private revision = 0;
  private readonly informers = new Map<string, Informer>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly writes = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly client: ApiClient,
    readonly registry: ResourceRegistry,
    private readonly onError: (message: string) => void,
    resources: string[] = nodeAgentResources,
  ) {
    // One abort listener per informer's open watch: more than Node's default warning threshold of 10.
    setMaxListeners(0, this.abort.signal);
    for (const type of registry.all()) {
      if (resources.includes(resourceKey(type)))
        this.informers.set(resourceKey(type), {
          type,
          objects: new Map(),
          resourceVersion: '',
          synced: false,
        });
    }
  }

  get resourceVersion(): number {
    return this.revision;
  }

  nowIso(): string {
    return new Date(Math.floor(this.clock.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }

  /** Starts every informer; resolves once each kind the server serves has been listed. */
  async start(): Promise<void> {
    const listed = [...this.informers.values()].map(
      (informer) =>
        new Promise<void>((resolve) => {
          this.running.push(this.run(informer, resolve));
        }),
    );
    await Promise.all(listed);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.running, ...this.writes.values()]);
    this.listeners.clear();
  }

  private async run(informer: Informer, listed: () => void): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      try {
        if (!informer.synced) {
          const served = await this.relist(informer);
          listed();
          if (!served) {
            await sleep(absentRetryMs, signal);
            continue;
          }
        }
        const path = `${collectionPath(informer.type)}?watch=1&allowWatchBookmarks=true&resourceVersion=${informer.resourceVersion}`;
        const status = await this.client.watch(path, signal, (line) => this.onWatch(informer, line));
        if (status >= 400) informer.synced = false;
      } catch (error) {
        if (signal.aborted) return;
        this.onError(`watch ${resourceKey(informer.type)}: ${(error as Error).message}`);
        informer.synced = false;
        await sleep(1000, signal);
      }
    }
  }

  /** Lists a kind and turns the difference with the cache into events; false when the server does not serve it. */
  private async relist(informer: Informer): Promise<boolean> {
    const { status, body } = await this.client.call('GET', collectionPath(informer.type));
    if (status === 404) return false;
    if (status >= 400) throw new Error(`list: ${status} ${(body as { message?: string })?.message ?? ''}`);
    const list = body as { metadata: { resourceVersion: string }; items: KubeObject[] };
    const seen = new Set<string>();
    for (const item of list.items) {
      const object = { ...item, apiVersion: apiVersionOf(informer.type), kind: informer.type.kind };
      seen.add(keyOf(object));
      const old = informer.objects.get(keyOf(object));
      if (old?.metadata.resourceVersion !== object.metadata.resourceVersion)
        this.apply(informer, old ? 'MODIFIED' : 'ADDED', object);
    }
    for (const [key, old] of informer.objects) if (!seen.has(key)) this.apply(informer, 'DELETED', old);
    informer.resourceVersion = list.metadata.resourceVersion;
    informer.synced = true;
    return true;
  }

  private onWatch(informer: Informer, line: WatchLine): void {
    const rv = line.object.metadata?.resourceVersion;
    if (line.type === 'ERROR') {
      // 410 Gone (compacted) or any other watch error: re-list from scratch.
      informer.synced = false;
      return;
    }
    if (rv) informer.resourceVersion = rv;
    if (line.type === 'BOOKMARK') return;
    this.apply(informer, line.type, line.object as unknown as KubeObject);
  }

  private apply(informer: Informer, type: StoreEvent['type'], object: KubeObject): void {
    if (type === 'DELETED') informer.objects.delete(keyOf(object));
    else informer.objects.set(keyOf(object), object);
    this.revision++;
    this.emit({ type, resource: informer.type, object, resourceVersion: this.revision });
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(clone(event));
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private cached(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.informers
      .get(resourceKey(type))
      ?.objects.get(`${type.namespaced ? (namespace ?? '') : ''}/${name}`);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const object = this.tryGet(type, namespace, name);
    if (!object) throw notFound(type.plural, type.group, name);
    return object;
  }

  tryGet(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const object = this.cached(type, namespace, name);
    return object && clone(object);
  }

  list(type: ResourceType, options: ListOptions = {}): { items: KubeObject[]; resourceVersion: number } {
    const objects = [...(this.informers.get(resourceKey(type))?.objects.values() ?? [])];
    const items = objects
      .filter((o) => matchesListOptions(o, options))
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)))
      .map(clone);
    return { items, resourceVersion: this.revision };
  }

  /** Sends one write after the previous write to the same object, and handles its refusal. */
  private send(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    method: string,
    path: string,
    body: unknown,
  ): void {
    const key = `${resourceKey(type)}/${namespace ?? ''}/${name}`;
    const previous = this.writes.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => this.client.call(method, path, body))
      .then(({ status, body: answer }) => {
        // A NotFound naming the object: deleted meanwhile, and the watch brings that. The kubelet's status manager
        // likewise drops an update to a pod that no longer exists.
        if (status < 400 || (status === 404 && (method === 'DELETE' || namesObject(answer, name)))) return;
        if (status === 409) {
          const current = this.cached(type, namespace, name);
          // Created meanwhile, or written from an older version: controllers retry on the cached current object.
          if (current)
            this.emit({ type: 'MODIFIED', resource: type, object: current, resourceVersion: this.revision });
          return;
        }
        this.onError(`${method} ${path}: ${status} ${(answer as { message?: string })?.message ?? ''}`);
      })
      .catch((error: Error) => {
        if (!this.abort.signal.aborted) this.onError(`${method} ${path}: ${error.message}`);
      })
      .finally(() => {
        if (this.writes.get(key) === next) this.writes.delete(key);
      });
    this.writes.set(key, next);
  }

  create(type: ResourceType, input: KubeObject): KubeObject {
    const object = { ...clone(input), apiVersion: apiVersionOf(type), kind: type.kind };
    const { namespace, name } = object.metadata;
    this.send(type, namespace, name ?? '', 'POST', collectionPath(type, namespace), object);
    return object;
  }

  update(type: ResourceType, input: KubeObject, options: { subresource?: 'status' } = {}): KubeObject {
    const object = { ...clone(input), apiVersion: apiVersionOf(type), kind: type.kind };
    const { namespace, name } = object.metadata;
    const path =
      objectPath(type, namespace, name as string) + (options.subresource ? `/${options.subresource}` : '');
    this.send(type, namespace, name as string, 'PUT', path, object);
    return object;
  }

  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): KubeObject {
    const current = this.get(type, namespace, name);
    this.send(type, namespace, name, 'DELETE', objectPath(type, namespace, name), {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      propagationPolicy: 'Background',
      ...options,
    });
    return current;
  }

  remove(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const current = this.get(type, namespace, name);
    return this.delete(type, namespace, name, {
      gracePeriodSeconds: 0,
      preconditions: { uid: current.metadata.uid as string },
    });
  }
}

/** Whether a Status answer is about the object `name` itself (not, say, its namespace or an unknown path). */
function namesObject(answer: unknown, name: string): boolean {
  return (answer as { details?: { name?: string } } | undefined)?.details?.name === name;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
