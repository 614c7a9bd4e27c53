#!/usr/bin/env node
// Makes sure a Prometheus server binary is available for the tests and local runs: found on PATH (or
// $PROMETHEUS_BIN), else installed from the distribution's package (apt-get, as root or with password-less sudo).
// Usage: node scripts/setup-prometheus.mjs      (the `pretest` script and .ci/run call it)
import { execFileSync } from 'node:child_process';
import { register } from 'tsx/esm/api';

register();
const { ensurePrometheus } = await import('../cli/local/prometheus-server.ts');
const { ScalegateError } = await import('../actions/lib/util/errors.ts');

try {
  const binary = ensurePrometheus({ install: true, log: (line) => console.error(line) });
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).split('\n')[0];
  console.log(`prometheus: ${binary} (${version})`);
} catch (error) {
  if (!(error instanceof ScalegateError)) throw error;
  console.error(error.message);
  process.exitCode = error.exitCode;
}
