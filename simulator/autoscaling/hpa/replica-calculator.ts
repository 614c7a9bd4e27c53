import { maxInt32, maxInt64, milliValue } from './quantity.js';
import type { Pod } from './types.js';

/**
 * Port of kube-controller-manager's `replica_calculator.go` and `metrics/utilization.go`: the replica count each
 * metric proposes, including which pods count (groupPods) and the rebalancing of unready and missing pods.
 * Values are milli-units as bigints; ratios are floats, exactly as the Go code mixes int64 and float64.
 */

export interface PodMetric {
  value: bigint;
  /** ms since epoch */
  timestamp: number;
  windowMs: number;
}

export type PodMetrics = Map<string, PodMetric>;

/** Usage-ratio band inside which the controller keeps the current count (inclusive at both ends). */
export interface Tolerances {
  scaleDown: number;
  scaleUp: number;
}

export function isWithin(t: Tolerances, ratio: number): boolean {
  return 1 - t.scaleDown <= ratio && ratio <= 1 + t.scaleUp;
}

export interface ReadinessTiming {
  cpuInitializationPeriodMs: number;
  delayOfInitialReadinessStatusMs: number;
  now: number;
}

export interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

const timeOf = (text: string | undefined): number | undefined =>
  text === undefined ? undefined : Date.parse(text);

/** Go's `int32(math.Ceil(x))`, saturating instead of overflowing. */
function ceilInt32(x: number): number {
  return x > maxInt32 ? maxInt32 : Math.ceil(x);
}

/** Sorts pods into ready (counted), unready (set aside), missing (no sample) and ignored (deleted or failed). */
export function groupPods(
  pods: Pod[],
  metrics: PodMetrics,
  resource: string,
  timing: ReadinessTiming,
): PodGroups {
  const groups: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name;
    const phase = pod.status?.phase;
    if (pod.metadata.deletionTimestamp || phase === 'Failed') {
      groups.ignored.add(name);
      continue;
    }
    if (phase === 'Pending') {
      groups.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      groups.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const condition = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const startTime = timeOf(pod.status?.startTime);
      let unready: boolean;
      if (!condition || startTime === undefined) {
        unready = true;
      } else {
        const transition = timeOf(condition.lastTransitionTime) ?? Date.parse('0001-01-01T00:00:00Z');
        if (startTime + timing.cpuInitializationPeriodMs > timing.now) {
          // Inside the initialization period a sample counts only once a full window followed readiness.
          unready = condition.status === 'False' || metric.timestamp < transition + metric.windowMs;
        } else {
          // Afterwards only a pod that has never been ready is set aside.
          unready =
            condition.status === 'False' && startTime + timing.delayOfInitialReadinessStatusMs > transition;
        }
      }
      if (unready) {
        groups.unready.add(name);
        continue;
      }
    }
    groups.readyPodCount++;
  }
  return groups;
}

function requestOf(requests: Record<string, unknown> | undefined, resource: string): bigint | undefined {
  const value = requests?.[resource];
  return value === undefined ? undefined : milliValue(value as string);
}

/**
 * Each pod's request for the resource: the named container's, else the pod-level request when set, else the sum
 * over containers and restartable (sidecar) init containers. A container without a request fails the metric.
 */
