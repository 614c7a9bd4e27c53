/**
 * The Deployment controller's arithmetic as pure functions (pkg/controller/deployment/util and rolling.go):
 * fenceposts, how far the new ReplicaSet may grow, how far old ones may shrink, proportional scaling, the pod
 * template hash and the rollout conditions.
 */
import type { Condition } from './objects.js';

export type IntOrPercent = number | string | undefined;

/** `GetScaledValueFromIntOrPercent`: "25%" of total, rounded up or down; plain integers pass through. */
export function scaledValue(value: IntOrPercent, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value.trim());
  if (!match) {
    const plain = Number(value);
    if (Number.isInteger(plain)) return plain;
    throw new RangeError(`invalid value for IntOrString: invalid value: "${value}"`);
  }
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** `ResolveFenceposts`: maxSurge rounds up, maxUnavailable down; both zero makes maxUnavailable 1. */
export function resolveFenceposts(
  maxSurge: IntOrPercent,
  maxUnavailable: IntOrPercent,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  const unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  return surge === 0 && unavailable === 0 ? { surge, unavailable: 1 } : { surge, unavailable };
}

export interface RollingParams {
  replicas: number;
  surge: number;
  unavailable: number;
}

/** `NewRSNewReplicas` for RollingUpdate: grow the new RS while Σ spec.replicas stays within replicas + maxSurge. */
export function newReplicaSetReplicas(
  params: RollingParams,
  totalSpecReplicas: number,
  newSpec: number,
): number {
  const maxTotal = params.replicas + params.surge;
  if (totalSpecReplicas >= maxTotal) return newSpec;
  const scaleUp = Math.min(maxTotal - totalSpecReplicas, params.replicas - newSpec);
  return newSpec + scaleUp;
}

export interface ReplicaSetCounts {
  name: string;
  spec: number;
  available: number;
}

/**
 * `reconcileOldReplicaSets`: first shrink old ReplicaSets by their unavailable pods (`cleanupUnhealthyReplicas`),
 * then scale old ones down, oldest first, while availability stays at replicas − maxUnavailable
 * (`scaleDownOldReplicaSetsForRollingUpdate`). `old` is ordered oldest first. Returns the new spec per old RS.
 */
export function scaleDownOldReplicaSets(
  params: RollingParams,
  newRs: ReplicaSetCounts | undefined,
  old: ReplicaSetCounts[],
): Map<string, number> {
  const result = new Map(old.map((rs) => [rs.name, rs.spec]));
  const oldPods = old.reduce((s, rs) => s + rs.spec, 0);
  if (oldPods === 0) return result;
  const allPods = oldPods + (newRs?.spec ?? 0);
  const minAvailable = params.replicas - params.unavailable;
  const newUnavailable = (newRs?.spec ?? 0) - (newRs?.available ?? 0);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return result;

  let cleaned = 0;
  for (const rs of old) {
    if (cleaned >= maxScaledDown) break;
    const current = result.get(rs.name) ?? 0;
    if (current === rs.available) continue;
    const down = Math.min(maxScaledDown - cleaned, current - rs.available);
    if (down <= 0) continue;
    result.set(rs.name, current - down);
    cleaned += down;
  }

  const availablePods = old.reduce((s, rs) => s + rs.available, 0) + (newRs?.available ?? 0);
  if (availablePods <= minAvailable) return result;
  const totalDown = availablePods - minAvailable;
  let scaledDown = 0;
  for (const rs of old) {
    if (scaledDown >= totalDown) break;
    const current = result.get(rs.name) ?? 0;
    if (current === 0) continue;
    const down = Math.min(current, totalDown - scaledDown);
    result.set(rs.name, current - down);
    scaledDown += down;
  }
  return result;
}

/**
 * Proportional scaling of the active ReplicaSets when spec.replicas changes mid-rollout (`scale`): each RS gets
 * its share of the difference by size, and the rounding leftover goes to the first (largest, newest) one.
 * `sizes` are ordered largest first; returns the new sizes in the same order.
 */
export function proportionalScale(sizes: number[], allowedTotal: number): number[] {
  const current = sizes.reduce((s, n) => s + n, 0);
  const toAdd = allowedTotal - current;
  if (toAdd === 0 || current === 0) return [...sizes];
  let added = 0;
  const next = sizes.map((size) => {
    const share = Math.trunc((size * toAdd) / current);
    const bounded = toAdd > 0 ? Math.min(share, toAdd - added) : Math.max(share, toAdd - added, -size);
    added += bounded;
    return size + bounded;
  });
  if (next.length > 0) next[0] = Math.max(0, (next[0] as number) + (toAdd - added));
  return next;
}

