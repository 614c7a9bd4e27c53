/**
 * Load stages: run a k6 script with the real k6 binary, distributed through k6-operator, or with the builtin engine,
 * and report k6's exit code, the stage/scenario windows, the summary and key numbers.
 */
import { runBuiltin } from './engine.js';
import { findK6, runK6Binary } from './k6-binary.js';
import type { LoadResult, RunLoadOptions, RunnerName } from './types.js';

export { formatProgress, progressPrinter } from './progress.js';
export type * from './types.js';

/** `auto` → the k6 binary when it is on PATH, else the builtin engine. */
export function selectRunner(
  runner: RunnerName = 'auto',
  env: NodeJS.ProcessEnv = process.env,
): Exclude<RunnerName, 'auto'> {
  if (runner !== 'auto') return runner;
  return findK6(env) ? 'k6' : 'builtin';
}

export async function runLoad(options: RunLoadOptions): Promise<LoadResult> {
  switch (selectRunner(options.runner)) {
    case 'k6':
      return runK6Binary(options);
    case 'operator':
      // Loaded on demand: the Kubernetes client is large and only this runner needs it.
      return (await import('./operator.js')).runOperator(options);
    case 'builtin':
      return runBuiltin(options);
  }
}
