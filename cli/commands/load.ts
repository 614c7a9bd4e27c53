import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseEnvAssignments } from '../../actions/lib/load/env.js';
import { progressPrinter, runLoad } from '../../actions/lib/load/index.js';
import type { RunnerName } from '../../actions/lib/load/types.js';
import { UsageError } from '../../actions/lib/util/errors.js';
import { onTermination } from '../../actions/lib/util/termination.js';
import { type Command, parseCommandArgs, requireOption } from '../command.js';

const usage = `Usage: scalegate load --script <file> [--runner auto|k6|builtin|operator] [--summary-export <file>]
                      [--out json=<file>] [-e KEY=VALUE]... [--stages <spec>] [--windows <file>]
                      [--namespace <ns>] [--parallelism <n>] [--kubeconfig <file>] [--context <name>]
                      [--runner-image <image>] [--keep] [--verbose]

Runs a k6 script (.js or .ts) and exits with k6's exit code: 0 passed, 99 thresholds crossed, 104 invalid
options, 105 interrupted, 107 script error, 108 test.abort(), 110 test.fail().

Runners: k6 (the k6 binary on PATH, flags passed through), operator (a k6-operator TestRun in the current
kubeconfig context; --namespace, --parallelism, --runner-image, --keep), builtin (the engine of scalegate, runs
unmodified k6 scripts without k6), auto (k6 when on PATH, else builtin; the default).

  --stages <spec>      k6 --stage list replacing the script's scenarios, e.g. 10s:5,20s:10,5s:0
  --windows <file>     write the start/end (RFC3339, ms) of the test, every scenario and every stage as JSON
  --summary-export     k6's summary export (JSON); --out json=<file>: k6's NDJSON metrics stream
  --verbose, -v        also print the script's console.debug output (passed on to k6 as --verbose), and
                       whether the builtin engine pools the VUs (many per thread) or why not
`;

export const loadCommand: Command = {
  name: 'load',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs('load', argv, {
      script: { type: 'string' },
      runner: { type: 'string', default: 'auto' },
      'summary-export': { type: 'string' },
      out: { type: 'string' },
      env: { type: 'string', short: 'e', multiple: true },
      stages: { type: 'string' },
      windows: { type: 'string' },
      namespace: { type: 'string' },
      parallelism: { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      'runner-image': { type: 'string' },
      keep: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
    });
    const script = requireOption('load', 'script', values.script);
    const runner = values.runner as RunnerName;
    if (!['auto', 'k6', 'builtin', 'operator'].includes(runner))
      throw new UsageError(`scalegate load: --runner must be auto, k6, builtin or operator, got '${runner}'`);
    let outJson: string | undefined;
    if (values.out !== undefined) {
      if (!values.out.startsWith('json='))
        throw new UsageError(`scalegate load: --out supports json=<file>, got '${values.out}'`);
      outJson = values.out.slice('json='.length);
    }
    let env: Record<string, string>;
    try {
      env = parseEnvAssignments(values.env ?? [], 'scalegate load: -e');
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const parallelism = values.parallelism === undefined ? undefined : Number(values.parallelism);
    if (parallelism !== undefined && !(Number.isInteger(parallelism) && parallelism > 0))
      throw new UsageError(
        `scalegate load: --parallelism must be a positive integer, got '${values.parallelism}'`,
      );
    const termination = onTermination();
    try {
      const result = await runLoad({
        script: resolve(io.cwd, script),
        runner,
        env,
        cwd: io.cwd,
        signal: termination.signal,
        onProgress: progressPrinter(io.stderr as NodeJS.WriteStream),
        log: (line) => io.stderr.write(`${line}\n`),
        stdout: (text) => io.stdout.write(text),
        ...(values['summary-export'] ? { summaryExport: values['summary-export'] } : {}),
        ...(outJson !== undefined ? { outJson } : {}),
        ...(values.stages ? { stages: values.stages } : {}),
        ...(values.verbose ? { verbose: true } : {}),
        kube: {
          ...(values.namespace ? { namespace: values.namespace } : {}),
          ...(parallelism ? { parallelism } : {}),
          ...(values.kubeconfig ? { kubeconfig: resolve(io.cwd, values.kubeconfig) } : {}),
          ...(values.context ? { context: values.context } : {}),
          ...(values['runner-image'] ? { runnerImage: values['runner-image'] } : {}),
          ...(values.keep ? { keep: true } : {}),
        },
      });
      if ((io.stderr as NodeJS.WriteStream).isTTY) io.stderr.write('\n');
      if (values.windows)
        await writeFile(resolve(io.cwd, values.windows), `${JSON.stringify(result.windows, null, 2)}\n`);
      return result.exitCode;
    } finally {
      termination.dispose();
    }
  },
};
