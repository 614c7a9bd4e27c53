/**
 * What one gate type declares about itself, in its own file: the schema its gate-file entries parse with (whose
 * `type` literal names it), the checks across its fields that zod cannot express, how it is evaluated, and whether
 * it may be judged while its load stage still runs. `registry.ts` lists the definitions once.
 */
import type { z } from 'zod';
import type { GateProblem } from './fields.js';
import type { GateQueries } from './queries.js';
import type { GateContext, GateOutcome } from './types.js';

export interface GateDefinition<Schema extends z.ZodObject = z.ZodObject> {
  schema: Schema;
  problems?: (gate: z.output<Schema>) => GateProblem[];
  evaluate: (gate: z.output<Schema>, context: GateContext, queries: GateQueries) => Promise<GateOutcome>;
  /**
   * Whether a failure seen part-way through a load stage is already definitive, so the gate may be evaluated
   * continuously and stop the load early. False for a gate whose meaning is the whole stage.
   */
  continuous: boolean;
}
