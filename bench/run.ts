/**
 * Runs every benchmark (`bench/*.bench.ts`), each in a process of its own so that memory figures do not mix, one
 * after the other so that they do not compete for the two cores. Each prints a Markdown section with its figures as
 * ratios against a reference measured in the same run. `npm run bench -- <name>` runs only the matching files.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.log(filters.length ? `no benchmark matches ${filters.join(', ')}` : 'no benchmarks yet');
}
let failed = 0;
for (const file of files) {
  console.log(`\n<!-- ${file} -->`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(here, file)], {
    stdio: 'inherit',
  });
  if (run.status !== 0) {
    failed++;
    console.error(`${file} exited with ${run.status ?? run.signal}`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
