import { parseQuantity } from '../../actions/lib/util/quantity.js';
import type { KubeObject } from '../store/types.js';
import type { ContainerShape } from './pod-model.js';

/** Facts about a v1 Pod that the data plane and the metrics read from its spec and status. */

interface Condition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

export function podCondition(pod: KubeObject, type: string): Condition | undefined {
  return (pod.status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
}

/** A Service endpoint: Ready condition True and not terminating, as the EndpointSlice controller decides. */
export function isServingEndpoint(pod: KubeObject): boolean {
  return !pod.metadata.deletionTimestamp && podCondition(pod, 'Ready')?.status === 'True';
}

/** When the pod last turned Ready (ms since epoch), or undefined when it is not Ready. */
export function readySince(pod: KubeObject): number | undefined {
  const ready = podCondition(pod, 'Ready');
  if (ready?.status !== 'True') return undefined;
  const at = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : Number.NaN;
  return Number.isNaN(at) ? Date.now() : at;
}

function quantityOrUndefined(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    return parseQuantity(value as string | number);
  } catch {
    return undefined;
  }
}

interface ContainerSpec {
  name: string;
  image?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export function podContainers(pod: KubeObject): ContainerSpec[] {
  return (pod.spec?.containers as ContainerSpec[] | undefined) ?? [];
}

/** CPU capacity is the limit (what CFS quota enforces), else the request, else one core. */
export function containerShapes(pod: KubeObject): ContainerShape[] {
  return podContainers(pod).map((c) => ({
    name: c.name,
    cpuCores:
      quantityOrUndefined(c.resources?.limits?.cpu) ?? quantityOrUndefined(c.resources?.requests?.cpu) ?? 1,
    memoryLimitBytes: quantityOrUndefined(c.resources?.limits?.memory),
  }));
}

interface ContainerStatus {
  name: string;
  restartCount?: number;
  containerID?: string;
  image?: string;
  state?: Record<string, unknown>;
}

export function containerStatus(pod: KubeObject, container: string): ContainerStatus | undefined {
  return (pod.status?.containerStatuses as ContainerStatus[] | undefined)?.find((s) => s.name === container);
}

export function restartCount(pod: KubeObject, container: string): number {
  return containerStatus(pod, container)?.restartCount ?? 0;
}

/** The pod's QoS class as the kubelet derives it, which names its cgroup. */
export function qosClass(pod: KubeObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = podContainers(pod);
  const any = containers.some(
    (c) =>
      Object.keys(c.resources?.requests ?? {}).length + Object.keys(c.resources?.limits ?? {}).length > 0,
  );
  if (!any) return 'BestEffort';
  const guaranteed = containers.every((c) =>
    ['cpu', 'memory'].every((r) => {
      const limit = quantityOrUndefined(c.resources?.limits?.[r]);
      const request = quantityOrUndefined(c.resources?.requests?.[r]) ?? limit;
      return limit !== undefined && request === limit;
    }),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Pod labels `track` and `version` (or `app.kubernetes.io/version`), which label the app's metrics. */
export function trackOf(pod: KubeObject): string {
  return pod.metadata.labels?.track ?? '';
}

export function versionOf(pod: KubeObject): string {
  return pod.metadata.labels?.version ?? pod.metadata.labels?.['app.kubernetes.io/version'] ?? '';
}
