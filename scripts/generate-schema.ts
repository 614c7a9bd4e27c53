// Regenerates schema/environment.schema.json from the zod schema of environment settings.
// Run: node --import tsx scripts/generate-schema.ts   (test/settings/schema.test.ts fails when it is stale)
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { environmentJsonSchema, environmentSchemaPath } from '../actions/lib/settings/json-schema.js';

const root = new URL('..', import.meta.url).pathname;
await writeFile(join(root, environmentSchemaPath), environmentJsonSchema());
console.log(`wrote ${environmentSchemaPath}`);
