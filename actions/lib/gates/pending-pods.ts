/**
 * pendingPods: at most N pods Pending at any one time, and no pod Pending longer than T. One range query of
 * `kube_pod_status_phase{phase="Pending"}` per pod (joined with `kube_pod_labels` for the selector) gives both the
 * count at every step and each pod's Pending runs. Only when the gate fails are the causes looked up: Unschedulable
 * means missing capacity (the cluster), a container waiting in ImagePullBackOff / CrashLoopBackOff / ... means the app.
 */
import type { RangeSeries } from '../prometheus/client.js';
import { escapeRegex, kubeLabelName, type LabelMatcher, selector } from '../prometheus/promql.js';
import { formatDuration, shortDuration } from '../util/duration.js';
import type { GateQueries } from './queries.js';
import type { GateOf } from './schema.js';
import { describeMatchers, downsample, round, since } from './series.js';
import type { GateContext, GateOutcome, PlotSeries } from './types.js';

const podKey = 'namespace, pod';
const maxCausePods = 50;
const appReasons = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** `expr` restricted to the pods carrying `labels`, through kube_pod_labels (value 1 per pod). */
function withPodLabels(
  expr: string,
  namespaceMatchers: LabelMatcher[],
  labels: Record<string, string>,
): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return expr;
  const matchers = [
    ...namespaceMatchers,
    ...entries.map(([key, value]): LabelMatcher => ({ name: kubeLabelName(key), op: '=', value })),
  ];
  return `${expr} * on (${podKey}) group_left () max by (${podKey}) (${selector('kube_pod_labels', matchers)})`;
}

export function pendingQuery(namespaceMatchers: LabelMatcher[], labels: Record<string, string>): string {
  const phase = [...namespaceMatchers, { name: 'phase', op: '=', value: 'Pending' } as LabelMatcher];
  return withPodLabels(
    `max by (${podKey}) (${selector('kube_pod_status_phase', phase)})`,
    namespaceMatchers,
    labels,
  );
}

interface PendingRun {
  pod: string;
  start: number;
  end: number;
  /** The run began at the first sample of the window: the pod may have been Pending before it. */
  openStart: boolean;
}

/** Each pod's stretches of consecutive Pending samples (a missing sample ends a stretch: the pod went away). */
function pendingRuns(series: RangeSeries[], stepSeconds: number, windowStart: number): PendingRun[] {
  const runs: PendingRun[] = [];
  for (const s of series) {
    let run: PendingRun | undefined;
    for (const [t, v] of s.values) {
      const continues = run !== undefined && t - run.end <= stepSeconds * 1.5;
      if (v >= 1 && continues) run!.end = t;
      else if (v >= 1) {
        run = { pod: s.metric.pod ?? '?', start: t, end: t, openStart: t - windowStart < stepSeconds };
        runs.push(run);
      } else run = undefined;
    }
  }
  return runs;
}

/** Number of Pending pods at every step, over the union of the series' timestamps. */
function pendingCounts(series: RangeSeries[]): [number, number][] {
  const counts = new Map<number, number>();
  for (const s of series)
    for (const [t, v] of s.values) counts.set(t, (counts.get(t) ?? 0) + (v >= 1 ? 1 : 0));
  return [...counts.entries()].sort((a, b) => a[0] - b[0]);
}

async function describeCause(
  pods: string[],
  namespaceMatchers: LabelMatcher[],
  queries: GateQueries,
): Promise<{ cause: string; detail: string }> {
  const podMatcher: LabelMatcher = {
    name: 'pod',
    op: '=~',
    value: pods.slice(0, maxCausePods).map(escapeRegex).join('|'),
  };
  const matchers = [...namespaceMatchers, podMatcher];
  const unschedulable = await queries.range(
    `max by (${podKey}) (${selector('kube_pod_status_unschedulable', matchers)})`,
  );
  const waiting = await queries.range(
    `max by (${podKey}, reason) (${selector('kube_pod_container_status_waiting_reason', matchers)}) == 1`,
  );
  const unschedulablePods = unschedulable
    .filter((s) => s.values.some(([, v]) => v >= 1))
    .map((s) => s.metric.pod);
  const appProblems = waiting
    .filter((s) => appReasons.has(s.metric.reason ?? ''))
    .map((s) => `${s.metric.pod} ${s.metric.reason}`);
  const parts: string[] = [];
  if (unschedulablePods.length > 0)
    parts.push(
      `capacity: ${unschedulablePods.length} pod(s) Unschedulable (no node fits; the cluster autoscaler is missing, slow or at its limit)`,
    );
  if (appProblems.length > 0) parts.push(`the app: ${[...new Set(appProblems)].slice(0, 3).join(', ')}`);
  if (parts.length === 0)
    return {
      cause: 'unknown',
      detail: 'cause unknown: scheduled but containers not started (slow image pull or init containers?)',
    };
  const cause =
    unschedulablePods.length > 0 && appProblems.length > 0
      ? 'capacity and app'
      : unschedulablePods.length > 0
        ? 'capacity'
        : 'app';
  return { cause, detail: `cause ${parts.join('; ')}` };
}

