/**
 * The report as one self-contained HTML page: inline CSS and inline SVG charts, no scripts, fonts, images or
 * stylesheets fetched from anywhere, so it opens the same from an artifact, a file system or an air-gapped machine.
 * Links to Prometheus/Grafana (when configured) are plain hyperlinks the reader may follow.
 */
import type { GateStatus } from '../gates/types.js';
import { svgChart } from './charts.js';
import { gateLinkTargets } from './links.js';
import { escapeHtml, formatMargin, formatPairs, type ReportInput, reportCharts, stageRows } from './model.js';

/** The page's stylesheet, shared by every page that shows reports (the demo puts two on one page). */
export const reportCss = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1f24}
h1{font-size:1.5rem;margin-bottom:.25rem}
h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.25rem}
.verdict{padding:.75rem 1rem;border-radius:6px;margin:1rem 0;font-weight:600;overflow-wrap:anywhere}
.verdict.pass{background:#dafbe1;border:1px solid #2da44e}
.verdict.fail{background:#ffebe9;border:1px solid #cf222e}
.verdict.inconclusive{background:#fff8c5;border:1px solid #bf8700}
.facts{color:#57606a;font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
td.text{overflow-wrap:anywhere;min-width:8rem}
th{background:#f6f8fa}
tr.fail td.status{color:#cf222e;font-weight:600}
tr.pass td.status{color:#1a7f37}
tr.inconclusive td.status{color:#9a6700;font-weight:600}
pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;font-size:.85rem}
details{margin:.35rem 0}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
.charts figure{margin:0}
`;

function row(cells: string[], className?: string): string {
  return `<tr${className ? ` class="${className}"` : ''}>${cells.join('')}</tr>`;
}

function td(text: string, className?: string): string {
  return `<td${className ? ` class="${className}"` : ''}>${escapeHtml(text)}</td>`;
}

function gateSection(input: ReportInput): string {
  const header = ['Gate', 'Type', 'Status', 'Value', 'Threshold', 'Margin', 'Why'].map(
    (h) => `<th>${h}</th>`,
  );
  const rows = input.verdict.gates.map((gate) =>
    row(
      [
        td(gate.name),
        td(gate.type),
        td(gate.status, 'status'),
        td(formatPairs(gate.observed), 'text'),
        td(formatPairs(gate.threshold), 'text'),
        td(formatMargin(gate)),
        td(gate.reason, 'text'),
      ],
      gate.status,
    ),
  );
  const queries = input.verdict.gates
    .filter((gate) => gate.queries.length > 0)
    .map((gate) => {
      const links = gateLinkTargets(input.links, gate.queries[0] as string, gate.window).map(
        (link) => ` · <a href="${escapeHtml(link.url)}" rel="noopener noreferrer">${link.label}</a>`,
      );
      return `<details><summary>${escapeHtml(gate.name)} (${escapeHtml(gate.type)}): PromQL${links.join('')}</summary><pre>${escapeHtml(gate.queries.join('\n'))}</pre></details>`;
    });
  return [
    '<h2>Gates</h2>',
    `<table><thead>${row(header)}</thead><tbody>${rows.join('\n')}</tbody></table>`,
    ...queries,
  ].join('\n');
}

function stageSection(input: ReportInput): string {
  const rows = stageRows(input.windows);
  if (rows.length === 0) return '';
  const header = ['Scenario', 'Stage', 'Target', 'Start', 'End', 'Seconds'].map((h) => `<th>${h}</th>`);
  const body = rows.map((r) =>
    row([td(r.scenario), td(r.stage), td(r.target), td(r.start), td(r.end), td(String(r.seconds))]),
  );
  return `<h2>Stage windows</h2>\n<table><thead>${row(header)}</thead><tbody>${body.join('\n')}</tbody></table>`;
}

function chartSection(input: ReportInput): string {
  const charts = reportCharts(input);
  if (charts.length === 0) return '';
  const figures = charts.map((chart) => `<figure data-chart="${chart.kind}">${svgChart(chart)}</figure>`);
  return `<h2>Over time</h2>\n<div class="charts">${figures.join('\n')}</div>`;
}

/** A report's content without the page around it: heading, facts, verdict, gates, stages and charts. */
export function renderHtmlBody(input: ReportInput, headingLevel: 1 | 2 = 1): string {
  const { verdict, context } = input;
  const status: GateStatus = verdict.status;
  const facts = [
    `Window ${verdict.window.start} → ${verdict.window.end}${verdict.window.stage ? ` (stage ${verdict.window.stage})` : ''}`,
    `mode ${verdict.mode}`,
    `evaluated ${verdict.evaluatedAt}`,
  ];
  if (context?.image) facts.push(`image ${context.image}`);
  if (context?.sha) facts.push(`commit ${context.sha.slice(0, 7)}`);
  const runLink = context?.runUrl
    ? ` · <a href="${escapeHtml(context.runUrl)}" rel="noopener noreferrer">workflow run</a>`
    : '';
  return `<h${headingLevel}>scalegate · ${escapeHtml(input.environment)}</h${headingLevel}>
<p class="facts">${facts.map(escapeHtml).join(' · ')}${runLink}</p>
<div class="verdict ${status}" data-status="${status}">${status.toUpperCase()}: ${escapeHtml(verdict.summary)}</div>
${gateSection(input)}
${stageSection(input)}
${chartSection(input)}`;
}

/** A self-contained page: inline CSS and SVG, no script and nothing loaded from elsewhere. */
export function htmlPage(title: string, body: string, extraCss = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${reportCss}${extraCss}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

export function renderHtmlReport(input: ReportInput): string {
  return htmlPage(`scalegate · ${input.environment} · ${input.verdict.status}`, renderHtmlBody(input));
}