export function calculateRequests(pods: Pod[], container: string, resource: string): Map<string, bigint> {
  const requests = new Map<string, bigint>();
  for (const pod of pods) {
    const name = pod.metadata.name;
    const podLevel = pod.spec?.resources?.requests;
    if (container === '' && podLevel && Object.keys(podLevel).length > 0) {
      const request = requestOf(podLevel, resource);
      if (request === undefined) throw new Error(`missing pod-level request for ${resource} in Pod ${name}`);
      requests.set(name, request);
      continue;
    }
    const containers = [
      ...(pod.spec?.containers ?? []),
      ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
    ];
    let total = 0n;
    let found = false;
    for (const c of containers) {
      if (container !== '' && c.name !== container) continue;
      const request = requestOf(c.resources?.requests, resource);
      if (request === undefined) {
        throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${name}`);
      }
      total += request;
      found = true;
      if (container !== '') break;
    }
    if (container !== '' && !found) throw new Error(`container ${container} not found in Pod ${name}`);
    requests.set(name, total);
  }
  return requests;
}

export interface Utilization {
  ratio: number;
  /** Integer percent of request, truncated. */
  utilization: number;
  /** Average milli usage over the pods that have a request. */
  rawAverage: bigint;
}

/** `GetResourceUtilizationRatio`: integer-truncated utilization percent, then the ratio to the target. */
export function resourceUtilizationRatio(
  metrics: PodMetrics,
  requests: Map<string, bigint>,
  targetUtilization: number,
): Utilization {
  let metricsTotal = 0n;
  let requestsTotal = 0n;
  let entries = 0n;
  for (const [pod, metric] of metrics) {
    const request = requests.get(pod);
    if (request === undefined) continue;
    metricsTotal += metric.value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0n) throw new Error('no metrics returned matched known pods');
  const percentage = (metricsTotal * 100n) / requestsTotal;
  if (percentage < -(2n ** 31n) || percentage > BigInt(maxInt32)) {
    throw new Error(`resource utilization ${percentage} is outside the int32 range`);
  }
  const utilization = Number(percentage);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: metricsTotal / entries };
}

/** `GetMetricUsageRatio`: truncated average over every sample, then the ratio to the target. */
export function metricUsageRatio(metrics: PodMetrics, targetUsage: bigint): { ratio: number; usage: bigint } {
  let total = 0n;
  for (const metric of metrics.values()) total += metric.value;
  const usage = total / BigInt(metrics.size);
  return { ratio: Number(usage) / Number(targetUsage), usage };
}

interface PodAveragedInput {
  currentReplicas: number;
  pods: Pod[];
  metrics: PodMetrics;
  resource: string;
  tolerances: Tolerances;
  timing: ReadinessTiming;
}

/**
 * The part shared by the utilization and plain-value paths: group, set aside, compute the ratio, and when pods are
 * unready or missing, recompute with the conservative fill-ins (0 on scale-up, `fallback` on scale-down).
 */
function podAveragedReplicas(
  input: PodAveragedInput,
  ratioOf: (metrics: PodMetrics) => number,
  scaleDownFill: (pod: string) => bigint,
): { replicas: number; ratio: number } {
  const { currentReplicas, pods, resource, tolerances, timing } = input;
  const metrics = new Map(input.metrics);
  const groups = groupPods(pods, metrics, resource, timing);
  for (const pod of [...groups.ignored, ...groups.unready]) metrics.delete(pod);
  if (metrics.size === 0)
    throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const ratio = ratioOf(metrics);
  const scaleUpWithUnready = groups.unready.size > 0 && ratio > 1.0;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (isWithin(tolerances, ratio)) return { replicas: currentReplicas, ratio };
    return { replicas: ceilInt32(ratio * groups.readyPodCount), ratio };
  }
  if (groups.missing.size > 0) {
    if (ratio < 1.0) {
      for (const pod of groups.missing)
        metrics.set(pod, { value: scaleDownFill(pod), timestamp: 0, windowMs: 0 });
    } else if (ratio > 1.0) {
      for (const pod of groups.missing) metrics.set(pod, { value: 0n, timestamp: 0, windowMs: 0 });
    }
  }
  if (scaleUpWithUnready) {
    for (const pod of groups.unready) metrics.set(pod, { value: 0n, timestamp: 0, windowMs: 0 });
  }
  const newRatio = ratioOf(metrics);
  if (isWithin(tolerances, newRatio) || (ratio < 1.0 && newRatio > 1.0) || (ratio > 1.0 && newRatio < 1.0)) {
    return { replicas: currentReplicas, ratio };
  }
  const newReplicas = ceilInt32(newRatio * metrics.size);
  if (
    (newRatio < 1.0 && newReplicas > currentReplicas) ||
    (newRatio > 1.0 && newReplicas < currentReplicas)
  ) {
    return { replicas: currentReplicas, ratio };
  }
  return { replicas: newReplicas, ratio };
}

/** `GetResourceReplicas`: a Utilization target on a resource (optionally one container). */
export function resourceReplicas(
  input: PodAveragedInput & { container: string; targetUtilization: number },
): { replicas: number; utilization: number; rawAverage: bigint } {
  if (input.pods.length === 0)
    throw new Error('no pods returned by selector while calculating replica count');
  // Computed after the set-aside pods are removed, in the controller's order of failures.
  let requests: Map<string, bigint> | undefined;
  const requestsOf = () => {
    requests ??= calculateRequests(input.pods, input.container, input.resource);
    return requests;
  };
  let first: Utilization | undefined;
  // On scale-down a missing pod counts at max(100 %, target) of its request.
  const fallback = BigInt(Math.max(100, input.targetUtilization));
  const { replicas } = podAveragedReplicas(
    input,
    (metrics) => {
      const result = resourceUtilizationRatio(metrics, requestsOf(), input.targetUtilization);
      first ??= result;
      return result.ratio;
    },
    (pod) => ((requestsOf().get(pod) ?? 0n) * fallback) / 100n,
  );
  return { replicas, utilization: first!.utilization, rawAverage: first!.rawAverage };
}

/** `calcPlainMetricReplicas`: an AverageValue target on per-pod values (Pods metrics, raw resource usage). */
export function plainMetricReplicas(input: PodAveragedInput & { targetUsage: bigint }): {
  replicas: number;
  usage: bigint;
} {
  if (input.pods.length === 0)
    throw new Error('no pods returned by selector while calculating replica count');
  let usage: bigint | undefined;
  const { replicas } = podAveragedReplicas(
    input,
    (metrics) => {
      const result = metricUsageRatio(metrics, input.targetUsage);
      usage ??= result.usage;
      return result.ratio;
    },
    () => input.targetUsage,
  );
  return { replicas, usage: usage! };
}

/** Pods that are Running and Ready, as `getReadyPodsCount` counts them for Object and External Value targets. */
export function readyPodsCount(pods: Pod[]): number {
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  return pods.filter(
    (p) =>
      p.status?.phase === 'Running' &&
      p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  ).length;
}

/**
 * `getUsageRatioReplicaCount`: replicas for a whole-object value. From zero replicas the ratio alone decides,
 * with no tolerance, so that scale-from-zero works.
 */
export function usageRatioReplicaCount(
  currentReplicas: number,
  ratio: number,
  tolerances: Tolerances,
  pods: Pod[],
): number {
  if (currentReplicas === 0) return Math.ceil(ratio);
  if (isWithin(tolerances, ratio)) return currentReplicas;
  return ceilInt32(ratio * readyPodsCount(pods));
}

/** `GetObjectPerPodMetricReplicas` / `GetExternalPerPodMetricReplicas`: an AverageValue target on a total. */
export function perPodTotalReplicas(
  statusReplicas: number,
  total: bigint,
  targetPerPod: bigint,
  tolerances: Tolerances,
): { replicas: number; usage: bigint } {
  let replicas = statusReplicas;
  const ratio = Number(total) / (Number(targetPerPod) * statusReplicas);
  if (!isWithin(tolerances, ratio)) replicas = ceilInt32(Number(total) / Number(targetPerPod));
  if (total >= maxInt64 || statusReplicas === 0) return { replicas, usage: total };
  const divisor = BigInt(statusReplicas);
  return { replicas, usage: (total + divisor - 1n) / divisor };
}

/** Σ of external series, saturating at MaxInt64 as the controller does on overflow. */
export function saturatedSum(values: bigint[]): bigint {
  const sum = values.reduce((a, b) => a + b, 0n);
  if (sum > maxInt64) return maxInt64;
  return sum;
}
