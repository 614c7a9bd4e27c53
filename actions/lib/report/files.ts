/**
 * Reading what a report is built from (the verdict file, the load windows) and writing the report files:
 * `report.md`, `report.html` and one SVG per chart, shared by the report action and `scalegate report`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { type Verdict, verdictSchemaVersion } from '../gates/verdict.js';
import type { LoadWindows } from '../load/types.js';
import { parseLoadWindows } from '../load/windows-schema.js';
import { readInputFile } from '../util/input-file.js';
import { isoTime, parseJsonInput } from '../util/json-input.js';
import { svgChart } from './charts.js';
import { renderHtmlReport } from './html.js';
import { renderMarkdownReport } from './markdown.js';
import { type ReportInput, reportCharts } from './model.js';

const status = z.enum(['pass', 'fail', 'inconclusive']);
const values = z.record(z.string(), z.union([z.number(), z.string(), z.null()]));
const window = z.object({ start: isoTime, end: isoTime });

/** What the report reads of a verdict (schema/verdict.schema.json), checked before any of it is used. */
const verdictFileSchema = z.object({
  schemaVersion: z.literal(verdictSchemaVersion, {
    error: (issue) => `expected ${verdictSchemaVersion} (got ${JSON.stringify(issue.input)})`,
  }),
  status,
  passed: z.boolean(),
  summary: z.string(),
  mode: z.enum(['once', 'continuous']),
  window: window.extend({ stage: z.string().optional() }),
  evaluatedAt: isoTime,
  prometheus: z.object({ url: z.string() }),
  counts: z.object({ pass: z.int().min(0), fail: z.int().min(0), inconclusive: z.int().min(0) }),
  continuous: z
    .object({ evaluations: z.int().min(0), stoppedEarly: z.boolean(), stopReason: z.string() })
    .optional(),
  gates: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      status,
      reason: z.string(),
      observed: values,
      threshold: values,
      margin: z.number().nullable(),
      marginUnit: z.string().optional(),
      queries: z.array(z.string()),
      window,
      series: z.array(
        z.object({
          name: z.string(),
          labels: z.record(z.string(), z.string()),
          points: z.array(z.tuple([z.number(), z.number().nullable()])),
        }),
      ),
      settled: z.boolean(),
      error: z.object({ kind: z.string(), message: z.string() }).optional(),
    }),
  ),
});

export async function readVerdict(path: string): Promise<Verdict> {
  const text = await readInputFile(path, path, 'verdict file');
  return parseJsonInput(text, `verdict file ${path}`, 'a verdict', verdictFileSchema) as Verdict;
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