/** FNV-1a 32-bit, the hasher behind `controller.ComputeHash`. */
function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** `rand.SafeEncodeString` of the decimal hash: the pod-template-hash label value (e.g. `5d8f7c9b6`). */
export function podTemplateHash(canonicalTemplate: string, collisionCount: number): string {
  const digits = String(
    fnv32a(collisionCount > 0 ? `${canonicalTemplate}${collisionCount}` : canonicalTemplate),
  );
  return [...digits].map((d) => safeAlphabet[d.charCodeAt(0) % safeAlphabet.length]).join('');
}

export interface DeploymentStatusInput {
  paused?: boolean;
  replicas: number;
  generation: number;
  unavailable: number;
  progressDeadlineSeconds: number | undefined;
  newReplicaSetName: string | undefined;
  previous: {
    updatedReplicas?: number;
    replicas?: number;
    availableReplicas?: number;
    conditions?: Condition[];
  };
  next: { updatedReplicas: number; replicas: number; availableReplicas: number; observedGeneration: number };
  nowMs: number;
  nowIso: string;
}

/**
 * The Available and Progressing conditions (`calculateStatus` + `syncRolloutStatus`): Progressing turns
 * NewReplicaSetAvailable when complete, ReplicaSetUpdated while any count moves, and ProgressDeadlineExceeded
 * once lastUpdateTime + progressDeadlineSeconds passes without progress.
 */
export function rolloutConditions(input: DeploymentStatusInput): Condition[] {
  const { next, previous, nowIso } = input;
  const conditions = (previous.conditions ?? []).map((c) => ({ ...c }));
  const set = (condition: Condition) => {
    const index = conditions.findIndex((c) => c.type === condition.type);
    const old = index >= 0 ? conditions[index] : undefined;
    const merged: Condition = {
      ...condition,
      lastUpdateTime: condition.lastUpdateTime ?? nowIso,
      lastTransitionTime:
        old && old.status === condition.status ? (old.lastTransitionTime ?? nowIso) : nowIso,
    };
    if (
      old &&
      old.status === merged.status &&
      old.reason === merged.reason &&
      old.message === merged.message &&
      condition.lastUpdateTime === undefined
    ) {
      return;
    }
    if (index >= 0) conditions[index] = merged;
    else conditions.push(merged);
  };

  const minAvailable = input.replicas - input.unavailable;
  set(
    next.availableReplicas >= minAvailable
      ? {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        }
      : {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        },
  );

  // A paused rollout reports no progress and cannot time out (syncRolloutStatus does not run).
  if (input.paused) return conditions;
  if (input.progressDeadlineSeconds === undefined) {
    return conditions.filter((c) => c.type !== 'Progressing');
  }
  const progressing = conditions.find((c) => c.type === 'Progressing');
  const rsName = input.newReplicaSetName ?? '';
  const complete =
    next.updatedReplicas === input.replicas &&
    next.replicas === input.replicas &&
    next.availableReplicas === input.replicas &&
    next.observedGeneration >= input.generation;
  const madeProgress =
    next.updatedReplicas > (previous.updatedReplicas ?? 0) ||
    next.replicas - next.updatedReplicas < (previous.replicas ?? 0) - (previous.updatedReplicas ?? 0) ||
    next.availableReplicas > (previous.availableReplicas ?? 0);
  if (complete) {
    set({
      type: 'Progressing',
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${rsName}" has successfully progressed.`,
    });
  } else if (madeProgress) {
    set({
      type: 'Progressing',
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: `ReplicaSet "${rsName}" is progressing.`,
      lastUpdateTime: nowIso,
    });
  } else if (progressing && timedOut(progressing, input.progressDeadlineSeconds, input.nowMs)) {
    set({
      type: 'Progressing',
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${rsName}" has timed out progressing.`,
    });
  }
  return conditions;
}

/** `DeploymentTimedOut`. */
export function timedOut(progressing: Condition, deadlineSeconds: number, nowMs: number): boolean {
  if (progressing.reason === 'NewReplicaSetAvailable') return false;
  if (progressing.reason === 'ProgressDeadlineExceeded') return true;
  const from = Date.parse(progressing.lastUpdateTime ?? '');
  return Number.isFinite(from) && from + deadlineSeconds * 1000 < nowMs;
}
