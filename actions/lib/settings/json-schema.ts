/** The published JSON Schema of environment settings, generated from the zod schema (editors complete with it). */
import { z } from 'zod';
import { environmentSchema } from './schema.js';

export const environmentSchemaPath = 'schema/environment.schema.json';

/** The JSON Schema document, as committed: 2-space JSON with a trailing newline. */
export function environmentJsonSchema(): string {
  const generated = z.toJSONSchema(environmentSchema, { target: 'draft-2020-12', io: 'input' });
  const document = {
    $id: 'https://scalegate.dev/schema/environment.schema.json',
    title: 'scalegate environment settings',
    ...generated,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
