/**
 * Reading what a report is built from (the verdict file, the load windows) and writing the report files:
 * `report.md`, `report.html` and one SVG per chart, shared by the report action and `scalegate report`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Verdict, verdictSchema, verdictSchemaVersion } from '../gates/verdict-schema.js';
import type { LoadWindows } from '../load/types.js';
import { ScalegateError } from '../util/errors.js';
import { type FieldPath, formatFieldPath } from '../util/yaml-source.js';
import { svgChart } from './charts.js';
import { renderHtmlReport } from './html.js';
import { renderMarkdownReport } from './markdown.js';
import { type ReportInput, reportCharts } from './model.js';

/** Reads a verdict file and validates it against the verdict schema; any problem is one line, exit 2. */
export async function readVerdict(path: string): Promise<Verdict> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ScalegateError(
      `verdict file ${path}: ${error.code === 'ENOENT' ? 'not found' : error.message}`,
      2,
    );
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ScalegateError(`verdict file ${path}: not JSON (${(error as Error).message})`, 2);
  }
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== verdictSchemaVersion)
    throw new ScalegateError(
      `verdict file ${path}: schemaVersion: expected ${verdictSchemaVersion} (got ${JSON.stringify(version)})`,
      2,
    );
  const parsed = verdictSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ScalegateError(
      `verdict file ${path}: ${formatFieldPath(issue.path as FieldPath) || '(root)'}: ${issue.message}`,
      2,
    );
  }
  return parsed.data;
}

/**
 * The load step's `windows` output: given inline (JSON text, as a step output is) or as a file path (relative to
 * `cwd`).
 */
export async function readWindows(textOrPath: string, cwd = process.cwd()): Promise<LoadWindows> {
  const inline = textOrPath.trimStart().startsWith('{');
  const text = inline ? textOrPath : await readFile(resolve(cwd, textOrPath), 'utf8');
  const where = inline ? 'windows' : `windows file ${textOrPath}`;
  let value: Partial<LoadWindows>;
  try {
    value = JSON.parse(text) as Partial<LoadWindows>;
  } catch (error) {
    throw new ScalegateError(`${where}: not JSON (${(error as Error).message})`, 2);
  }
  if (typeof value?.start !== 'string' || typeof value.end !== 'string' || !Array.isArray(value.scenarios))
    throw new ScalegateError(`${where}: expected the load step's windows {start, end, scenarios}`, 2);
  return value as LoadWindows;
}

export interface WrittenReport {
  markdown: string;
  html: string;
  /** One SVG per chart, named after the chart (`replicas.svg`, `pendingPods.svg`, …). */
  charts: string[];
}

/** One SVG per chart, named after it (`replicas.svg`, `pendingPods.svg`, `latency.svg`, `requestRate.svg`). */
export async function writeCharts(input: ReportInput, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const chart of reportCharts(input)) {
    const file = join(dir, `${chart.kind}.svg`);
    await writeFile(file, `${svgChart(chart)}\n`);
    files.push(file);
  }
  return files;
}

export async function writeReport(input: ReportInput, dir: string): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const markdown = join(dir, 'report.md');
  const html = join(dir, 'report.html');
  await writeFile(markdown, renderMarkdownReport(input));
  await writeFile(html, renderHtmlReport(input));
  return { markdown, html, charts: await writeCharts(input, dir) };
}
