/**
 * Reading what a report is built from (the verdict file, the load windows) and writing the report files:
 * `report.md`, `report.html` and one SVG per chart, shared by the report action and `scalegate report`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { type Verdict, verdictSchema, verdictSchemaVersion } from '../gates/verdict-schema.js';
import type { LoadWindows } from '../load/types.js';
import { parseLoadWindows } from '../load/windows-schema.js';
import { ScalegateError } from '../util/errors.js';
import { readInputFile } from '../util/input-file.js';
import { parseJsonInput } from '../util/json-input.js';
import { svgChart } from './charts.js';
import { renderHtmlReport } from './html.js';
import { renderMarkdownReport } from './markdown.js';
import { type ReportInput, reportCharts } from './model.js';

/** Reads a verdict file and validates it against the verdict schema; any problem is one line, exit 2. */
export async function readVerdict(path: string): Promise<Verdict> {
  const text = await readInputFile(path, path, 'verdict file');
  const where = `verdict file ${path}`;
  // The version first: a verdict of another version is named as such, not by its first differing field.
  const { schemaVersion } = parseJsonInput(
    text,
    where,
    'a verdict',
    z.looseObject({ schemaVersion: z.unknown() }),
  );
  if (schemaVersion !== verdictSchemaVersion)
    throw new ScalegateError(
      `${where}: schemaVersion: expected ${verdictSchemaVersion} (got ${JSON.stringify(schemaVersion)})`,
      2,
    );
  return parseJsonInput(text, where, 'a verdict', verdictSchema);
}

/**
 * The load step's `windows` output: given inline (JSON text, as a step output is) or as a file path (relative to
 * `cwd`).
 */
export async function readWindows(textOrPath: string, cwd = process.cwd()): Promise<LoadWindows> {
  const inline = textOrPath.trimStart().startsWith('{');
  const text = inline
    ? textOrPath
    : await readInputFile(resolve(cwd, textOrPath), textOrPath, 'windows file');
  return parseLoadWindows(text, inline ? 'windows' : `windows file ${textOrPath}`);
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
