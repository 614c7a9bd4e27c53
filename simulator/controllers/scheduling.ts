/**
 * kube-scheduler's decisions as pure functions: effective pod requests, the Filter plugins the local cluster
 * implements (NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit, PodTopologySpread) and the
 * FitError message (node scoring is scoring.ts). The scheduler loop and the cluster autoscaler's simulation both use
 * these.
 */
import { parseQuantity } from '../../actions/lib/util/quantity.js';
import { matchesLabelSelector } from '../store/selectors.js';
import type { KubeObject } from '../store/types.js';

export interface Resources {
  milliCpu: number;
  memory: number;
}

export interface Allocatable extends Resources {
  pods: number;
}

/** A node with the pods the scheduler cache holds on it, and pending pods nominated to it by preemption. */
export interface NodeInfo {
  node: KubeObject;
  pods: KubeObject[];
  requested: Resources;
  nominated: KubeObject[];
}

export type FilterCode = 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface FilterFailure {
  code: FilterCode;
  reasons: string[];
}

export const reasons = {
  unschedulable: 'node(s) were unschedulable',
  nodeAffinity: "node(s) didn't match Pod's node affinity/selector",
  tooManyPods: 'Too many pods',
  topologySpread: "node(s) didn't match pod topology spread constraints",
  topologySpreadMissingLabel: "node(s) didn't match pod topology spread constraints (missing required label)",
  noVictims: 'No preemption victims found for incoming pod',
  preemptionNotHelpful: 'Preemption is not helpful for scheduling',
  noNodes: 'no nodes available to schedule pods',
} as const;

function quantity(value: unknown, scale: number): number {
  if (value === undefined || value === null || value === '') return 0;
  return Math.round(parseQuantity(value as string | number) * scale);
}

/** What a container without a request counts as where scoring needs non-zero requests (`schedutil.Default*Request`). */
const nonZeroDefaults = { milliCpu: 100, memory: 200 * 1024 * 1024 };

/** A container's requests; a resource it does not name counts as `missing`'s value (0 unless given). */
function containerRequests(container: KubeObject['spec'], missing: Partial<Resources> = {}): Resources {
  const requests = container?.resources?.requests ?? {};
  return {
    milliCpu: 'cpu' in requests ? quantity(requests.cpu, 1000) : (missing.milliCpu ?? 0),
    memory: 'memory' in requests ? quantity(requests.memory, 1) : (missing.memory ?? 0),
  };
}

const add = (a: Resources, b: Resources): Resources => ({
  milliCpu: a.milliCpu + b.milliCpu,
  memory: a.memory + b.memory,
});
const max = (a: Resources, b: Resources): Resources => ({
  milliCpu: Math.max(a.milliCpu, b.milliCpu),
  memory: Math.max(a.memory, b.memory),
});

/**
 * Caches a function of an object per object. Objects from the store are private copies that the scheduler and the
 * autoscaler do not change in the fields read here, so a result stays valid for the object it was computed for.
 */
function perObject<T>(compute: (object: KubeObject) => T): (object: KubeObject) => T {
  const cache = new WeakMap<KubeObject, T>();
  return (object) => {
    let value = cache.get(object);
    if (value === undefined) {
      value = compute(object);
      cache.set(object, value);
    }
    return value;
  };
}

/**
 * The pod's effective request (`resourcehelper.PodRequests`): max(Σ app containers + Σ restartable init containers,
 * the largest init container together with the sidecars started before it); a resource set in pod-level
 * spec.resources replaces that sum; plus spec.overhead. `missing` fills container requests that are not set.
 */
