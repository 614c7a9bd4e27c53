/**
 * Time-series charts for reports: a Mermaid `xychart-beta` block (GitHub renders it in job summaries and comments)
 * and a self-contained SVG (for the HTML report and artifacts). Both take the same input.
 */
export interface ChartSeries {
  name: string;
  /** [unix seconds, value] pairs, as Prometheus range queries return them. */
  points: Array<[number, number]>;
}

export interface ChartInput {
  title: string;
  unit: string;
  series: ChartSeries[];
  /** Shaded spans such as load stages: [start, end] in unix seconds. */
  bands?: Array<{ label: string; start: number; end: number }>;
  /** A horizontal line such as a gate's threshold. */
  threshold?: { label: string; value: number };
}

const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function extent(input: ChartInput): { t0: number; t1: number; max: number } {
  const times = input.series.flatMap((s) => s.points.map(([t]) => t));
  const values = input.series.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
  const t0 = Math.min(...times, ...(input.bands ?? []).map((b) => b.start));
  const t1 = Math.max(...times, ...(input.bands ?? []).map((b) => b.end));
  const max = Math.max(...values, input.threshold?.value ?? 0, 0);
  return { t0, t1: t1 > t0 ? t1 : t0 + 1, max: max > 0 ? niceCeiling(max) : 1 };
}

/** The smallest 1, 2 or 5 × 10^n at or above x, so axes end on round numbers. */
export function niceCeiling(x: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(x));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= x) return step * magnitude;
  return 10 * magnitude;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function quote(text: string): string {
  return `"${text.replace(/"/g, "'")}"`;
}

/** Resamples each series on a shared grid of `buckets` steps (last value carried forward), as xychart needs. */
function resample(input: ChartInput, buckets: number): { times: number[]; lines: number[][] } {
  const { t0, t1 } = extent(input);
  const step = (t1 - t0) / (buckets - 1);
  const times = Array.from({ length: buckets }, (_, i) => t0 + i * step);
  const lines = input.series.map((s) => {
    const sorted = [...s.points].sort((a, b) => a[0] - b[0]);
    let j = 0;
    let last = sorted[0]?.[1] ?? 0;
    return times.map((t) => {
      while (j < sorted.length && (sorted[j] as [number, number])[0] <= t + 1e-9)
        last = (sorted[j++] as [number, number])[1];
      return round(Number.isFinite(last) ? last : 0);
    });
  });
  return { times, lines };
}

