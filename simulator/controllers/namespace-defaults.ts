import type { StoreEvent } from '../store/store.js';
import { isType } from './objects.js';
import { QueueController } from './queue-controller.js';

/**
 * What kube-controller-manager puts in every namespace: the `default` ServiceAccount (serviceaccounts-controller)
 * and the `kube-root-ca.crt` ConfigMap (root-ca-cert-publisher), re-created when deleted, as upstream.
 */
export class NamespaceDefaultsController extends QueueController {
  readonly name = 'namespace-defaults-controller';

  protected override begin(): void {
    for (const ns of this.context.store.list(this.types.namespaces).items)
      this.queue.add(ns.metadata.name as string);
  }

  protected override onEvent(event: StoreEvent): void {
    const { object } = event;
    if (isType(event.resource, this.types.namespaces) && event.type !== 'DELETED')
      this.queue.add(object.metadata.name as string);
    const defaulted =
      (event.resource.kind === 'ServiceAccount' && object.metadata.name === 'default') ||
      (isType(event.resource, this.types.configMaps) && object.metadata.name === 'kube-root-ca.crt');
    if (defaulted && event.type === 'DELETED') this.queue.add(object.metadata.namespace as string);
  }

  protected sync(namespace: string): void {
    const { store, registry } = this.context;
    const ns = store.tryGet(this.types.namespaces, undefined, namespace);
    // A terminating namespace gets nothing new (the namespace lifecycle admission refuses it).
    if (!ns || ns.metadata.deletionTimestamp) return;
    const serviceAccounts = registry.byKind('v1', 'ServiceAccount');
    if (serviceAccounts && !store.tryGet(serviceAccounts, namespace, 'default')) {
      store.create(serviceAccounts, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace },
      });
    }
    if (!store.tryGet(this.types.configMaps, namespace, 'kube-root-ca.crt')) {
      store.create(this.types.configMaps, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'kube-root-ca.crt',
          namespace,
          annotations: { 'kubernetes.io/description': rootCaDescription },
        },
        data: { 'ca.crt': localClusterCaNote },
      });
    }
  }
}

const rootCaDescription =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/** The local API server speaks plain HTTP on loopback, so there is no CA to publish; the key exists as upstream. */
const localClusterCaNote = '# scalegate local cluster: plain HTTP on 127.0.0.1, no certificate authority\n';