function computeRequest(pod: KubeObject, missing: Partial<Resources>): Resources {
  const zero: Resources = { milliCpu: 0, memory: 0 };
  const of = (container: KubeObject['spec']) => containerRequests(container, missing);
  const apps = (pod.spec?.containers ?? []).map(of).reduce(add, zero);
  let sidecars = zero;
  let initPeak = zero;
  for (const init of pod.spec?.initContainers ?? []) {
    const request = of(init);
    if (init.restartPolicy === 'Always') {
      sidecars = add(sidecars, request);
      initPeak = max(initPeak, sidecars);
    } else {
      initPeak = max(initPeak, add(sidecars, request));
    }
  }
  const total = max(add(apps, sidecars), initPeak);
  const podLevel = pod.spec?.resources?.requests ?? {};
  if ('cpu' in podLevel) total.milliCpu = quantity(podLevel.cpu, 1000);
  if ('memory' in podLevel) total.memory = quantity(podLevel.memory, 1);
  const overhead = pod.spec?.overhead ?? {};
  return add(total, { milliCpu: quantity(overhead.cpu, 1000), memory: quantity(overhead.memory, 1) });
}

/** What NodeResourcesFit filters on and the scheduler cache sums per node. */
export const podRequest = perObject((pod): Resources => computeRequest(pod, {}));

/**
 * The request LeastAllocated scores with (`PodInfo.CalculateResource` Non0CPU/Non0Mem): containers without a
 * cpu or memory request count 100m / 200Mi, so request-less pods still spread. With pod-level requests the
 * default only fills a resource that neither the pod nor any container names.
 */
export const podNonZeroRequest = perObject((pod): Resources => {
  const podLevel = pod.spec?.resources?.requests;
  if (!podLevel) return computeRequest(pod, nonZeroDefaults);
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const named = (resource: string) =>
    resource in podLevel || containers.some((c) => resource in (c.resources?.requests ?? {}));
  return computeRequest(pod, {
    ...(named('cpu') ? {} : { milliCpu: nonZeroDefaults.milliCpu }),
    ...(named('memory') ? {} : { memory: nonZeroDefaults.memory }),
  });
});

export const nodeAllocatable = perObject((node): Allocatable => {
  const source = node.status?.allocatable ?? node.status?.capacity ?? {};
  return {
    milliCpu: quantity(source.cpu, 1000),
    memory: quantity(source.memory, 1),
    pods: source.pods === undefined ? 110 : quantity(source.pods, 1),
  };
});

/** Pods the scheduler cache counts on a node: bound and not finished (terminating pods still hold resources). */
export function occupiesNode(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return Boolean(pod.spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed';
}

export function buildNodeInfos(nodes: KubeObject[], pods: KubeObject[]): NodeInfo[] {
  const infos = new Map<string, NodeInfo>();
  for (const node of nodes) {
    infos.set(node.metadata.name as string, {
      node,
      pods: [],
      requested: { milliCpu: 0, memory: 0 },
      nominated: [],
    });
  }
  for (const pod of pods) {
    if (occupiesNode(pod)) {
      const info = infos.get(pod.spec.nodeName);
      if (info) assumePod(info, pod);
    } else if (!pod.spec?.nodeName && pod.status?.nominatedNodeName && !pod.metadata.deletionTimestamp) {
      infos.get(pod.status.nominatedNodeName)?.nominated.push(pod);
    }
  }
  return [...infos.values()];
}

/** Adds a pod to a node's accounting, as the scheduler cache "assumes" a pod it just bound. */
export function assumePod(info: NodeInfo, pod: KubeObject): void {
  info.pods.push(pod);
  info.requested = add(info.requested, podRequest(pod));
}

interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
}

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export function tolerates(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.key && t.key !== taint.key) return false;
    if (!t.key && t.operator !== 'Exists') return false;
    if (t.operator === 'Exists') return true;
    return (t.value ?? '') === (taint.value ?? '');
  });
}

interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

function matchesNodeRequirement(value: string | undefined, r: NodeSelectorRequirement): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
  }
  return false;
}

