import type { ResourceRegistry, ResourceType } from './resources.js';
import type { Clock, DeleteOptions, ListOptions, StoreEvent } from './store.js';
import type { KubeObject } from './types.js';

/**
 * How a part of the local cluster reads and writes Kubernetes objects. The built-in control plane's ObjectStore
 * implements it directly; against a real kube-apiserver, `ApiServerStore` (simulator/kubernetes/) implements it
 * with a list+watch cache for reads and asynchronous HTTP writes, so the node agent's parts (kubelet, data plane,
 * node groups, KEDA, k6) run unchanged on either control plane.
 *
 * Reads answer from what the client has seen; writes return the object as sent and their result arrives as an
 * event, so callers act on events, never on a write's return value alone.
 */
export interface ClusterClient {
  readonly registry: ResourceRegistry;
  readonly clock: Clock;
  /** Increases with every change the client has seen. */
  readonly resourceVersion: number;
  nowIso(): string;
  subscribe(listener: (event: StoreEvent) => void): () => void;
  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject;
  tryGet(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined;
  list(type: ResourceType, options?: ListOptions): { items: KubeObject[]; resourceVersion: number };
  create(type: ResourceType, input: KubeObject): KubeObject;
  update(type: ResourceType, input: KubeObject, options?: { subresource?: 'status' }): KubeObject;
  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options?: DeleteOptions,
  ): KubeObject;
  /** Removes at once, with no grace: the kubelet's last step of a pod's deletion. */
  remove(type: ResourceType, namespace: string | undefined, name: string): KubeObject;
}
