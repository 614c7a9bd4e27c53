// Regenerates the published JSON Schemas (schema/*.schema.json) from their zod schemas, and the gate-type names
// the verdict schema reads (actions/lib/gates/gate-types.ts) from the gate registry.
// Run: npm run schema   (test/settings/schema.test.ts, test/gates/json-schema.test.ts fail when one is stale)
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  gateFileJsonSchema,
  gateFileSchemaPath,
  gateTypesModule,
  gateTypesModulePath,
  verdictJsonSchema,
  verdictSchemaPath,
} from '../actions/lib/gates/json-schema.js';
import { environmentJsonSchema, environmentSchemaPath } from '../actions/lib/settings/json-schema.js';

const root = new URL('..', import.meta.url).pathname;

// The verdict schema was loaded with the names as they were: after changing them, generate again in a new process.
const namesFile = join(root, gateTypesModulePath);
if ((await readFile(namesFile, 'utf8')) !== gateTypesModule()) {
  await writeFile(namesFile, gateTypesModule());
  console.log(`wrote ${gateTypesModulePath}`);
  const again = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.exit(again.status ?? 1);
}

for (const [path, document] of [
  [environmentSchemaPath, environmentJsonSchema()],
  [gateFileSchemaPath, gateFileJsonSchema()],
  [verdictSchemaPath, verdictJsonSchema()],
]) {
  await writeFile(join(root, path!), document!);
  console.log(`wrote ${path}`);
}
