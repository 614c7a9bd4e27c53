#!/usr/bin/env node
// Makes sure headless Chromium is available for the report test (test/e2e/demo.test.ts): found on PATH (or
// $CHROMIUM_BIN), else installed from the distribution's package (apt-get, as root or with password-less sudo).
// Usage: node scripts/setup-chromium.mjs     (CI runs it before npm test; the test also installs when allowed)
import { execFileSync } from 'node:child_process';
import { register } from 'tsx/esm/api';

register();
const { ensureChromium } = await import('../test/e2e/chromium.ts');

try {
  const binary = ensureChromium({ install: true, log: (line) => console.error(line) });
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  console.log(`chromium: ${binary} (${version})`);
} catch (error) {
  console.error(error.message);
  process.exitCode = 2;
}
