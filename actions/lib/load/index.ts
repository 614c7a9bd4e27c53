/**
 * Load stages: run a k6 script with the real k6 binary, distributed through k6-operator, or with the builtin engine,
 * and report k6's exit code, the stage/scenario windows, the summary and key numbers. Each runner implements
 * LoadRunner in its own file; this registry is the one place that knows them all.
 */
import { findK6 } from './k6-binary.js';
import type { LoadResult, LoadRunner, RunLoadOptions, RunnerName } from './types.js';

export { formatProgress, progressPrinter } from './progress.js';
export type * from './types.js';

type ConcreteRunner = Exclude<RunnerName, 'auto'>;

/** Loaded on demand: the operator runner pulls in the Kubernetes client, the builtin one its worker machinery. */
const runners: Record<ConcreteRunner, () => Promise<LoadRunner>> = {
  k6: async () => (await import('./k6-binary.js')).k6Runner,
  operator: async () => (await import('./operator.js')).operatorRunner,
  builtin: async () => (await import('./builtin/engine.js')).builtinRunner,
};

/** `auto` → the k6 binary when it is on PATH, else the builtin engine. */
export function selectRunner(
  runner: RunnerName = 'auto',
  env: NodeJS.ProcessEnv = process.env,
): ConcreteRunner {
  if (runner !== 'auto') return runner;
  return findK6(env) ? 'k6' : 'builtin';
}

export async function runLoad(options: RunLoadOptions): Promise<LoadResult> {
  const runner = await runners[selectRunner(options.runner)]();
  return runner.run(options);
}
