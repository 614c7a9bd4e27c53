/**
 * The scaling-regression history for people: a Mermaid trend chart per figure (one line per stage, one point per
 * run) and the comparison of the latest run with its baseline as a table, for the job summary.
 */
import { niceCeiling } from '../report/charts.js';
import { escapeCell } from '../report/markdown.js';
import type { Comparison, Finding } from './compare.js';
import { type History, type MeasurementKey, measurementKeys } from './history.js';

export const measurementLabels: Record<MeasurementKey, string> = {
  timeToScaleOutSeconds: 'time to scale out (s)',
  peakReplicas: 'peak replicas',
  peakPendingPods: 'peak pending pods',
  longestPendingSeconds: 'longest pending (s)',
  p95Seconds: 'p95 (s)',
  p99Seconds: 'p99 (s)',
  errorRate: 'error rate',
  achievedRate: 'request rate (req/s)',
};

function round(value: number): number {
  return Number(value.toPrecision(4));
}

/** A run's label on the x axis: its commit, or its run id. */
function runLabel(run: History['runs'][number]): string {
  return (run.sha ? run.sha.slice(0, 7) : run.runId).replace(/"/g, "'");
}

/**
 * Mermaid `xychart-beta` of one figure over the newest `lastRuns` runs, one line per stage (in the order of the
 * stages' first appearance); a run that did not measure a stage repeats that stage's previous value. Empty when no
 * run measured the figure.
 */
export function trendChart(history: History, metric: MeasurementKey, lastRuns = 30): string {
  const runs = history.runs.slice(-lastRuns);
  const stages = [
    ...new Set(runs.flatMap((r) => r.stages.filter((s) => s.measurements[metric]).map((s) => s.name))),
  ];
  if (stages.length === 0) return '';
  const lines = stages.map((stage) => {
    let last = 0;
    return runs.map((run) => {
      const value = run.stages.find((s) => s.name === stage)?.measurements[metric]?.value;
      if (value !== undefined && Number.isFinite(value)) last = value;
      return round(last);
    });
  });
  const max = Math.max(0, ...lines.flat());
  const title = `${measurementLabels[metric]} by run${stages.length > 1 ? `: ${stages.map((s, i) => `${s} (line ${i + 1})`).join(', ')}` : ` (${stages[0]})`}`;
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${title.replace(/"/g, "'")}"`,
    `  x-axis [${runs.map((r) => `"${runLabel(r)}"`).join(', ')}]`,
    `  y-axis "${measurementLabels[metric]}" 0 --> ${max > 0 ? niceCeiling(max) : 1}`,
    ...lines.map((values) => `  line [${values.join(', ')}]`),
    '```',
  ].join('\n');
}

const statusLabel: Record<Finding['status'], string> = {
  regression: '❌ regression',
  ok: '✅ ok',
  'no-baseline': '➖ no baseline',
};

function change(f: Finding): string {
  if (f.changePercent === undefined) return '–';
  return `${f.changePercent >= 0 ? '+' : ''}${f.changePercent.toFixed(1)}%`;
}

/** The comparison as a Markdown section: verdict line, findings table, trend charts of every measured figure. */
export function regressionMarkdown(environment: string, history: History, comparison: Comparison): string {
  const head =
    comparison.regressions.length > 0
      ? `### ❌ scaling regression in ${escapeCell(environment)}: ${comparison.regressions.length} figure(s)`
      : `### ✅ no scaling regression in ${escapeCell(environment)}`;
  const rows = comparison.findings.map((f) =>
    [
      escapeCell(f.stage),
      measurementLabels[f.metric],
      statusLabel[f.status],
      String(round(f.current)),
      f.baseline === undefined ? '–' : String(round(f.baseline)),
      change(f),
      f.criterion,
      f.method,
      escapeCell(f.reason),
    ].join(' | '),
  );
  const charts = measurementKeys.map((metric) => trendChart(history, metric)).filter(Boolean);
  return [
    head,
    '',
    `Baseline: ${comparison.baselineRunIds.length} earlier passing run(s).`,
    '',
    '| Stage | Figure | Status | Now | Baseline | Change | Criterion | Method | Why |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
    '',
    '#### Trend',
    '',
    charts.join('\n\n'),
    '',
  ].join('\n');
}