/** spec.nodeSelector and requiredDuringSchedulingIgnoredDuringExecution node affinity (terms ORed). */
export function matchesNodeSelectorAndAffinity(pod: KubeObject, node: KubeObject): boolean {
  const labels: Record<string, string> = node.metadata.labels ?? {};
  for (const [key, value] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (labels[key] !== value) return false;
  }
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return true;
  return terms.some(
    (term: { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }) => {
      const expressions = term.matchExpressions ?? [];
      const fields = term.matchFields ?? [];
      if (expressions.length === 0 && fields.length === 0) return false;
      return (
        expressions.every((r) => matchesNodeRequirement(labels[r.key], r)) &&
        fields.every((r) =>
          matchesNodeRequirement(r.key === 'metadata.name' ? node.metadata.name : undefined, r),
        )
      );
    },
  );
}

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  labelSelector?: Parameters<typeof matchesLabelSelector>[1];
  minDomains?: number;
}

/** Matching pods per topology domain for each of the pod's spread constraints (PodTopologySpread PreFilter). */
export interface SpreadState {
  constraint: SpreadConstraint;
  counts: Map<string, number>;
  minMatch: number;
  selfMatch: number;
}

function hasAllKeys(node: KubeObject, constraints: SpreadConstraint[]): boolean {
  const labels = node.metadata.labels ?? {};
  return constraints.every((c) => Object.hasOwn(labels, c.topologyKey));
}

export function spreadStates(pod: KubeObject, infos: NodeInfo[]): SpreadState[] {
  const constraints: SpreadConstraint[] = pod.spec?.topologySpreadConstraints ?? [];
  return constraints.map((constraint) => {
    const counts = new Map<string, number>();
    for (const info of infos) {
      if (!matchesNodeSelectorAndAffinity(pod, info.node) || !hasAllKeys(info.node, constraints)) continue;
      const domain = info.node.metadata.labels?.[constraint.topologyKey] as string;
      const matching = info.pods.filter(
        (p) =>
          p.metadata.namespace === pod.metadata.namespace &&
          !p.metadata.deletionTimestamp &&
          matchesLabelSelector(p.metadata.labels, constraint.labelSelector),
      ).length;
      counts.set(domain, (counts.get(domain) ?? 0) + matching);
    }
    const domainCount = counts.size;
    const minMatch =
      domainCount === 0 || (constraint.minDomains ?? 1) > domainCount ? 0 : Math.min(...counts.values());
    const selfMatch = matchesLabelSelector(pod.metadata.labels, constraint.labelSelector) ? 1 : 0;
    return { constraint, counts, minMatch, selfMatch };
  });
}

