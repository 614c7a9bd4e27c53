/**
 * The verdict: every gate's result plus the overall status, as versioned JSON (`schema/verdict.schema.json`), a
 * one-line summary, a Markdown table for job summaries and the CLI's exit code.
 */
import { escapeMarkdown } from '../util/markdown-escape.js';
import type { TimeWindow } from './types.js';
import { type GateResult, type GateStatus, type Verdict, verdictSchemaVersion } from './verdict-schema.js';

export type { Verdict } from './verdict-schema.js';

/** fail if any gate failed; otherwise inconclusive if any gate was; pass only when every gate passed. */
function overallStatus(results: GateResult[]): GateStatus {
  if (results.some((r) => r.status === 'fail')) return 'fail';
  if (results.length === 0 || results.some((r) => r.status === 'inconclusive')) return 'inconclusive';
  return 'pass';
}

function summaryLine(results: GateResult[]): string {
  if (results.length === 0) return 'no gates were evaluated';
  const status = overallStatus(results);
  const failed = results.filter((r) => r.status === 'fail');
  const unknown = results.filter((r) => r.status === 'inconclusive');
  const head = `${results.length - failed.length - unknown.length}/${results.length} gates passed`;
  if (status === 'pass') return `${head}: all passed`;
  const first = failed[0] ?? unknown[0]!;
  const others = failed.length + unknown.length - 1;
  const word = first.status === 'fail' ? 'failed' : 'inconclusive';
  return `${head}; ${first.name} ${word}: ${first.reason}${others > 0 ? ` (+${others} more not passed)` : ''}`;
}

export function buildVerdict(input: {
  results: GateResult[];
  window: TimeWindow;
  stage?: string;
  prometheusUrl: string;
  mode: Verdict['mode'];
  continuous?: Verdict['continuous'];
  evaluatedAt?: Date;
}): Verdict {
  const status = overallStatus(input.results);
  const counts = { pass: 0, fail: 0, inconclusive: 0 };
  for (const result of input.results) counts[result.status]++;
  const window: Verdict['window'] = {
    start: input.window.start.toISOString(),
    end: input.window.end.toISOString(),
  };
  if (input.stage) window.stage = input.stage;
  return {
    schemaVersion: verdictSchemaVersion,
    status,
    passed: status === 'pass',
    summary: summaryLine(input.results),
    mode: input.mode,
    window,
    evaluatedAt: (input.evaluatedAt ?? new Date()).toISOString(),
    prometheus: { url: redactUrl(input.prometheusUrl) },
    counts,
    ...(input.continuous ? { continuous: input.continuous } : {}),
    gates: input.results,
  };
}

/** The URL without user:password, so verdicts (artifacts, PR comments) never carry credentials. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** CLI exit code: 0 all pass, 1 any fail, 3 inconclusive with none failed. */
export function exitCodeFor(status: GateStatus): number {
  return status === 'pass' ? 0 : status === 'fail' ? 1 : 3;
}

/** How Markdown (job summaries, PR comments) shows a status; GitHub renders the emoji. */
export const statusIcon: Record<GateStatus, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  inconclusive: '⚠️ inconclusive',
};

function pairs(values: Record<string, unknown>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** The verdict as Markdown rows: gate, type, status, observed, threshold, margin, why. */
function verdictTable(verdict: Verdict): string[][] {
  return verdict.gates.map((gate) => [
    escapeMarkdown(gate.name),
    gate.type,
    statusIcon[gate.status],
    escapeMarkdown(pairs(gate.observed)),
    escapeMarkdown(pairs(gate.threshold)),
    gate.margin === null ? '–' : `${gate.margin}${gate.marginUnit ? ` ${gate.marginUnit}` : ''}`,
    escapeMarkdown(gate.reason),
  ]);
}

const verdictTableHeader = ['Gate', 'Type', 'Status', 'Observed', 'Threshold', 'Margin', 'Why'];

/** The verdict as a Markdown document (heading, summary, table), for job summaries and files. */
export function verdictMarkdown(verdict: Verdict): string {
  const rows = [verdictTableHeader, verdictTableHeader.map(() => '---'), ...verdictTable(verdict)];
  const stage = verdict.window.stage ? ` (stage ${verdict.window.stage})` : '';
  return [
    `### Gates: ${statusIcon[verdict.status]}`,
    '',
    `${verdict.summary}. Window ${verdict.window.start} → ${verdict.window.end}${stage}.`,
    '',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ].join('\n');
}
