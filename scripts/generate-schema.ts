// Regenerates the published JSON Schemas (schema/*.schema.json) from their zod schemas.
// Run: npm run schema   (test/settings/schema.test.ts, test/gates/json-schema.test.ts fail when one is stale)
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  gateFileJsonSchema,
  gateFileSchemaPath,
  verdictJsonSchema,
  verdictSchemaPath,
} from '../actions/lib/gates/json-schema.js';
import { environmentJsonSchema, environmentSchemaPath } from '../actions/lib/settings/json-schema.js';

const root = new URL('..', import.meta.url).pathname;
for (const [path, document] of [
  [environmentSchemaPath, environmentJsonSchema()],
  [gateFileSchemaPath, gateFileJsonSchema()],
  [verdictSchemaPath, verdictJsonSchema()],
]) {
  await writeFile(join(root, path!), document!);
  console.log(`wrote ${path}`);
}