export async function evaluatePendingPods(
  gate: GateOf<'pendingPods'>,
  context: GateContext,
  queries: GateQueries,
): Promise<GateOutcome> {
  const namespace = gate.namespace ?? context.defaults.namespace;
  const namespaceMatchers: LabelMatcher[] = namespace
    ? [{ name: 'namespace', op: '=', value: namespace }]
    : [];
  const labels = gate.selector ?? {};
  const threshold: Record<string, number | string> = {};
  if (gate.maxPending !== undefined) threshold.maxPending = gate.maxPending;
  if (gate.maxPendingDuration !== undefined)
    threshold.maxPendingDuration = formatDuration(gate.maxPendingDuration);
  const scope = describeMatchers([
    ...namespaceMatchers,
    ...Object.entries(labels).map(([name, value]): LabelMatcher => ({ name, op: '=', value })),
  ]);

  const series = await queries.range(pendingQuery(namespaceMatchers, labels));
  if (series.length === 0)
    return {
      status: 'inconclusive',
      reason: `no kube_pod_status_phase series for pods with ${scope} (no such pods, kube-state-metrics not scraped, or pod labels not exported by --metric-labels-allowlist)`,
      observed: {},
      threshold,
      margin: null,
    };

  const { start } = context.window;
  const windowStart = start.getTime() / 1000;
  const counts = pendingCounts(series);
  const [peakAt, peak] = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  const runs = pendingRuns(series, context.stepSeconds, windowStart);
  const openPods = [...new Set(runs.filter((r) => r.openStart).map((r) => r.pod))];
  if (openPods.length > 0) {
    // Pending since before the window: count from the pod's creation time.
    const created = await queries.instant(
      selector('kube_pod_created', [
        ...namespaceMatchers,
        { name: 'pod', op: '=~', value: openPods.slice(0, maxCausePods).map(escapeRegex).join('|') },
      ]),
      start,
    );
    const createdAt = new Map(created.map((s) => [s.metric.pod, s.value[1]]));
    for (const run of runs.filter((r) => r.openStart))
      run.start = Math.min(run.start, createdAt.get(run.pod) ?? run.start);
  }
  const longest = runs.reduce<PendingRun | undefined>(
    (a, b) => (!a || b.end - b.start > a.end - a.start ? b : a),
    undefined,
  );
  const longestMs = longest ? (longest.end - longest.start) * 1000 : 0;

  const observed: Record<string, number | string | null> = {
    maxPending: peak,
    maxPendingAtSeconds: peak > 0 ? round(peakAt - windowStart) : null,
    longestPendingSeconds: round(longestMs / 1000),
    longestPendingPod: longest?.pod ?? null,
    podsSeen: series.length,
  };
  const plot: PlotSeries[] = [{ name: 'pending pods', labels: {}, points: downsample(counts) }];
  const problems: string[] = [];
  if (gate.maxPending !== undefined && peak > gate.maxPending)
    problems.push(
      `${peak} pod(s) were Pending at once ${since(start, peakAt)} into the window (max ${gate.maxPending})`,
    );
  const durationFailed =
    gate.maxPendingDuration !== undefined && longest !== undefined && longestMs > gate.maxPendingDuration;
  if (durationFailed)
    problems.push(
      `pod ${longest!.pod} was Pending for ${shortDuration(longestMs)} (max ${formatDuration(gate.maxPendingDuration!)})`,
    );
  // The margin of the check that decided: the duration when it failed or is the only one, else the count.
  const byDuration =
    gate.maxPendingDuration !== undefined && (durationFailed || gate.maxPending === undefined);
  const margin = byDuration ? round((gate.maxPendingDuration! - longestMs) / 1000) : gate.maxPending! - peak;
  const marginUnit = byDuration ? 's' : 'pods';

  if (problems.length === 0)
    return {
      status: 'pass',
      reason: `at most ${peak} pod(s) Pending at once and the longest Pending stretch was ${shortDuration(longestMs)} (${scope})`,
      observed,
      threshold,
      margin,
      marginUnit,
      series: plot,
    };
  const offenders = [...new Set(runs.map((r) => r.pod))];
  const { cause, detail } = await describeCause(offenders, namespaceMatchers, queries);
  observed.cause = cause;
  return {
    status: 'fail',
    reason: `${problems.join('; ')}; ${detail}`,
    observed,
    threshold,
    margin,
    marginUnit,
    series: plot,
  };
}
