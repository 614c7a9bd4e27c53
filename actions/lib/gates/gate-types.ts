// Written by `npm run schema` from the gate registry (registry.ts); do not edit.
/**
 * The gate types' names, for the verdict's type enum: a leaf, so that reading a verdict does not load every gate
 * type's schema and evaluator. A registered type missing here fails to compile (evaluate.ts writes `gate.type`).
 */
// biome-ignore format: generated
export const gateTypes = [
  'hpaScaleOut',
  'pendingPods',
  'latency',
  'errorRate',
  'loadApplied',
  'canaryVsStable',
  'promql',
  'podRestarts',
] as const;
