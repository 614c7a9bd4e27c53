/**
 * kube-scheduler's Score plugins of the default profile (pkg/scheduler/framework/plugins, v1.34), each on the
 * 0..100 scale, normalized and weighted as the default profile does: TaintToleration ×3 (PreferNoSchedule taints),
 * PodTopologySpread ×2 (the pod's ScheduleAnyway constraints, or else the system defaults — by hostname with
 * maxSkew 3 and by zone with maxSkew 5 — over the pods selected by the pod's Services and controller),
 * NodeResourcesFit LeastAllocated ×1 (non-zero requests: a container without requests counts 100m / 200Mi) and
 * NodeResourcesBalancedAllocation ×1 (actual requests; skipped for best-effort pods). Preferred node affinity,
 * inter-pod affinity and image locality are not scored. Among equal totals upstream picks at random; here the first
 * node by name, so runs repeat.
 */
import { hostnameLabel, zoneLabel } from '../nodes.js';
import { type LabelRequirement, matchesRequirements, selectorRequirements } from '../store/selectors.js';
import type { KubeObject, OwnerReference } from '../store/types.js';
import {
  matchesNodeSelectorAndAffinity,
  type NodeInfo,
  nodeAllocatable,
  podNonZeroRequest,
  podRequest,
  type Resources,
  type SpreadConstraint,
  tolerates,
} from './scheduling.js';

const maxNodeScore = 100;
const weights = { taintToleration: 3, podTopologySpread: 2, leastAllocated: 1, balancedAllocation: 1 };

/** What the system-default spreading selector is built from (`helper.DefaultSelector`). */
export interface SpreadSelectors {
  /** The Services of a namespace. */
  services(namespace: string): KubeObject[];
  /** The object a controller reference names (ReplicaSet, StatefulSet, ReplicationController), if it exists. */
  controller(namespace: string, ref: OwnerReference): KubeObject | undefined;
}

/**
 * The selector the system-default constraints count with: the selectors of the Services that select the pod,
 * merged, and those of its controller (ReplicationController, ReplicaSet or StatefulSet). Empty when none applies,
 * and then the defaults do not apply.
 */
export function defaultSpreadSelector(pod: KubeObject, sources: SpreadSelectors): LabelRequirement[] {
  const namespace = pod.metadata.namespace as string;
  const labels = pod.metadata.labels ?? {};
  let merged: Record<string, string> = {};
  for (const service of sources.services(namespace)) {
    const selector: Record<string, string> | undefined = service.spec?.selector;
    // A Service without a selector selects nothing; `{}` selects every pod.
    if (selector && Object.entries(selector).every(([k, v]) => labels[k] === v))
      merged = { ...merged, ...selector };
  }
  const ref = pod.metadata.ownerReferences?.find((r) => r.controller);
  const owner = ref ? sources.controller(namespace, ref) : undefined;
  let ownerRequirements: LabelRequirement[] = [];
  if (owner && ref?.kind === 'ReplicationController') merged = { ...merged, ...owner.spec?.selector };
  else if (owner && ['ReplicaSet', 'StatefulSet'].includes(ref?.kind ?? '') && owner.spec?.selector)
    ownerRequirements = selectorRequirements(owner.spec.selector);
  return [...selectorRequirements({ matchLabels: merged }), ...ownerRequirements];
}

interface SoftConstraint {
  topologyKey: string;
  maxSkew: number;
  /** Undefined: the constraint has no selector and so counts no pod. */
  selector: LabelRequirement[] | undefined;
}

const systemDefaults = [
  { topologyKey: hostnameLabel, maxSkew: 3 },
  { topologyKey: zoneLabel, maxSkew: 5 },
];

function softConstraints(
  pod: KubeObject,
  defaultSelector: LabelRequirement[],
): { constraints: SoftConstraint[]; requireAllKeys: boolean } {
  const own: SpreadConstraint[] = pod.spec?.topologySpreadConstraints ?? [];
  if (own.length > 0) {
    const constraints = own
      .filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway')
      .map((c) => ({
        topologyKey: c.topologyKey,
        maxSkew: c.maxSkew,
        selector: c.labelSelector ? selectorRequirements(c.labelSelector) : undefined,
      }));
    return { constraints, requireAllKeys: true };
  }
  if (defaultSelector.length === 0) return { constraints: [], requireAllKeys: false };
  return {
    constraints: systemDefaults.map((d) => ({ ...d, selector: defaultSelector })),
    requireAllKeys: false,
  };
}

function matching(info: NodeInfo, pod: KubeObject, selector: LabelRequirement[] | undefined): number {
  if (!selector || selector.length === 0) return 0;
  return info.pods.filter(
    (p) =>
      p.metadata.namespace === pod.metadata.namespace &&
      !p.metadata.deletionTimestamp &&
      matchesRequirements(p.metadata.labels, selector),
  ).length;
}

/**
 * PodTopologySpread PreScore, Score and NormalizeScore: fewer matching pods in a node's domains scores higher;
 * a node lacking a key of the pod's own constraints scores 0. Undefined when the plugin skips (no constraint).
 */
