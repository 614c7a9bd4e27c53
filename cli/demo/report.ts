/**
 * The demo's report: both verification runs on one page. Each run's part is the report module's own rendering
 * (renderMarkdownReport / renderHtmlReport); this adapter only puts the runs one after the other under a heading
 * that says what was expected and what happened.
 */
import { htmlPage, renderHtmlBody } from '../../actions/lib/report/html.js';
import { renderMarkdownReport } from '../../actions/lib/report/markdown.js';
import { escapeHtml } from '../../actions/lib/report/model.js';
import type { DemoRunResult } from './index.js';

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
  return `# scalegate demo\n\n${parts.join('\n')}`;
}

const demoCss = `
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
  const body = `<h1>scalegate demo</h1>
<p class="facts">Two verifications of the sample service on the local cluster with a real Prometheus: a good canary and a regressed one.</p>
${sections.join('\n')}`;
  return htmlPage(`scalegate demo · ${passed ? 'as expected' : 'unexpected outcome'}`, body, demoCss);
}
