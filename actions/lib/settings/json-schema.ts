/** The published JSON Schema of environment settings, generated from the zod schema (editors complete with it). */
import { jsonSchemaDocument } from '../util/json-schema.js';
import { environmentSchema } from './schema.js';

export const environmentSchemaPath = 'schema/environment.schema.json';

export function environmentJsonSchema(): string {
  return jsonSchemaDocument(environmentSchema, environmentSchemaPath, 'scalegate environment settings');
}