export function mermaidChart(input: ChartInput, buckets = 24): string {
  if (input.series.every((s) => s.points.length === 0)) return '';
  const { t0, max } = extent(input);
  const { times, lines } = resample(input, buckets);
  const names = input.series.map((s, i) => `${s.name} (line ${i + 1})`).join(', ');
  const out = [
    '```mermaid',
    'xychart-beta',
    `  title ${quote(input.series.length > 1 ? `${input.title}: ${names}` : input.title)}`,
    `  x-axis "seconds" [${times.map((t) => Math.round(t - t0)).join(', ')}]`,
    `  y-axis ${quote(input.unit)} 0 --> ${max}`,
    ...lines.map((values) => `  line [${values.join(', ')}]`),
  ];
  if (input.threshold) out.push(`  line [${times.map(() => round(input.threshold!.value)).join(', ')}]`);
  out.push('```');
  return out.join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Width of `text` at the charts' 11 px sans-serif, rounded up: wide glyphs count more, so labels never touch. */
export function textWidth(text: string, fontSize = 11): number {
  let em = 0;
  for (const char of text) em += /[MWmw@%■]/.test(char) ? 0.95 : /[A-Z0-9]/.test(char) ? 0.68 : 0.58;
  return Math.ceil(em * fontSize);
}

interface Box {
  x: number;
  width: number;
  row: number;
}

/** The first row (0, 1, …) where a label spanning [x, x + width] keeps clear of every label already there. */
function freeRow(placed: Box[], x: number, width: number, gap = 6): number {
  for (let row = 0; ; row++) {
    const clear = placed.every((b) => b.row !== row || x + width + gap <= b.x || b.x + b.width + gap <= x);
    if (clear) return row;
  }
}

const lineHeight = 13;

export function svgChart(input: ChartInput, width = 640): string {
  const margin = { left: 56, right: 16, top: 28, bottom: 40 };
  const plotH = 192;
  const { t0, t1, max } = extent(input);
  const plotW = width - margin.left - margin.right;
  const x = (t: number) => round(margin.left + ((t - t0) / (t1 - t0)) * plotW);
  const y = (v: number) => round(margin.top + plotH - (v / max) * plotH);

  // Legend entries flow left to right and wrap, so long series names never run into each other.
  const legend: Array<{ text: string; x: number; line: number; color: string }> = [];
  let cursor = margin.left;
  let line = 0;
  input.series.forEach((s, i) => {
    const text = `■ ${s.name}`;
    const w = textWidth(text);
    if (cursor > margin.left && cursor + w > width - margin.right) {
      line++;
      cursor = margin.left;
    }
    legend.push({ text, x: cursor, line, color: palette[i % palette.length] as string });
    cursor += w + 16;
  });
  const legendTop = margin.top + plotH + 32;
  const height = legendTop + (line + 1) * lineHeight + 4;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11" role="img" aria-label="${escapeXml(input.title)}">`,
    `<title>${escapeXml(input.title)}</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${margin.left}" y="16" font-size="13" font-weight="bold">${escapeXml(input.title)}</text>`,
  ];
  // Labels inside the plot (stage names, the threshold) take rows from its top edge down, each clear of the others.
  const placed: Box[] = [];
  const labels: string[] = [];
  if (input.threshold) {
    const text = input.threshold.label;
    const w = textWidth(text);
    const at = margin.left + plotW - w;
    const row = freeRow(placed, at, w);
    placed.push({ x: at, width: w, row });
    labels.push(
      `<text class="label" x="${margin.left + plotW}" y="${margin.top + 11 + row * lineHeight}" text-anchor="end" fill="#d62728">${escapeXml(text)}</text>`,
    );
  }
  for (const band of input.bands ?? []) {
    parts.push(
      `<rect class="band" x="${x(band.start)}" y="${margin.top}" width="${round(x(band.end) - x(band.start))}" height="${plotH}" fill="#f0f0f0"/>`,
    );
    const w = textWidth(band.label);
    const at = Math.min(x(band.start) + 3, margin.left + plotW - w);
    const row = freeRow(placed, at, w);
    placed.push({ x: at, width: w, row });
    labels.push(
      `<text class="label" x="${at}" y="${margin.top + 11 + row * lineHeight}" fill="#666">${escapeXml(band.label)}</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const v = (max / 4) * i;
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${margin.left - 6}" y="${y(v) + 4}" text-anchor="end">${round(v)}</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const t = t0 + ((t1 - t0) / 4) * i;
    parts.push(
      `<text x="${x(t)}" y="${margin.top + plotH + 16}" text-anchor="middle">${Math.round(t - t0)}s</text>`,
    );
  }
  parts.push(
    `<text x="14" y="${margin.top + plotH / 2}" transform="rotate(-90 14 ${margin.top + plotH / 2})" text-anchor="middle">${escapeXml(input.unit)}</text>`,
  );
  if (input.threshold)
    parts.push(
      `<line class="threshold" x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(input.threshold.value)}" y2="${y(input.threshold.value)}" stroke="#d62728" stroke-dasharray="4 3"/>`,
    );
  input.series.forEach((s, i) => {
    const points = [...s.points]
      .filter(([, v]) => Number.isFinite(v))
      .sort((a, b) => a[0] - b[0])
      .map(([t, v]) => `${x(t)},${y(v)}`)
      .join(' ');
    parts.push(
      `<polyline class="series" data-name="${escapeXml(s.name)}" fill="none" stroke="${legend[i]!.color}" stroke-width="2" points="${points}"/>`,
    );
  });
  parts.push(...labels);
  for (const entry of legend)
    parts.push(
      `<text class="legend" x="${entry.x}" y="${legendTop + entry.line * lineHeight}" fill="${entry.color}">${escapeXml(entry.text)}</text>`,
    );
  parts.push('</svg>');
  return parts.join('\n');
}
