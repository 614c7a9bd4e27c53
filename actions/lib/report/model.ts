/**
 * What a report is made of, shared by the Markdown and HTML renderers: the verdict, the load's stage windows, the
 * series to chart and where to link. Pure: no I/O, so both renderers show the same numbers.
 */
import type { GateResult, PlotSeries } from '../gates/types.js';
import type { Verdict } from '../gates/verdict.js';
import type { LoadWindows } from '../load/types.js';
import type { ChartInput, ChartSeries } from './charts.js';

export type ChartKind = 'replicas' | 'pendingPods' | 'latency' | 'requestRate';

export const chartKinds: ChartKind[] = ['replicas', 'pendingPods', 'latency', 'requestRate'];

/** Where the report links for a gate's time range. Both optional; nothing is linked when neither is set. */
export interface ReportLinks {
  /** Prometheus base URL as users reach it in a browser (may differ from the one the runner queried). */
  prometheusUrl?: string;
  grafanaUrl?: string;
  /** The Grafana data source UID of that Prometheus, for Explore links. */
  grafanaDatasource?: string;
}

/**
 * Everything a report needs. Build it from the gate step's verdict (`schema/verdict.schema.json`), the load step's
 * `windows` output and, optionally, series fetched elsewhere (they replace the ones taken from the verdict's gates).
 */
export interface ReportInput {
  verdict: Verdict;
  /** The environment the verdict is about (one sticky comment per pull request and environment). */
  environment: string;
  windows?: LoadWindows;
  /** Per chart, series that replace those derived from the verdict's gates; points are [unix seconds, value]. */
  series?: Partial<Record<ChartKind, ChartSeries[]>>;
  links?: ReportLinks;
  /** Shown under the heading when known. */
  context?: { image?: string; sha?: string; runUrl?: string };
}

export { statusIcon as statusLabel } from '../gates/verdict.js';

/** Text for HTML contexts (elements, attributes, <summary>): the five characters that could open markup. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** `key=value, …` of a gate's observed values or thresholds, skipping what was not measured. */
export function formatPairs(values: Record<string, number | string | null>): string {
  const pairs = Object.entries(values)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : v}`);
  return pairs.length > 0 ? pairs.join(', ') : '–';
}

/** The margin with its sign and unit: `+180 ms` of headroom, `-112 ms` missed by. */
export function formatMargin(gate: Pick<GateResult, 'margin' | 'marginUnit'>): string {
  if (gate.margin === null) return '–';
  const sign = gate.margin > 0 ? '+' : '';
  return `${sign}${formatNumber(gate.margin)}${gate.marginUnit ? ` ${gate.marginUnit}` : ''}`;
}

export interface StageRow {
  scenario: string;
  stage: string;
  target: string;
  start: string;
  end: string;
  seconds: number;
}

function seconds(start: string, end: string): number {
  return Math.round((Date.parse(end) - Date.parse(start)) / 100) / 10;
}

/** One row per ramping stage; scenarios without stages (constant executors) get one row of their own. */
export function stageRows(windows: LoadWindows | undefined): StageRow[] {
  if (!windows) return [];
  return windows.scenarios.flatMap((scenario) =>
    scenario.stages.length === 0
      ? [
          {
            scenario: scenario.name,
            stage: scenario.executor,
            target: '–',
            start: scenario.start,
            end: scenario.end,
            seconds: seconds(scenario.start, scenario.end),
          },
        ]
      : scenario.stages.map((stage) => ({
          scenario: scenario.name,
          stage: String(stage.index),
          target: String(stage.target),
          start: stage.start,
          end: stage.end,
          seconds: seconds(stage.start, stage.end),
        })),
  );
}

function bands(windows: LoadWindows | undefined): NonNullable<ChartInput['bands']> {
  return stageRows(windows).map((row) => ({
    label: row.target === '–' ? row.scenario : `${row.scenario}:${row.stage}`,
    start: Date.parse(row.start) / 1000,
    end: Date.parse(row.end) / 1000,
  }));
}

const chartGateTypes: Record<ChartKind, string[]> = {
  replicas: ['hpaScaleOut'],
  pendingPods: ['pendingPods'],
  latency: ['latency'],
  requestRate: ['loadApplied'],
};

const chartTitles: Record<ChartKind, { title: string; unit: string }> = {
  replicas: { title: 'HPA replicas', unit: 'replicas' },
  pendingPods: { title: 'Pending pods', unit: 'pods' },
  latency: { title: 'Request latency', unit: 'ms' },
  requestRate: { title: 'Request rate', unit: 'req/s' },
};

/** JSON turns NaN into null; such points are gaps, not zeros. */
function finitePoints(points: PlotSeries['points'], scale: number): Array<[number, number]> {
  return points
    .filter(([, v]) => typeof v === 'number' && Number.isFinite(v))
    .map(([t, v]) => [t, v * scale] as [number, number]);
}

function seriesFromGates(verdict: Verdict, kind: ChartKind): ChartSeries[] {
  const gates = verdict.gates.filter((g) => chartGateTypes[kind].includes(g.type) && g.series.length > 0);
  // Latency gates plot seconds (Prometheus' unit); milliseconds read better next to thresholds like 300ms.
  const scale = kind === 'latency' ? 1000 : 1;
  return gates.flatMap((gate) =>
    gate.series.map((s) => ({
      name: gates.length > 1 ? `${gate.name}: ${s.name}` : s.name,
      points: finitePoints(s.points, scale),
    })),
  );
}

/** The threshold a gate holds its series to, in the chart's unit, when the gate states one. */
function gateThreshold(gate: GateResult, kind: ChartKind): ChartInput['threshold'] {
  const limit =
    kind === 'replicas'
      ? gate.threshold.targetReplicas
      : kind === 'pendingPods'
        ? gate.threshold.maxPending
        : kind === 'latency'
          ? gate.threshold.maxMs
          : gate.threshold.requiredRate;
  if (typeof limit !== 'number') return undefined;
  const unit = chartTitles[kind].unit;
  return {
    label: `${gate.name}: ${kind === 'requestRate' ? '≥' : '≤'} ${formatNumber(limit)} ${unit}`,
    value: limit,
  };
}

/** The report's charts: replicas, pending pods, latency and request rate, each only when there is data for it. */
export function reportCharts(input: ReportInput): Array<ChartInput & { kind: ChartKind }> {
  return chartKinds
    .map((kind) => {
      const series = (input.series?.[kind] ?? seriesFromGates(input.verdict, kind)).filter(
        (s) => s.points.length > 0,
      );
      const gates = input.verdict.gates.filter((g) => chartGateTypes[kind].includes(g.type));
      const threshold = gates.length === 1 ? gateThreshold(gates[0] as GateResult, kind) : undefined;
      return {
        kind,
        ...chartTitles[kind],
        series,
        bands: bands(input.windows),
        ...(threshold ? { threshold } : {}),
      };
    })
    .filter((chart) => chart.series.length > 0);
}
