import { resolve } from 'node:path';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';
import { type Command, parseCommandArgs, parseControlPlane } from '../command.js';
import { runDemo } from '../demo/index.js';
import { stderrLog, withCancellation } from '../session-support.js';

export const demoCommand: Command = {
  name: 'demo',
  usage: `Usage: scalegate demo [--out <dir>] [--control-plane builtin|kubernetes]

Starts the local cluster (simulator, fast profile, three nodes of one CPU) and a real Prometheus scraping it every
second, then runs scalegate verify three times: a good canary of the sample service (examples/03-canary-ratio,
shop/web:1.5.0), which is promoted; a regressed one (shop/web:1.6.0-cpu2x: twice the CPU per request), which the
canary-versus-stable latency gate rolls back; and a canary of the capacity scenario (examples/02-pending-pods,
shop/api:2.1.0) whose HPA scales out in time but whose new pods stay Pending on full nodes, which the pending-pods
gate rolls back. Writes report.md, report.html and verdict.json to --out and stops everything it started.
Exit 0 when every run ends as expected, 1 otherwise. Set-up included: when Prometheus is missing it is installed
from the distribution's package (apt-get, as root or with password-less sudo; or set PROMETHEUS_BIN).

Options:
  --out <dir>             where the reports go (default ./scalegate-demo)
  --control-plane <kind>  builtin (default) or kubernetes: the real control plane built by \`npm run build:kube\`,
                          with scalegate running as the scalegate-ci ServiceAccount
`,
  async run(argv, io) {
    const { values } = parseCommandArgs('demo', argv, {
      out: { type: 'string' },
      'control-plane': { type: 'string' },
    });
    const controlPlane = parseControlPlane('demo', values['control-plane']);
    const out = resolve(io.cwd, values.out ?? 'scalegate-demo');
    return withCancellation(io, async (signal) => {
      const demo = await runDemo({
        out,
        cwd: io.cwd,
        processEnv: io.env,
        signal,
        log: stderrLog(io),
        installPrometheus: true,
        controlPlane,
      });
      for (const run of demo.runs)
        io.stdout.write(
          `${run.asExpected ? 'ok  ' : 'FAIL'} ${run.image}: ${run.result.outcome} (expected ${run.expected}): ${run.result.reason}\n`,
        );
      io.stdout.write(
        `report: ${demo.files.html}\n        ${demo.files.markdown}\n        ${demo.files.verdict}\n` +
          `demo finished in ${(demo.durationMs / 1000).toFixed(0)} s\n`,
      );
      return demo.passed ? ExitCode.ok : ExitCode.failed;
    });
  },
};
