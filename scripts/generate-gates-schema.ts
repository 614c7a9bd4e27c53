// Regenerates schema/gates.schema.json from the zod schema of gate files.
// Run: node --import tsx scripts/generate-gates-schema.ts   (test/gates/json-schema.test.ts fails when it is stale)
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gateFileJsonSchema, gateFileSchemaPath } from '../actions/lib/gates/json-schema.js';

const root = new URL('..', import.meta.url).pathname;
await writeFile(join(root, gateFileSchemaPath), gateFileJsonSchema());
console.log(`wrote ${gateFileSchemaPath}`);
