/** Runs k6 scripts on the builtin engine for tests, keeping the log lines and the stdout of the last run. */
import { resolve } from 'node:path';
import { runLoad } from '../../actions/lib/load/index.js';
import type { LoadResult, RunLoadOptions } from '../../actions/lib/load/types.js';

export interface BuiltinRuns {
  logs: string[];
  stdout: string;
  /** `script` relative to the folder given (or absolute); `extra` over the defaults. */
  run(script: string, extra?: Partial<RunLoadOptions>): Promise<LoadResult>;
}

/** `defaults` is read at each run: targets are known only once the suite's servers listen. */
export function builtinRuns(scriptDir: string, defaults: () => Partial<RunLoadOptions>): BuiltinRuns {
  const runs: BuiltinRuns = {
    logs: [],
    stdout: '',
    run(script, extra = {}) {
      runs.logs.length = 0;
      runs.stdout = '';
      return runLoad({
        script: resolve(scriptDir, script),
        runner: 'builtin',
        log: (line) => runs.logs.push(line),
        stdout: (text) => {
          runs.stdout += text;
        },
        ...defaults(),
        ...extra,
      });
    },
  };
  return runs;
}
