/**
 * What a verification leaves for its report: one verdict gathering every step's gates and the final gates, the
 * load windows of all steps, and the series charted over the whole run (replicas of every HPA, pending pods, p95
 * and request rate per track), read from Prometheus.
 */
import { queryBudgetMs } from '../gates/evaluate.js';
import type { GateResult } from '../gates/types.js';
import { buildVerdict, type Verdict } from '../gates/verdict.js';
import type { LoadWindows } from '../load/types.js';
import type { Labels, PrometheusClient, RangeSeries } from '../prometheus/client.js';
import { selector } from '../prometheus/promql.js';
import type { ChartSeries } from '../report/charts.js';
import type { ChartKind } from '../report/model.js';
import type { StepEvidence, StepVerdict } from '../rollout/step-pipeline.js';

/** What one canary step did: its load, its gate verdict and the outcome the rollout acted on. */
export type StepRecord = StepEvidence & {
  index: number;
  weight: number;
  outcome: StepVerdict['verdict'];
  summary: string;
};

/** Every gate result of the run; names are prefixed with their step when several steps (or final gates) ran. */
export function combinedVerdict(input: {
  steps: StepRecord[];
  final?: Verdict;
  window: { start: Date; end: Date };
  prometheusUrl: string;
}): Verdict {
  const judged = input.steps.filter((s) => s.verdict);
  const prefix = judged.length + (input.final ? 1 : 0) > 1;
  const results: GateResult[] = [
    ...judged.flatMap((s) =>
      (s.verdict as Verdict).gates.map((g) =>
        prefix ? { ...g, name: `step ${s.index + 1} · ${g.name}` } : g,
      ),
    ),
    ...(input.final?.gates ?? []).map((g) => (prefix ? { ...g, name: `final · ${g.name}` } : g)),
  ];
  const stopped = judged.find((s) => s.stoppedEarly);
  const continuous = judged.some((s) => s.verdict?.mode === 'continuous') || Boolean(stopped);
  return buildVerdict({
    results,
    window: input.window,
    prometheusUrl: input.prometheusUrl,
    mode: continuous ? 'continuous' : 'once',
    ...(continuous
      ? {
          continuous: {
            evaluations: judged.reduce((n, s) => n + (s.verdict?.continuous?.evaluations ?? 0), 0),
            stoppedEarly: Boolean(stopped),
            stopReason: stopped?.stoppedEarly ?? 'every load stage ran to its end',
          },
        }
      : {}),
  });
}

/** The load windows of all steps as one: each scenario named after its step and stage list. */
export function mergedWindows(steps: StepRecord[]): LoadWindows | undefined {
  const loaded = steps.filter((s): s is StepRecord & { windows: LoadWindows } => Boolean(s.windows));
  if (loaded.length === 0) return undefined;
  return {
    start: loaded[0]!.windows.start,
    end: loaded[loaded.length - 1]!.windows.end,
    scenarios: loaded.flatMap((s) =>
      s.windows.scenarios.map((scenario) => ({ ...scenario, name: `step ${s.index + 1} ${s.load}` })),
    ),
  };
}

function named(series: RangeSeries[], name: (labels: Labels) => string, scale = 1): ChartSeries[] {
  return series.map((s) => ({
    name: name(s.metric),
    points: s.values
      .filter(([, v]) => Number.isFinite(v))
      .map(([t, v]) => [t, v * scale] as [number, number]),
  }));
}

/**
 * The charts' series over the run, for one namespace: the current replicas of every HPA, the pods Pending, the p95
 * latency (ms) and the request rate per track. A chart whose query fails, or is unanswered by the window's query
 * budget (a frozen Prometheus), is left out: the verdict stands without it.
 */
export async function runSeries(
  client: PrometheusClient,
  namespace: string,
  window: { start: Date; end: Date },
  stepSeconds: number,
): Promise<Partial<Record<ChartKind, ChartSeries[]>>> {
  const ns = [{ name: 'namespace', op: '=' as const, value: namespace }];
  const rate = `${Math.max(4 * stepSeconds, 5)}s`;
  const byTrack = (what: string) => (labels: Labels) => `${labels.track ?? 'all'} ${what}`;
  const queries: Record<ChartKind, { expr: string; name: (labels: Labels) => string; scale?: number }> = {
    replicas: {
      expr: selector('kube_horizontalpodautoscaler_status_current_replicas', ns),
      name: (labels) => labels.horizontalpodautoscaler ?? 'replicas',
    },
    pendingPods: {
      expr: `sum(${selector('kube_pod_status_phase', [...ns, { name: 'phase', op: '=', value: 'Pending' }])}) or vector(0)`,
      name: () => 'pending',
    },
    // A latency line always says which quantile it is.
    latency: {
      expr: `histogram_quantile(0.95, sum by (le, track) (rate(${selector('http_request_duration_seconds_bucket', ns)}[${rate}])))`,
      name: byTrack('p95'),
      scale: 1000,
    },
    requestRate: {
      expr: `sum by (track) (rate(${selector('http_requests_total', ns)}[${rate}]))`,
      name: byTrack('req/s'),
    },
  };
  const series: Partial<Record<ChartKind, ChartSeries[]>> = {};
  const deadline = AbortSignal.timeout(queryBudgetMs(window));
  for (const [kind, query] of Object.entries(queries) as [ChartKind, (typeof queries)[ChartKind]][]) {
    const result = await client
      .queryRange(query.expr, window.start, window.end, stepSeconds, deadline)
      .catch(() => undefined);
    if (result) series[kind] = named(result, query.name, query.scale);
  }
  return series;
}
