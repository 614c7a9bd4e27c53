/**
 * The gate types, in the order the JSON Schemas list them: a new type is its own file (one `GateDefinition`) and
 * one line in `gateDefinitions`. The settings schema, the evaluators and the continuous runner read this list; the
 * verdict's type enum reads `gate-types.ts`, which `npm run schema` writes from it.
 */
import { canaryVsStableGate } from './canary-vs-stable.js';
import type { GateDefinition } from './definition.js';
import { errorRateGate } from './error-rate.js';
import { hpaScaleOutGate } from './hpa-scale-out.js';
import { latencyGate } from './latency.js';
import { loadAppliedGate } from './load-applied.js';
import { pendingPodsGate } from './pending-pods.js';
import { podRestartsGate } from './pod-restarts.js';
import { promqlGate } from './promql-gate.js';

export const gateDefinitions = [
  hpaScaleOutGate,
  pendingPodsGate,
  latencyGate,
  errorRateGate,
  loadAppliedGate,
  canaryVsStableGate,
  promqlGate,
  podRestartsGate,
] as const;

/** The registered gate types' names, in order. */
export function registeredGateTypes(): string[] {
  return gateDefinitions.map((d) => d.schema.shape.type.value);
}

// Each definition takes gates of its own type; a gate parsed by the schemas always meets its type's definition.
const byType = new Map(
  gateDefinitions.map((d) => [d.schema.shape.type.value as string, d as unknown as GateDefinition]),
);

/** The definition of a parsed gate's type. */
export function gateDefinition(gate: { type: string }): GateDefinition {
  return byType.get(gate.type)!;
}

/** The gates that may be judged during their load stage (the rest are judged once, at its end). */
export function continuousGates<G extends { type: string }>(gates: G[]): G[] {
  return gates.filter((gate) => gateDefinition(gate).continuous);
}
