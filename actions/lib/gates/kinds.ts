/**
 * The gate types as data: how each is evaluated and whether it can be judged while its load stage still runs.
 * A new gate type is its own file (schema, cross-field checks, evaluator), one line in schema.ts' gateDefinitions,
 * its name in the verdict's enum and one line here; runners read these properties instead of asking for a type by name.
 */
import { evaluateCanaryVsStable } from './canary-vs-stable.js';
import { evaluateErrorRate } from './error-rate.js';
import { evaluateHpaScaleOut } from './hpa-scale-out.js';
import { evaluateLatency } from './latency.js';
import { evaluateLoadApplied } from './load-applied.js';
import { evaluatePendingPods } from './pending-pods.js';
import { evaluatePromql } from './promql-gate.js';
import type { GateQueries } from './queries.js';
import type { Gate, GateOf, GateType } from './schema.js';
import type { GateContext, GateOutcome } from './types.js';

export interface GateKind<T extends GateType> {
  evaluate: (gate: GateOf<T>, context: GateContext, queries: GateQueries) => Promise<GateOutcome>;
  /**
   * Whether a failure seen part-way through a load stage is already definitive, so the gate may be evaluated
   * continuously and stop the load early. False for a gate whose meaning is the whole stage.
   */
  continuous: boolean;
}

export const gateKinds: { [T in GateType]: GateKind<T> } = {
  hpaScaleOut: { evaluate: evaluateHpaScaleOut, continuous: true },
  pendingPods: { evaluate: evaluatePendingPods, continuous: true },
  latency: { evaluate: evaluateLatency, continuous: true },
  errorRate: { evaluate: evaluateErrorRate, continuous: true },
  // The achieved rate over the whole stage: early in a ramp it would fail a load that is still rising.
  loadApplied: { evaluate: evaluateLoadApplied, continuous: false },
  canaryVsStable: { evaluate: evaluateCanaryVsStable, continuous: true },
  promql: { evaluate: evaluatePromql, continuous: true },
};

/** The gate's kind, typed for that gate. */
export function gateKind<T extends GateType>(gate: GateOf<T>): GateKind<T> {
  return gateKinds[gate.type as T];
}

/** The gates that may be judged during their load stage (the rest are judged once, at its end). */
export function continuousGates(gates: Gate[]): Gate[] {
  return gates.filter((gate) => gateKinds[gate.type].continuous);
}
