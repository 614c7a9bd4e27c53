/**
 * The builtin runner: runs a k6 script unmodified with k6's lifecycle (init per VU → setup → scenarios → teardown →
 * thresholds → summary), one worker thread per VU, HTTP and metrics on this thread. Each phase is a method of
 * TestRun (test-run.ts); this file only orders them.
 */
import type { LoadResult, LoadRunner, RunLoadOptions } from '../types.js';
import { EarlyExit, TestRun } from './test-run.js';

export async function runBuiltin(options: RunLoadOptions): Promise<LoadResult> {
  const run = new TestRun(options);
  try {
    await run.load();
    await run.initVus();
    run.start();
    await run.setup();
    await run.scenarios();
    const testEnd = await run.teardown();
    return await run.summary(testEnd);
  } catch (error) {
    if (error instanceof EarlyExit) return run.earlyResult(error);
    throw error;
  } finally {
    await run.close();
  }
}

export const builtinRunner: LoadRunner = { name: 'builtin', run: runBuiltin };
