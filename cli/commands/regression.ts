import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PrometheusClient } from '../../actions/lib/prometheus/client.js';
import { connectionOptions } from '../../actions/lib/prometheus/connection.js';
import { compareRun } from '../../actions/lib/regression/compare.js';
import { appendRun, emptyHistory, parseHistory } from '../../actions/lib/regression/history.js';
import { measureRun, parseCriteriaLines } from '../../actions/lib/regression/run.js';
import { regressionMarkdown } from '../../actions/lib/regression/trend.js';
import { readVerdict, readWindows } from '../../actions/lib/report/files.js';
import { loadEnvironment } from '../../actions/lib/settings/index.js';
import { durationOption } from '../../actions/lib/util/duration.js';
import { ScalegateError } from '../../actions/lib/util/errors.js';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';
import { type Command, parseCommandArgs, requireOption } from '../command.js';

const usage = `Usage: scalegate regression --env <env> --windows <file> --history <file> [--verdict <file>]
                            [--prometheus <url>] [--step <duration>] [--namespace <ns>] [--hpa <name>]
                            [--service <name>] [--criterion '<figure>: <criterion>']... [--summary <file>]
                            [--record-out <file>]

Measures a scaling-regression run in Prometheus over each load stage's window (time to scale out, peak replicas,
peak pending pods, longest pending time, p95, p99, error rate, achieved request rate), appends it to a local
history file and compares it with the earlier passing runs (Keptn-style criteria such as '<=+10%', and a
Mann-Whitney U test on the samples when both sides have enough). The regression action does the same with the
history on the scalegate-history branch and keeps one issue per regression.

  --env <env>              environment: namespace, service and Prometheus defaults
  --windows <file>         the load step's stage windows JSON
  --history <file>         history JSON (created when missing, rewritten with this run added)
  --verdict <file>         the gate verdict of this run; only passing runs join the baseline (default: passed)
  --prometheus <url>       Prometheus base URL (default: the environment's)
  --step <duration>        range-query step, the scrape interval (default 15s)
  --namespace, --hpa, --service   override the workload measured (default: the environment's service)
  --criterion '<f>: <c>'   override a figure's criterion, e.g. 'p95Seconds: <=+10%' (repeatable)
  --summary <file>         write the comparison and trend charts as Markdown there
  --record-out <file>      write this run's record JSON there

Exit codes: 0 no regression; 1 a figure regressed; 2 bad usage, settings or files.
`;

export const regressionCommand: Command = {
  name: 'regression',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs('regression', argv, {
      env: { type: 'string' },
      windows: { type: 'string' },
      history: { type: 'string' },
      verdict: { type: 'string' },
      prometheus: { type: 'string' },
      step: { type: 'string', default: '15s' },
      namespace: { type: 'string' },
      hpa: { type: 'string' },
      service: { type: 'string' },
      criterion: { type: 'string', multiple: true },
      summary: { type: 'string' },
      'record-out': { type: 'string' },
    });
    const environment = await loadEnvironment(requireOption('regression', 'env', values.env), {
      cwd: io.cwd,
    });
    const windows = await readWindows(requireOption('regression', 'windows', values.windows), io.cwd);
    const historyFile = resolve(io.cwd, requireOption('regression', 'history', values.history));
    const stepMs = durationOption('scalegate regression: --step', values.step, 15_000);
    const policies = parseCriteriaLines(values.criterion ?? []);
    const verdict = values.verdict ? await readVerdict(resolve(io.cwd, values.verdict)) : undefined;
    const previous = await readFile(historyFile, 'utf8').then(
      (text) => {
        try {
          return parseHistory(text, environment.name);
        } catch (error) {
          throw new ScalegateError(`history file ${values.history}: ${(error as Error).message}`, 2);
        }
      },
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return emptyHistory(environment.name);
        throw error;
      },
    );

    const client = new PrometheusClient(
      connectionOptions({ url: values.prometheus }, environment.settings.prometheus, io.env),
    );
    const record = await measureRun(environment, {
      client,
      windows,
      stepSeconds: stepMs / 1000,
      ...(values.namespace ? { namespace: values.namespace } : {}),
      ...(values.hpa ? { hpa: values.hpa } : {}),
      ...(values.service ? { service: values.service } : {}),
      run: {
        runId: `local-${windows.start}`,
        sha: '',
        startedAt: windows.start,
        passed: verdict?.passed ?? true,
      },
    }).finally(() => client.close());

    const history = appendRun(previous, record);
    const comparison = compareRun(record, history, { policies });
    await writeFile(historyFile, `${JSON.stringify(history, null, 2)}\n`);
    if (values['record-out'])
      await writeFile(resolve(io.cwd, values['record-out']), `${JSON.stringify(record, null, 2)}\n`);
    if (values.summary)
      await writeFile(
        resolve(io.cwd, values.summary),
        regressionMarkdown(environment.name, history, comparison),
      );
    for (const f of comparison.findings)
      io.stdout.write(`${f.status.toUpperCase()} ${f.stage} ${f.metric}: ${f.reason}\n`);
    io.stdout.write(
      `${comparison.regressions.length} regression(s) against ${comparison.baselineRunIds.length} baseline run(s); history: ${values.history} (${history.runs.length} runs)\n`,
    );
    return comparison.regressions.length > 0 ? ExitCode.failed : ExitCode.ok;
  },
};
