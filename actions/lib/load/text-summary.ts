/**
 * A clean-room end-of-test text summary over k6's legacy summary object (the input of jslib's `textSummary`):
 * the check tree, then one line per metric with threshold marks. Written from the data shape, not from jslib.
 */
import type { SummaryData, SummaryGroup, SummaryMetric } from './summary.js';

export interface TextSummaryOptions {
  indent?: string;
  enableColors?: boolean;
}

function formatTime(ms: number, unit: string): string {
  if (unit === 'ms') return `${ms.toFixed(2)}ms`;
  if (unit === 's') return `${(ms / 1000).toFixed(2)}s`;
  if (unit === 'us' || unit === 'µs') return `${(ms * 1000).toFixed(2)}µs`;
  if (ms === 0) return '0s';
  if (ms < 1) return `${(ms * 1000).toFixed(2)}µs`;
  if (ms < 1000) return `${ms.toFixed(2)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${((ms % 60_000) / 1000).toFixed(1)}s`;
}

/** k6's humanized bytes: base 1000, one decimal below 10 of a unit, none from 10 on (`7.5 B`, `123 B`, `1.2 kB`). */
export function formatData(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0 && Number.isInteger(value)) return `${value} B`;
  const rounded = Math.round(value * 10) / 10;
  return `${rounded.toFixed(rounded < 10 ? 1 : 0)} ${units[unit]}`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

function metricValue(metric: SummaryMetric, timeUnit: string): string {
  const v = metric.values;
  const fmt = (n: number) =>
    metric.contains === 'time'
      ? formatTime(n, timeUnit)
      : metric.contains === 'data'
        ? formatData(n)
        : formatNumber(n);
  switch (metric.type) {
    case 'counter':
      return `${fmt(v.count ?? 0).padEnd(10)} ${metric.contains === 'data' ? `${formatData(v.rate ?? 0)}/s` : `${formatNumber(Number((v.rate ?? 0).toFixed(6)))}/s`}`;
    case 'gauge':
      return `${fmt(v.value ?? 0).padEnd(10)} min=${fmt(v.min ?? 0)} max=${fmt(v.max ?? 0)}`;
    case 'rate':
      return `${((v.rate ?? 0) * 100).toFixed(2)}% ${v.passes ?? 0} out of ${(v.passes ?? 0) + (v.fails ?? 0)}`;
    case 'trend':
      return Object.entries(v)
        .map(([stat, n]) => `${stat}=${stat === 'count' ? n : fmt(n)}`)
        .join(' ');
  }
}

function groupLines(
  group: SummaryGroup,
  indent: string,
  color: (code: number, s: string) => string,
): string[] {
  const lines: string[] = [];
  for (const check of group.checks) {
    const total = check.passes + check.fails;
    if (check.fails === 0) lines.push(`${indent}${color(32, `✓ ${check.name}`)}`);
    else {
      lines.push(`${indent}${color(31, `✗ ${check.name}`)}`);
      lines.push(
        `${indent} ↳  ${Math.floor((check.passes / total) * 100)}% — ✓ ${check.passes} / ✗ ${check.fails}`,
      );
    }
  }
  for (const child of group.groups) {
    lines.push('', `${indent}█ ${child.name}`, '');
    lines.push(...groupLines(child, `${indent}  `, color));
  }
  return lines;
}

export function textSummary(data: SummaryData, options: TextSummaryOptions = {}): string {
  const indent = options.indent ?? ' ';
  const colors = options.enableColors ?? false;
  const color = (code: number, s: string) => (colors ? `\u001b[${code}m${s}\u001b[0m` : s);
  const lines: string[] = [];
  const checks = groupLines(data.root_group, `${indent}    `, color);
  if (checks.length > 0) lines.push(...checks, '');
  const names = Object.keys(data.metrics).sort();
  const width = Math.max(...names.map((n) => n.length), 10) + 3;
  for (const name of names) {
    const metric = data.metrics[name]!;
    const thresholds = Object.values(metric.thresholds ?? {});
    const mark =
      thresholds.length === 0 ? ' ' : thresholds.every((t) => t.ok) ? color(32, '✓') : color(31, '✗');
    const label = name.includes('{') ? `  ${name}` : name;
    const text = `${indent}  ${mark} ${`${label}`.padEnd(width, '.')}: ${metricValue(metric, data.options.summaryTimeUnit)}`;
    lines.push(text);
  }
  return lines.join('\n');
}

/** A minimal JUnit XML report of the thresholds, as jslib's `jUnit(data)` produces. */
export function jUnit(data: SummaryData, options: { name?: string; classname?: string } = {}): string {
  const escapeXml = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const cases: string[] = [];
  let failures = 0;
  for (const [metric, entry] of Object.entries(data.metrics)) {
    for (const [expression, result] of Object.entries(entry.thresholds ?? {})) {
      const name = escapeXml(`${metric} - ${expression}`);
      if (result.ok) cases.push(`<testcase name="${name}" />`);
      else {
        failures++;
        cases.push(`<testcase name="${name}"><failure message="failed" /></testcase>`);
      }
    }
  }
  const suite = escapeXml(options.name ?? 'k6 thresholds');
  return `<?xml version="1.0"?>\n<testsuites tests="${cases.length}" failures="${failures}">\n<testsuite name="${suite}" tests="${cases.length}" failures="${failures}">${cases.join('\n')}\n</testsuite>\n</testsuites>`;
}
