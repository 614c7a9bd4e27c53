import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeReport } from '../../actions/lib/report/files.js';
import { UsageError } from '../../actions/lib/util/errors.js';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';
import { verify } from '../../actions/lib/verify/index.js';
import { type Command, parseCommandArgs, requireOption } from '../command.js';
import { stderrLog, withCancellation } from '../session-support.js';

export const verifyCommand: Command = {
  name: 'verify',
  usage: `Usage: scalegate verify --env <env> --image <ref> [options]

Renders the environment, deploys the stable track (the settings' service.image, or --stable-image), deploys the
candidate image as the canary and walks the canary steps: each step's load stage runs with its gates evaluated
continuously (a definitive failure stops the load at once), then once over the stage's window. Gates that no step
names are the final gates, evaluated once over the whole run. All passed: the canary is promoted; otherwise it is
rolled back. Writes report.md, report.html, one SVG per chart and verdict.json to --out.
Exit codes: 0 promoted, 1 rolled back, 2 usage or settings error, 130/143 cancelled (the canary is rolled back).

Options:
  --env <name|file>      environment name (environments/<name>.yaml) or settings file (required)
  --image <ref>          the candidate image, e.g. shop/web:1.5.0 (required)
  --stable-image <ref>   the stable track's image (default: the settings' service.image)
  --kubeconfig <file>    kubeconfig to use (default: $KUBECONFIG, in-cluster, ~/.kube/config)
  --context <name>       kubeconfig context (default: the settings' cluster.context, else current-context)
  --prometheus <url>     Prometheus base URL (default: the settings' prometheus.url)
  --target-url <url>     where load goes (default: load.target in the settings)
  --scrape-interval <s>  Prometheus' scrape interval in seconds, the gates' query step (default 5)
  --timeout <duration>   time limit of each rollout wait (default 10m)
  --out <dir>            where the report and verdict go (default ./scalegate-verify)
`,
  async run(argv, io) {
    const { values } = parseCommandArgs('verify', argv, {
      env: { type: 'string' },
      image: { type: 'string' },
      'stable-image': { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      prometheus: { type: 'string' },
      'target-url': { type: 'string' },
      'scrape-interval': { type: 'string' },
      timeout: { type: 'string' },
      out: { type: 'string' },
    });
    const env = requireOption('verify', 'env', values.env);
    const image = requireOption('verify', 'image', values.image);
    const interval = values['scrape-interval'] === undefined ? 5 : Number(values['scrape-interval']);
    if (!(Number.isFinite(interval) && interval > 0))
      throw new UsageError(
        `scalegate verify: --scrape-interval must be a positive number of seconds, got '${values['scrape-interval']}'`,
      );
    const out = resolve(io.cwd, values.out ?? 'scalegate-verify');
    return withCancellation(io, async (signal) => {
      const result = await verify({
        env,
        image,
        stableImage: values['stable-image'],
        cwd: io.cwd,
        processEnv: io.env,
        kubeconfig: values.kubeconfig,
        context: values.context,
        prometheusUrl: values.prometheus,
        targetUrl: values['target-url'],
        timeout: values.timeout,
        stepSeconds: interval,
        signal,
        log: stderrLog(io),
      });
      await mkdir(out, { recursive: true });
      const written = await writeReport(result.report, out);
      await writeFile(join(out, 'verdict.json'), `${JSON.stringify(result.verdict, null, 2)}\n`);
      const verb = result.outcome === 'promoted' ? 'promoted' : 'rolled back';
      io.stdout.write(`${image}: ${verb}: ${result.reason}\nreport: ${written.html}\n`);
      return result.outcome === 'promoted' ? ExitCode.ok : ExitCode.failed;
    });
  },
};
