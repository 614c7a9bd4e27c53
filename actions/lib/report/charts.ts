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

export function svgChart(input: ChartInput, size = { width: 640, height: 260 }): string {
  const margin = { left: 56, right: 16, top: 28, bottom: 40 };
  const { t0, t1, max } = extent(input);
  const plotW = size.width - margin.left - margin.right;
  const plotH = size.height - margin.top - margin.bottom;
  const x = (t: number) => round(margin.left + ((t - t0) / (t1 - t0)) * plotW);
  const y = (v: number) => round(margin.top + plotH - (v / max) * plotH);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}" font-family="sans-serif" font-size="11" role="img" aria-label="${escapeXml(input.title)}">`,
    `<title>${escapeXml(input.title)}</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${margin.left}" y="16" font-size="13" font-weight="bold">${escapeXml(input.title)}</text>`,
  ];
  for (const band of input.bands ?? []) {
    parts.push(
      `<rect class="band" x="${x(band.start)}" y="${margin.top}" width="${round(x(band.end) - x(band.start))}" height="${plotH}" fill="#f0f0f0"/>`,
      `<text x="${x(band.start) + 3}" y="${margin.top + 11}" fill="#666">${escapeXml(band.label)}</text>`,
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
  if (input.threshold) {
    parts.push(
      `<line class="threshold" x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(input.threshold.value)}" y2="${y(input.threshold.value)}" stroke="#d62728" stroke-dasharray="4 3"/>`,
      `<text x="${margin.left + plotW}" y="${y(input.threshold.value) - 4}" text-anchor="end" fill="#d62728">${escapeXml(input.threshold.label)}</text>`,
    );
  }
  input.series.forEach((s, i) => {
    const color = palette[i % palette.length] as string;
    const points = [...s.points]
      .filter(([, v]) => Number.isFinite(v))
      .sort((a, b) => a[0] - b[0])
      .map(([t, v]) => `${x(t)},${y(v)}`)
      .join(' ');
    parts.push(
      `<polyline class="series" data-name="${escapeXml(s.name)}" fill="none" stroke="${color}" stroke-width="2" points="${points}"/>`,
    );
    parts.push(
      `<text x="${margin.left + 8 + i * 130}" y="${size.height - 6}" fill="${color}">■ ${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
