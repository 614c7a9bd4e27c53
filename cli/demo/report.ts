/**
 * The demo's report: every verification run on one page. It opens with a one-screen summary (each run, its
 * outcome, the gate that decided it and the scale-out and capacity figures); then each run's part is the report
 * module's own rendering (renderMarkdownReport / renderHtmlBody) under a heading that says what was expected and
 * what happened.
 */
import type { GateResult, GateStatus } from '../../actions/lib/gates/types.js';
import type { Verdict } from '../../actions/lib/gates/verdict.js';
import { htmlPage, renderHtmlBody } from '../../actions/lib/report/html.js';
import { escapeCell, renderMarkdownReport } from '../../actions/lib/report/markdown.js';
import { escapeHtml, statusLabel } from '../../actions/lib/report/model.js';
import type { DemoRunResult } from './runs.js';

/** The gate that decided a run: the first that failed, else the first inconclusive one; none when all passed. */
function decidingGate(verdict: Verdict): GateResult | undefined {
  return (
    verdict.gates.find((g) => g.status === 'fail') ?? verdict.gates.find((g) => g.status === 'inconclusive')
  );
}

function deciding(verdict: Verdict): string {
  const gate = decidingGate(verdict);
  if (!gate) return `all ${verdict.gates.length} gates passed`;
  return `${gate.name} (${gate.type}) ${gate.status}: ${gate.reason}`;
}

const seconds = (value: unknown) => (typeof value === 'number' ? `${Math.round(value * 10) / 10}s` : 'n/a');

/** The figures only scalegate's own gates give: how fast the HPA scaled out, how long pods stayed Pending. */
function figures(verdict: Verdict): string {
  const parts = verdict.gates.flatMap((gate) => {
    if (gate.type === 'hpaScaleOut')
      return [`${gate.name}: time to scale ${seconds(gate.observed.timeToScaleSeconds)}`];
    if (gate.type === 'pendingPods')
      return [
        `${gate.name}: longest Pending ${seconds(gate.observed.longestPendingSeconds)}, at most ${gate.observed.maxPending ?? 'n/a'} at once`,
      ];
    return [];
  });
  return parts.length > 0 ? parts.join('; ') : '–';
}

interface SummaryRow {
  run: DemoRunResult;
  cells: [string, string, string, string, string];
}

/** One row per run; `status` shows a verdict status (an emoji in Markdown, where GitHub renders it; a word in HTML). */
function summaryRows(runs: DemoRunResult[], status: (s: GateStatus) => string): SummaryRow[] {
  return runs.map((run, i) => ({
    run,
    cells: [
      `${i + 1}. ${run.title}`,
      run.image,
      `${status(run.result.verdict.status)} → ${run.result.outcome}${run.asExpected ? '' : ` (expected ${run.expected})`}`,
      deciding(run.result.verdict),
      figures(run.result.verdict),
    ],
  }));
}

const summaryHeader = ['Run', 'Canary', 'Verdict → outcome', 'Deciding gate', 'Scale-out and capacity'];

function outcomeLine(run: DemoRunResult): string {
  const outcome = run.result.outcome === 'promoted' ? 'promoted' : 'rolled back';
  const expectation = run.asExpected ? 'as expected' : `expected ${run.expected}`;
  return `${run.image}: ${outcome} (${expectation}). ${run.result.reason}`;
}

export function renderDemoMarkdown(runs: DemoRunResult[]): string {
  const parts = runs.map((run, i) =>
    [
      `## Run ${i + 1}: ${run.title}`,
      '',
      `**${outcomeLine(run)}**`,
      '',
      `Stable ${run.result.stableImage}, canary ${run.image}.`,
      '',
      renderMarkdownReport(run.result.report),
    ].join('\n'),
  );
  const summary = [
    `| ${summaryHeader.join(' | ')} |`,
    `| ${summaryHeader.map(() => '---').join(' | ')} |`,
    ...summaryRows(runs, (s) => statusLabel[s]).map((r) => `| ${r.cells.map(escapeCell).join(' | ')} |`),
  ];
  return `# scalegate demo\n\n${summary.join('\n')}\n\n${parts.join('\n')}`;
}

const demoCss = `
table.summary td:nth-child(n+4){overflow-wrap:anywhere}
table.summary tr.promoted td:nth-child(3){background:#dafbe1}
table.summary tr.rolled-back td:nth-child(3){background:#ffebe9}
section.run{border-top:3px solid #d0d7de;margin-top:2.5rem;padding-top:.5rem}
.outcome{font-size:1.05rem;padding:.5rem 1rem;border-radius:6px}
.outcome.promoted{background:#dafbe1}
.outcome.rolled-back{background:#ffebe9}
`;

export function renderDemoHtml(runs: DemoRunResult[]): string {
  const sections = runs.map(
    (
      run,
      i,
    ) => `<section class="run" data-run="${escapeHtml(run.name)}" data-outcome="${run.result.outcome}" data-as-expected="${run.asExpected}">
<h2>Run ${i + 1}: ${escapeHtml(run.title)}</h2>
<p class="outcome ${run.result.outcome}">${escapeHtml(outcomeLine(run))}</p>
${renderHtmlBody(run.result.report, 2)}
</section>`,
  );
  const passed = runs.every((r) => r.asExpected);
  const summary = summaryRows(runs, (s) => s).map(
    (r) =>
      `<tr class="${r.run.result.outcome}" data-run="${escapeHtml(r.run.name)}">${r.cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`,
  );
  const body = `<h1>scalegate demo</h1>
<p class="facts">${runs.length} verifications on the local cluster with a real Prometheus: what each canary did and which gate decided.</p>
<table class="summary"><thead><tr>${summaryHeader.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>
${summary.join('\n')}
</tbody></table>
${sections.join('\n')}`;
  return htmlPage(`scalegate demo · ${passed ? 'as expected' : 'unexpected outcome'}`, body, demoCss);
}
