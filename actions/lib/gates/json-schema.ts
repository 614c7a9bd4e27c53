/** The published JSON Schemas of gate files and verdicts, generated from their zod schemas. */
import { jsonSchemaDocument } from '../util/json-schema.js';
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
