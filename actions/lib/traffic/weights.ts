/** Replica bounds of one track: an HPA's (or ScaledObject's) min/max, or min == max for fixed replicas. */
export interface Bounds {
  min: number;
  max: number;
}

export interface ReplicaSplit {
  stable: Bounds;
  canary: Bounds;
  /** The canary's share of pods the split gives, in percent (at the lower bounds), which may differ from asked. */
  achievedWeight: number;
}

function scaled(bounds: Bounds, factor: number): Bounds {
  const min = Math.max(1, Math.round(bounds.min * factor));
  return { min, max: Math.max(min, Math.round(bounds.max * factor)) };
}

/**
 * Replica-ratio traffic split: a Service selecting both tracks sends each pod an equal share, so the canary's
 * weight is its share of pods. Both tracks keep autoscaling; their bounds are scaled so that canary : stable
 * ≈ weight : (100 − weight). Up to 50 % the stable keeps its rendered bounds and the canary gets
 * stable × w/(100−w); above 50 % the canary keeps its rendered bounds and the stable shrinks to
 * canary × (100−w)/w. Every track keeps at least one pod, so 0 % and 100 % are approximated (100 % is promote's job).
 */
export function replicaSplit(weight: number, stable: Bounds, canary: Bounds): ReplicaSplit {
  if (!(weight >= 0 && weight <= 100)) throw new RangeError(`weight must be 0..100, got ${weight}`);
  let split: { stable: Bounds; canary: Bounds };
  if (weight === 0) split = { stable, canary: { min: 1, max: 1 } };
  else if (weight <= 50) split = { stable, canary: scaled(stable, weight / (100 - weight)) };
  else if (weight < 100) split = { stable: scaled(canary, (100 - weight) / weight), canary };
  else split = { stable: { min: 1, max: 1 }, canary };
  const achievedWeight = Math.round((100 * split.canary.min) / (split.canary.min + split.stable.min));
  return { ...split, achievedWeight };
}

/** Backend weights of a two-way split (gateway-api, nginx canary-weight): what is not canary goes to stable. */
export function backendWeights(weight: number): { stable: number; canary: number } {
  if (!(weight >= 0 && weight <= 100)) throw new RangeError(`weight must be 0..100, got ${weight}`);
  return { stable: 100 - weight, canary: weight };
}
