/**
 * The one way a published JSON Schema (`schema/*.schema.json`, for editors and other tools) is made from its zod
 * schema: draft 2020-12, the input side (what a file holds before parsing), an `$id` from its path, and the
 * committed formatting (2-space JSON with a trailing newline), so a test can compare it byte for byte.
 */
import { z } from 'zod';

export function jsonSchemaDocument(schema: z.ZodType, path: string, title: string): string {
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });
  const document = { $id: `https://scalegate.dev/${path}`, title, ...generated };
  return `${JSON.stringify(document, null, 2)}\n`;
}