function untoleratedTaint(pod: KubeObject, node: KubeObject): Taint | undefined {
  const taints: Taint[] = node.spec?.taints ?? [];
  return taints.find(
    (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(pod.spec?.tolerations, t),
  );
}

/**
 * Runs the Filter plugins in the default profile's order and stops at the first failing plugin, as the framework
 * does. `priority` selects which nominated pods reserve room (those of equal or higher priority).
 */
export function filterNode(
  pod: KubeObject,
  info: NodeInfo,
  spread: SpreadState[],
  priority: number,
  priorityOf: (pod: KubeObject) => number,
): FilterFailure | undefined {
  const node = info.node;
  if (
    node.spec?.unschedulable &&
    !tolerates(pod.spec?.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })
  ) {
    return { code: 'UnschedulableAndUnresolvable', reasons: [reasons.unschedulable] };
  }
  const taint = untoleratedTaint(pod, node);
  if (taint) {
    return {
      code: 'UnschedulableAndUnresolvable',
      reasons: [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`],
    };
  }
  if (!matchesNodeSelectorAndAffinity(pod, node)) {
    return { code: 'UnschedulableAndUnresolvable', reasons: [reasons.nodeAffinity] };
  }
  const fit = resourceFit(pod, info, priority, priorityOf);
  if (fit) return fit;
  for (const state of spread) {
    if (state.constraint.whenUnsatisfiable !== 'DoNotSchedule') continue;
    const domain = node.metadata.labels?.[state.constraint.topologyKey];
    if (domain === undefined) {
      return { code: 'UnschedulableAndUnresolvable', reasons: [reasons.topologySpreadMissingLabel] };
    }
    const skew = (state.counts.get(domain) ?? 0) + state.selfMatch - state.minMatch;
    if (skew > state.constraint.maxSkew) return { code: 'Unschedulable', reasons: [reasons.topologySpread] };
  }
  return undefined;
}

/** NodeResourcesFit: every insufficient resource is a reason; a request beyond the whole node is unresolvable. */
export function resourceFit(
  pod: KubeObject,
  info: NodeInfo,
  priority: number,
  priorityOf: (pod: KubeObject) => number,
): FilterFailure | undefined {
  const allocatable = nodeAllocatable(info.node);
  const request = podRequest(pod);
  let requested = info.requested;
  let podCount = info.pods.length;
  for (const nominated of info.nominated) {
    if (nominated.metadata.uid === pod.metadata.uid || priorityOf(nominated) < priority) continue;
    requested = add(requested, podRequest(nominated));
    podCount++;
  }
  const failures: string[] = [];
  let unresolvable = false;
  if (podCount + 1 > allocatable.pods) failures.push(reasons.tooManyPods);
  if (request.milliCpu > 0 && request.milliCpu > allocatable.milliCpu - requested.milliCpu) {
    failures.push('Insufficient cpu');
    unresolvable ||= request.milliCpu > allocatable.milliCpu;
  }
  if (request.memory > 0 && request.memory > allocatable.memory - requested.memory) {
    failures.push('Insufficient memory');
    unresolvable ||= request.memory > allocatable.memory;
  }
  if (failures.length === 0) return undefined;
  return { code: unresolvable ? 'UnschedulableAndUnresolvable' : 'Unschedulable', reasons: failures };
}

/**
 * `FitError.Error()`: "0/N nodes are available: " + "<count> <reason>" entries sorted as strings, joined with
 * ", ", ended with "."; the PostFilter (preemption) message follows after a space.
 */
export function fitErrorMessage(
  nodeCount: number,
  failures: Iterable<FilterFailure>,
  postFilterMessage?: string,
): string {
  if (nodeCount === 0) return reasons.noNodes;
  const message = `0/${nodeCount} nodes are available: ${histogram(failures)}.`;
  return postFilterMessage ? `${message} ${postFilterMessage}` : message;
}

function histogram(failures: Iterable<FilterFailure>): string {
  const counts = new Map<string, number>();
  for (const failure of failures) {
    for (const reason of failure.reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts]
    .map(([reason, count]) => `${count} ${reason}`)
    .sort()
    .join(', ');
}

/** The preemption PostFilter's message when no node has victims that would make room. */
export function noPreemptionMessage(failures: Iterable<FilterFailure>): string {
  const perNode = [...failures].map(
    (f): FilterFailure => ({
      code: f.code,
      reasons: [f.code === 'Unschedulable' ? reasons.noVictims : reasons.preemptionNotHelpful],
    }),
  );
  return `preemption: 0/${perNode.length} nodes are available: ${histogram(perNode)}.`;
}

/**
 * The pod's priority as the Priority admission plugin resolves it: the value of its PriorityClass when it names an
 * existing one (authoritative, whatever spec.priority says), else spec.priority, else the global default class, else 0.
 */
export function resolvePriority(pod: KubeObject, classes: KubeObject[]): number {
  const className = pod.spec?.priorityClassName;
  const named = className ? classes.find((c) => c.metadata.name === className) : undefined;
  if (typeof named?.value === 'number') return named.value;
  if (typeof pod.spec?.priority === 'number') return pod.spec.priority;
  const globalDefault = classes.find((c) => c.globalDefault === true);
  return typeof globalDefault?.value === 'number' ? globalDefault.value : 0;
}
