import { selectorRequirements } from '../store/selectors.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import {
  canonicalJson,
  isPodReady,
  isType,
  objectKey,
  ownerReferenceTo,
  randomSuffix,
  splitKey,
} from './objects.js';
import { QueueController } from './queue-controller.js';

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
}

interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
}

/** Resolves a Service port's targetPort against a pod: a number as is, a name through the containers' ports. */
export function resolvePorts(ports: ServicePort[], pod: KubeObject): EndpointPort[] | undefined {
  const resolved: EndpointPort[] = [];
  for (const p of ports) {
    const target = p.targetPort ?? p.port;
    let port: number | undefined;
    if (typeof target === 'number' || /^\d+$/.test(target)) port = Number(target);
    else {
      for (const c of pod.spec?.containers ?? []) {
        const found = (c.ports ?? []).find((cp: { name?: string }) => cp.name === target);
        if (found) port = found.containerPort;
      }
    }
    if (port === undefined) return undefined;
    resolved.push({ ...(p.name ? { name: p.name } : {}), port, protocol: p.protocol ?? 'TCP' });
  }
  return resolved;
}

/**
 * Endpoints and EndpointSlices for Services with a selector: running pods with an IP, ready ones as addresses and
 * the others as notReadyAddresses (slice conditions ready/serving/terminating). The gateway reads ready pods
 * directly; these objects are what kubectl and Kubernetes clients look at.
 */
export class EndpointsController extends QueueController {
  readonly name = 'endpoints-controller';
  /** Services with a selector, by namespace: the ones a pod change may concern. */
  private readonly selecting = new Map<string, Set<string>>();

  protected override begin(): void {
    for (const svc of this.context.store.list(this.types.services).items) {
      this.onEvent({ type: 'ADDED', resource: this.types.services, object: svc, resourceVersion: 0 });
    }
  }

  protected override onEvent(event: StoreEvent): void {
    const { object } = event;
    const namespace = object.metadata.namespace as string;
    if (isType(event.resource, this.types.services)) {
      let names = this.selecting.get(namespace);
      if (!names) {
        names = new Set();
        this.selecting.set(namespace, names);
      }
      if (event.type !== 'DELETED' && object.spec?.selector) names.add(object.metadata.name as string);
      else names.delete(object.metadata.name as string);
      this.queue.add(objectKey(object));
    } else if (isType(event.resource, this.types.pods)) {
      // Every selecting Service: a label change can move a pod out of one as well as into another.
      for (const name of this.selecting.get(namespace) ?? []) this.queue.add(`${namespace}/${name}`);
    }
  }

  protected sync(key: string): void {
    const { store } = this.context;
    const { namespace, name } = splitKey(key);
    const svc = store.tryGet(this.types.services, namespace, name);
    if (!svc) {
      if (store.tryGet(this.types.endpoints, namespace, name))
        store.delete(this.types.endpoints, namespace, name);
      return;
    }
    const selector = svc.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) return;
    const ports: ServicePort[] = svc.spec?.ports ?? [];
    const pods = store
      .list(this.types.pods, { namespace, labelSelector: selectorRequirements({ matchLabels: selector }) })
      .items.filter(
        (p) => p.status?.podIP && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
      );
    const subsets = new Map<
      string,
      { addresses: unknown[]; notReadyAddresses: unknown[]; ports: EndpointPort[] }
    >();
    const sliceEndpoints: unknown[] = [];
    let slicePorts: EndpointPort[] | undefined;
    for (const pod of pods) {
      const podPorts = resolvePorts(ports, pod);
      if (!podPorts) continue;
      const targetRef = { kind: 'Pod', namespace, name: pod.metadata.name, uid: pod.metadata.uid };
      const address = { ip: pod.status.podIP, nodeName: pod.spec?.nodeName, targetRef };
      const ready = isPodReady(pod) && !pod.metadata.deletionTimestamp;
      const group = canonicalJson(podPorts);
      let subset = subsets.get(group);
      if (!subset) {
        subset = { addresses: [], notReadyAddresses: [], ports: podPorts };
        subsets.set(group, subset);
      }
      (ready ? subset.addresses : subset.notReadyAddresses).push(address);
      slicePorts ??= podPorts;
      sliceEndpoints.push({
        addresses: [pod.status.podIP],
        conditions: {
          ready,
          serving: isPodReady(pod),
          terminating: Boolean(pod.metadata.deletionTimestamp),
        },
        nodeName: pod.spec?.nodeName,
        targetRef,
      });
    }
    const endpointSubsets = [...subsets.values()].map((s) => ({
      ...(s.addresses.length ? { addresses: s.addresses } : {}),
      ...(s.notReadyAddresses.length ? { notReadyAddresses: s.notReadyAddresses } : {}),
      ports: s.ports,
    }));
    this.writeEndpoints(svc, endpointSubsets);
    this.writeSlice(svc, sliceEndpoints, slicePorts ?? []);
  }

  private writeEndpoints(svc: KubeObject, subsets: unknown[]): void {
    const { store } = this.context;
    const { namespace, name } = svc.metadata;
    const current = store.tryGet(this.types.endpoints, namespace, name as string);
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { ...(current?.metadata ?? { name, namespace }), labels: { ...svc.metadata.labels } },
      ...(subsets.length ? { subsets } : {}),
    };
    if (!current) store.create(this.types.endpoints, desired);
    else if (canonicalJson({ ...current, metadata: {} }) !== canonicalJson({ ...desired, metadata: {} })) {
      store.update(this.types.endpoints, desired);
    }
  }

  private writeSlice(svc: KubeObject, endpoints: unknown[], ports: EndpointPort[]): void {
    const { store } = this.context;
    const { namespace, name } = svc.metadata;
    const current = store.list(this.types.endpointSlices, {
      namespace,
      labelSelector: [{ key: 'kubernetes.io/service-name', operator: 'In', values: [name as string] }],
    }).items[0];
    const desired: KubeObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: current?.metadata ?? {
        name: `${name}-${randomSuffix()}`,
        namespace,
        labels: {
          'kubernetes.io/service-name': name as string,
          'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        },
        ownerReferences: [ownerReferenceTo(svc)],
      },
      addressType: 'IPv4',
      endpoints,
      // A slice port always has a name, "" for an unnamed Service port (kubectl describe svc relies on it).
      ports: ports.map((p) => ({ name: '', ...p })),
    };
    if (!current) store.create(this.types.endpointSlices, desired);
    else if (canonicalJson({ ...current, metadata: {} }) !== canonicalJson({ ...desired, metadata: {} })) {
      store.update(this.types.endpointSlices, desired);
    }
  }
}
