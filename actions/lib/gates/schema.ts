/**
 * Gate files (`gates:` plus optional `metrics:`) and the `gates:` list of environment settings. The key names are
 * the contract of issue 5; new keys may be added, none renamed. Durations become milliseconds and ratios
 * fractions at parse time, and `promql` conditions are parsed then, so a bad expression is a settings error with a
 * position, never a surprise during a rollout. Each gate type's schema and cross-field checks live in its own file;
 * `registry.ts` lists them once.
 */
import { z } from 'zod';
import { type GateProblem, gateMetricsSchema } from './fields.js';
import { gateDefinition, gateDefinitions } from './registry.js';

export { defaultGateMetrics, type GateMetrics, gateMetricsSchema } from './fields.js';

/** The definitions' schemas as a tuple type, which z.discriminatedUnion needs to infer the gate union. */
type SchemasOf<T extends readonly unknown[]> = {
  -readonly [I in keyof T]: T[I] extends { schema: infer S } ? S : never;
};
type GateSchemas = SchemasOf<typeof gateDefinitions>;

export const gateSchema = z.discriminatedUnion(
  'type',
  gateDefinitions.map((d) => d.schema) as unknown as GateSchemas,
);

export const gateFileSchema = z
  .strictObject({
    gates: z.array(gateSchema).min(1).describe('The gates, each with a unique name'),
    metrics: gateMetricsSchema.default({
      requestDuration: 'http_request_duration_seconds',
      requestsTotal: 'http_requests_total',
    }),
  })
  .describe('scalegate gate file');

export type Gate = z.output<typeof gateSchema>;
export type GateType = Gate['type'];
export type GateOf<T extends GateType> = Extract<Gate, { type: T }>;
export type GateFile = z.output<typeof gateFileSchema>;

/** Problems zod cannot see: fields that exclude or require each other. Paths are relative to the gate. */
export function semanticProblems(gate: Gate): GateProblem[] {
  return gateDefinition(gate).problems?.(gate) ?? [];
}