function spreadScores(
  pod: KubeObject,
  feasible: NodeInfo[],
  all: NodeInfo[],
  defaultSelector: LabelRequirement[],
): Map<NodeInfo, number> | undefined {
  const { constraints, requireAllKeys } = softConstraints(pod, defaultSelector);
  if (constraints.length === 0 || all.length === 0) return undefined;
  const labelsOf = (info: NodeInfo): Record<string, string> => info.node.metadata.labels ?? {};
  const hasAllKeys = (info: NodeInfo) =>
    constraints.every((c) => Object.hasOwn(labelsOf(info), c.topologyKey));
  const ignored = new Set(feasible.filter((info) => requireAllKeys && !hasAllKeys(info)));
  // Domains are those of the feasible nodes; every node that the pod could select counts into them.
  const counts = constraints.map(() => new Map<string, number>());
  for (const info of feasible) {
    if (ignored.has(info)) continue;
    constraints.forEach((c, i) => {
      if (c.topologyKey !== hostnameLabel) counts[i]!.set(labelsOf(info)[c.topologyKey] ?? '', 0);
    });
  }
  const normalizingWeight = constraints.map((c, i) =>
    Math.log((c.topologyKey === hostnameLabel ? feasible.length - ignored.size : counts[i]!.size) + 2),
  );
  for (const info of all) {
    if (!matchesNodeSelectorAndAffinity(pod, info.node) || (requireAllKeys && !hasAllKeys(info))) continue;
    constraints.forEach((c, i) => {
      const domain = labelsOf(info)[c.topologyKey] ?? '';
      const count = counts[i]!.get(domain);
      if (count !== undefined) counts[i]!.set(domain, count + matching(info, pod, c.selector));
    });
  }
  const raw = new Map<NodeInfo, number>();
  for (const info of feasible) {
    if (ignored.has(info)) continue;
    let score = 0;
    constraints.forEach((c, i) => {
      const domain = labelsOf(info)[c.topologyKey];
      if (domain === undefined) return;
      const count =
        c.topologyKey === hostnameLabel ? matching(info, pod, c.selector) : (counts[i]!.get(domain) ?? 0);
      score += count * normalizingWeight[i]! + (c.maxSkew - 1);
    });
    raw.set(info, Math.round(score));
  }
  const values = [...raw.values()];
  const highest = Math.max(0, ...values);
  const lowest = values.length > 0 ? Math.min(...values) : 0;
  const scores = new Map<NodeInfo, number>();
  for (const info of feasible) {
    const score = raw.get(info);
    if (score === undefined) scores.set(info, 0);
    else if (highest === 0) scores.set(info, maxNodeScore);
    else scores.set(info, Math.floor((maxNodeScore * (highest + lowest - score)) / highest));
  }
  return scores;
}

/** NodeResourcesFit's LeastAllocated: the mean share left free, over resources the node has, after the pod. */
function leastAllocated(pod: KubeObject, info: NodeInfo): number {
  const allocatable = nodeAllocatable(info.node);
  const requested = info.pods.map(podNonZeroRequest).reduce(sum, podNonZeroRequest(pod));
  const scores = (['milliCpu', 'memory'] as const)
    .filter((r) => allocatable[r] > 0)
    .map((r) =>
      requested[r] > allocatable[r]
        ? 0
        : Math.floor(((allocatable[r] - requested[r]) * maxNodeScore) / allocatable[r]),
    );
  return scores.length === 0 ? 0 : Math.floor(scores.reduce((a, b) => a + b, 0) / scores.length);
}

/** NodeResourcesBalancedAllocation: 100 × (1 − the spread of cpu and memory shares requested after the pod). */
function balancedAllocation(pod: KubeObject, info: NodeInfo): number {
  const allocatable = nodeAllocatable(info.node);
  const requested = sum(info.requested, podRequest(pod));
  const fractions = (['milliCpu', 'memory'] as const)
    .filter((r) => allocatable[r] > 0)
    .map((r) => Math.min(1, requested[r] / allocatable[r]));
  const std = fractions.length === 2 ? Math.abs((fractions[0]! - fractions[1]!) / 2) : 0;
  return Math.trunc((1 - std) * maxNodeScore);
}

/** TaintToleration: PreferNoSchedule taints the pod does not tolerate, fewer is better (reverse-normalized). */
function taintScores(pod: KubeObject, feasible: NodeInfo[]): Map<NodeInfo, number> {
  const intolerable = (info: NodeInfo) =>
    ((info.node.spec?.taints ?? []) as Array<{ key: string; value?: string; effect: string }>).filter(
      (t) => t.effect === 'PreferNoSchedule' && !tolerates(pod.spec?.tolerations, t),
    ).length;
  const counts = new Map(feasible.map((info) => [info, intolerable(info)]));
  const highest = Math.max(0, ...counts.values());
  return new Map(
    feasible.map((info) => [
      info,
      highest === 0
        ? maxNodeScore
        : maxNodeScore - Math.floor((maxNodeScore * (counts.get(info) ?? 0)) / highest),
    ]),
  );
}

function sum(a: Resources, b: Resources): Resources {
  return { milliCpu: a.milliCpu + b.milliCpu, memory: a.memory + b.memory };
}

/**
 * The feasible nodes, best first: by the weighted sum of the Score plugins, then by name. `all` is every node
 * (spreading counts pods on nodes the pod cannot use too); `defaultSelector` comes from defaultSpreadSelector.
 */
export function rankNodes(
  pod: KubeObject,
  feasible: NodeInfo[],
  all: NodeInfo[],
  defaultSelector: LabelRequirement[],
): NodeInfo[] {
  const spread = spreadScores(pod, feasible, all, defaultSelector);
  const taints = taintScores(pod, feasible);
  const bestEffort = podRequest(pod).milliCpu === 0 && podRequest(pod).memory === 0;
  const total = new Map(
    feasible.map((info) => [
      info,
      weights.taintToleration * (taints.get(info) ?? 0) +
        weights.podTopologySpread * (spread?.get(info) ?? 0) +
        weights.leastAllocated * leastAllocated(pod, info) +
        (bestEffort ? 0 : weights.balancedAllocation * balancedAllocation(pod, info)),
    ]),
  );
  const name = (info: NodeInfo) => info.node.metadata.name as string;
  return [...feasible].sort(
    (a, b) => (total.get(b) ?? 0) - (total.get(a) ?? 0) || name(a).localeCompare(name(b)),
  );
}
