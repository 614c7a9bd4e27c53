/** The published JSON Schema of gate files, generated from the zod schema (editors complete with it). */
import { z } from 'zod';
import { gateFileSchema } from './schema.js';

export const gateFileSchemaPath = 'schema/gates.schema.json';

/** The JSON Schema document, as committed: 2-space JSON with a trailing newline. */
export function gateFileJsonSchema(): string {
  const generated = z.toJSONSchema(gateFileSchema, { target: 'draft-2020-12', io: 'input' });
  const document = {
    $id: 'https://scalegate.dev/schema/gates.schema.json',
    title: 'scalegate gate file',
    ...generated,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
