/**
 * The report as GitHub-flavoured Markdown, for the job summary and the sticky pull-request comment: the verdict,
 * a table of the gates (value, threshold, margin, status), the PromQL each gate ran (folded), the load's stage
 * windows and Mermaid charts of replicas, pending pods, latency and request rate.
 */
import { escapeMarkdown } from '../util/markdown-escape.js';
import { mermaidChart } from './charts.js';
import { gateLinkTargets } from './links.js';
import {
  escapeHtml,
  formatMargin,
  formatPairs,
  type ReportInput,
  reportCharts,
  stageRows,
  statusLabel,
} from './model.js';

/** GitHub rejects comments above 65,536 characters; leave room for the sticky marker. */
export const commentLimit = 65_000;

/** Text for a Markdown table cell: no markup, no column breaks, one line. */
export function escapeCell(text: string): string {
  return escapeMarkdown(text);
}

/** A fenced block whose fence is longer than any backtick run inside, so no query can close it early. */
function fenced(language: string, body: string): string {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${body}\n${fence}`;
}

function table(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** Inside <summary> Markdown is not rendered, so the links are HTML. */
function gateLinks(input: ReportInput, expr: string, window: { start: string; end: string }): string[] {
  return gateLinkTargets(input.links, expr, window).map(
    (link) => `<a href="${escapeHtml(link.url)}">${link.label}</a>`,
  );
}

function heading(input: ReportInput): string[] {
  const { verdict, context } = input;
  const stage = verdict.window.stage ? ` (stage ${escapeCell(verdict.window.stage)})` : '';
  const facts = [`Window ${verdict.window.start} → ${verdict.window.end}${stage}`, `mode ${verdict.mode}`];
  if (context?.image) facts.push(`image \`${context.image.replace(/`/g, '')}\``);
  if (context?.sha) facts.push(`commit ${context.sha.slice(0, 7)}`);
  if (context?.runUrl) facts.push(`[workflow run](${context.runUrl})`);
  return [
    `### ${statusLabel[verdict.status]} · scalegate · ${escapeCell(input.environment)}`,
    '',
    `**${escapeCell(verdict.summary)}**`,
    '',
    `${facts.join(' · ')}.`,
  ];
}

function gateTable(input: ReportInput): string {
  return table(
    ['Gate', 'Type', 'Status', 'Value', 'Threshold', 'Margin', 'Why'],
    input.verdict.gates.map((gate) => [
      escapeCell(gate.name),
      gate.type,
      statusLabel[gate.status],
      escapeCell(formatPairs(gate.observed)),
      escapeCell(formatPairs(gate.threshold)),
      formatMargin(gate),
      escapeCell(gate.reason),
    ]),
  );
}

function queryDetails(input: ReportInput): string[] {
  return input.verdict.gates
    .filter((gate) => gate.queries.length > 0)
    .flatMap((gate) => {
      const links = gateLinks(input, gate.queries[0] as string, gate.window);
      const count = `${gate.queries.length} ${gate.queries.length === 1 ? 'query' : 'queries'}`;
      const summary = [`${escapeHtml(gate.name)} (${gate.type}): ${count}`, ...links].join(' · ');
      return [
        `<details><summary>${summary}</summary>`,
        '',
        fenced('promql', gate.queries.join('\n')),
        '',
        '</details>',
      ];
    });
}

function stageTable(input: ReportInput): string[] {
  const rows = stageRows(input.windows);
  if (rows.length === 0) return [];
  return [
    '#### Stage windows',
    '',
    table(
      ['Scenario', 'Stage', 'Target', 'Start', 'End', 'Seconds'],
      rows.map((r) => [
        escapeCell(r.scenario),
        escapeCell(r.stage),
        r.target,
        r.start,
        r.end,
        String(r.seconds),
      ]),
    ),
  ];
}

function charts(input: ReportInput): string[] {
  const blocks = reportCharts(input)
    .map((chart) => mermaidChart(chart))
    .filter(Boolean);
  return blocks.length === 0 ? [] : ['#### Over time', '', blocks.join('\n\n')];
}

export interface MarkdownOptions {
  /** Longest acceptable text; the PromQL, then the charts, are left out to fit (default: GitHub's comment limit). */
  maxLength?: number;
}

function assemble(parts: string[][]): string {
  return `${parts
    .filter((p) => p.length > 0)
    .map((p) => p.join('\n'))
    .join('\n\n')}\n`;
}

export function renderMarkdownReport(input: ReportInput, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? commentLimit;
  const head = heading(input);
  const gates = [gateTable(input)];
  const queries = queryDetails(input);
  const queryPart = queries.length > 0 ? ['#### PromQL run', '', ...queries] : [];
  const stages = stageTable(input);
  const chartPart = charts(input);
  const candidates = [
    [head, gates, queryPart, stages, chartPart],
    [head, gates, stages, chartPart, ['_The PromQL was left out to fit; see the verdict artifact._']],
    [head, gates, stages, ['_The PromQL and charts were left out to fit; see the report artifacts._']],
  ];
  for (const parts of candidates) {
    const text = assemble(parts);
    if (text.length <= maxLength) return text;
  }
  const shortest = assemble(candidates[candidates.length - 1] as string[][]);
  const cut = '\n\n_Truncated to fit; see the report artifacts._\n';
  return shortest.slice(0, Math.max(0, maxLength - cut.length)) + cut;
}
