/**
 * The published JSON Schemas of gate files and verdicts, generated from their zod schemas, and the gate-type names
 * the verdict schema reads, generated from the gate registry.
 */
import { jsonSchemaDocument } from '../util/json-schema.js';
import { registeredGateTypes } from './registry.js';
import { gateFileSchema } from './schema.js';
import { verdictSchema } from './verdict-schema.js';

export const gateFileSchemaPath = 'schema/gates.schema.json';
export const verdictSchemaPath = 'schema/verdict.schema.json';

export function gateFileJsonSchema(): string {
  return jsonSchemaDocument(gateFileSchema, gateFileSchemaPath, 'scalegate gate file');
}

export function verdictJsonSchema(): string {
  return jsonSchemaDocument(verdictSchema, verdictSchemaPath, 'scalegate gate verdict');
}

export const gateTypesModulePath = 'actions/lib/gates/gate-types.ts';

/** The source of `gate-types.ts`: the registered names, one a line, as a leaf module. */
export function gateTypesModule(): string {
  return [
    '// Written by `npm run schema` from the gate registry (registry.ts); do not edit.',
    '/**',
    " * The gate types' names, for the verdict's type enum: a leaf, so that reading a verdict does not load every gate",
    " * type's schema and evaluator. A registered type missing here fails to compile (evaluate.ts writes `gate.type`).",
    ' */',
    '// biome-ignore format: generated',
    'export const gateTypes = [',
    ...registeredGateTypes().map((name) => `  '${name}',`),
    '] as const;',
    '',
  ].join('\n');
}
