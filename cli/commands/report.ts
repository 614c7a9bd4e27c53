import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readVerdict, readWindows, writeCharts } from '../../actions/lib/report/files.js';
import { renderHtmlReport } from '../../actions/lib/report/html.js';
import { renderMarkdownReport } from '../../actions/lib/report/markdown.js';
import type { ReportInput } from '../../actions/lib/report/model.js';
import { UsageError } from '../../actions/lib/util/errors.js';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';
import { type Command, parseCommandArgs, requireOption } from '../command.js';

const usage = `Usage: scalegate report --verdict <file> [--windows <file>] [--format md|html] [--out <file>]
                        [--env <name>] [--prometheus-url <url>] [--grafana-url <url> [--grafana-datasource <uid>]]
                        [--charts-dir <dir>]

Renders a gate verdict as the report the report action posts: a table of the gates (value, threshold, margin,
status), the PromQL each ran, the load's stage windows and charts of replicas, pending pods, latency and request
rate (Mermaid in Markdown; inline SVG in HTML, a self-contained page).

  --verdict <file>          the verdict JSON (scalegate gate --out, the gate action's verdict output)
  --windows <file>          the load step's stage windows JSON (scalegate load, the load action's windows output)
  --format md|html          Markdown (default) or one self-contained HTML page
  --out <file>              write there instead of standard output
  --env <name>              the environment named in the heading (default: local)
  --prometheus-url <url>    link each gate's query to Prometheus' graph page over its window
  --grafana-url <url>       link each gate's query to Grafana Explore over its window
  --grafana-datasource <uid>  the Prometheus data source's UID in Grafana
  --charts-dir <dir>        also write one SVG per chart there

Exit codes: 0 the report was written; 2 bad usage or an unreadable verdict or windows file.
`;

export const reportCommand: Command = {
  name: 'report',
  usage,
  async run(argv, io) {
    const { values } = parseCommandArgs('report', argv, {
      verdict: { type: 'string' },
      windows: { type: 'string' },
      format: { type: 'string', default: 'md' },
      out: { type: 'string' },
      env: { type: 'string', default: 'local' },
      'prometheus-url': { type: 'string' },
      'grafana-url': { type: 'string' },
      'grafana-datasource': { type: 'string' },
      'charts-dir': { type: 'string' },
    });
    const format = values.format;
    if (format !== 'md' && format !== 'html')
      throw new UsageError(`scalegate report: --format: expected md or html (got '${format}')`);
    const verdict = await readVerdict(resolve(io.cwd, requireOption('report', 'verdict', values.verdict)));
    const input: ReportInput = {
      verdict,
      environment: values.env,
      ...(values.windows ? { windows: await readWindows(values.windows, io.cwd) } : {}),
      links: {
        ...(values['prometheus-url'] ? { prometheusUrl: values['prometheus-url'] } : {}),
        ...(values['grafana-url'] ? { grafanaUrl: values['grafana-url'] } : {}),
        ...(values['grafana-datasource'] ? { grafanaDatasource: values['grafana-datasource'] } : {}),
      },
    };
    const text =
      format === 'html' ? renderHtmlReport(input) : renderMarkdownReport(input, { maxLength: Infinity });
    if (values.out) {
      await writeFile(resolve(io.cwd, values.out), text);
      io.stderr.write(`wrote ${values.out} (${verdict.status}: ${verdict.summary})\n`);
    } else io.stdout.write(text);
    if (values['charts-dir']) await writeCharts(input, resolve(io.cwd, values['charts-dir']));
    return ExitCode.ok;
  },
};
