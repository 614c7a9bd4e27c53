/**
 * pendingPods: at most N pods Pending at any one time, and no pod Pending longer than T. Each pod's Pending stretch
 * runs from kube-state-metrics' `kube_pod_created` to its `kube_pod_status_scheduled_time` (or the window end while it
 * is still Pending), so the figures are exact to the second whatever the range step: a pod Pending for 6 s between
 * two 15 s steps still counts 6 s. A range query of `kube_pod_status_phase{phase="Pending"}` adds what those two
 * timestamps cannot see: pods still Pending at the window end, and pods scheduled but not yet started (image pull).
 * A gap in the scrapes turns a pass into inconclusive (a pod may have come and gone unseen); a failure the data
 * shows stays a failure. Only when the gate fails are the causes looked up: Unschedulable means missing capacity
 * (the cluster), a container waiting in ImagePullBackOff / CrashLoopBackOff / ... means the app.
 */

import { z } from 'zod';
import type { InstantSample, Point, RangeSeries } from '../prometheus/client.js';
import { escapeRegex, type LabelMatcher, promDuration, selector } from '../prometheus/promql.js';
import { formatDuration, shortDuration } from '../util/duration.js';
import { unprovenByGaps } from './coverage.js';
import type { GateDefinition } from './definition.js';
import { common, duration, eitherRequired, namespace } from './fields.js';
import { podKey, withPodLabels } from './pod-labels.js';
import type { GateQueries } from './queries.js';
import { describeMatchers, downsample, round, since } from './series.js';
import type { GateContext, GateOutcome, PlotSeries, TimeWindow } from './types.js';

const pendingPodsGateSchema = z
  .strictObject({
    ...common,
    type: z.literal('pendingPods'),
    namespace: namespace.optional(),
    selector: z
      .record(z.string().min(1), z.string())
      .optional()
      .describe('Pod labels (matched through kube_pod_labels)'),
    maxPending: z.int().min(0).optional().describe('Pods Pending at any one time'),
    maxPendingDuration: duration('Longest time any one pod may stay Pending').optional(),
  })
  .describe('Pods are not stuck Pending');

type PendingPodsGate = z.output<typeof pendingPodsGateSchema>;

export const pendingPodsGate: GateDefinition<typeof pendingPodsGateSchema> = {
  schema: pendingPodsGateSchema,
  problems: (gate) => eitherRequired(gate, 'maxPending', 'maxPendingDuration'),
  evaluate: evaluatePendingPods,
  continuous: true,
};

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

export function pendingQuery(namespaceMatchers: LabelMatcher[], labels: Record<string, string>): string {
  const phase = [...namespaceMatchers, { name: 'phase', op: '=', value: 'Pending' } as LabelMatcher];
  return withPodLabels(
    `max by (${podKey}) (${selector('kube_pod_status_phase', phase)})`,
    namespaceMatchers,
    labels,
  );
}

/** The latest value of a per-pod timestamp family over the window, per pod (instant query at the window end). */
function podTimestampQuery(
  family: string,
  namespaceMatchers: LabelMatcher[],
  labels: Record<string, string>,
  span: string,
): string {
  return withPodLabels(
    `max by (${podKey}) (max_over_time(${selector(family, namespaceMatchers)}[${span}]))`,
    namespaceMatchers,
    labels,
    span,
  );
}

interface PendingStretch {
  pod: string;
  /** Unix seconds. */
  start: number;
  end: number;
}

const keyOf = (labels: Record<string, string>) => `${labels.namespace ?? ''}/${labels.pod ?? '?'}`;

function byPod(samples: InstantSample[]): Map<string, number> {
  return new Map(samples.map((s) => [keyOf(s.metric), s.value[1]]));
}

/**
 * Each pod's Pending stretch that reaches into the window: from its creation (the first Pending sample when
 * kube_pod_created is missing) to the window end when the last sample shows it Pending, else to the later of its
 * scheduling time and its last Pending sample. A pod never seen Pending and never scheduled is left out.
 */
function pendingStretches(
  phases: RangeSeries[],
  created: Map<string, number>,
  scheduled: Map<string, number>,
  window: TimeWindow,
  stepSeconds: number,
): PendingStretch[] {
  const windowStart = window.start.getTime() / 1000;
  const windowEnd = window.end.getTime() / 1000;
  const pendingAt = new Map<string, number[]>();
  const names = new Map<string, string>();
  for (const s of phases) {
    const key = keyOf(s.metric);
    names.set(key, s.metric.pod ?? '?');
    pendingAt.set(
      key,
      s.values.filter(([, v]) => v >= 1).map(([t]) => t),
    );
  }
  const stretches: PendingStretch[] = [];
  for (const key of new Set([...created.keys(), ...pendingAt.keys()])) {
    const samples = pendingAt.get(key) ?? [];
    const firstPending = samples[0];
    const lastPending = samples.at(-1);
    const scheduledAt = scheduled.get(key);
    const start = created.get(key) ?? firstPending;
    let end: number | undefined;
    if (lastPending !== undefined && lastPending > windowEnd - stepSeconds / 2) end = windowEnd;
    else if (scheduledAt !== undefined) end = Math.max(scheduledAt, lastPending ?? scheduledAt);
    else end = lastPending;
    if (start === undefined || end === undefined || end <= windowStart || end < start) continue;
    stretches.push({
      pod: names.get(key) ?? key.slice(key.indexOf('/') + 1),
      start,
      end: Math.min(end, windowEnd),
    });
  }
  return stretches;
}

/** How many pods were Pending at each change inside the window: a step function, exact to the timestamps. */
function pendingCounts(stretches: PendingStretch[], window: TimeWindow): Point[] {
  const windowStart = window.start.getTime() / 1000;
  const windowEnd = window.end.getTime() / 1000;
  const events: [number, number][] = [];
  for (const s of stretches) {
    if (s.end <= s.start) continue;
    events.push([Math.max(s.start, windowStart), 1], [s.end, -1]);
  }
  // At one instant, ends come before starts: a pod scheduled as another is created was never Pending beside it.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const points: Point[] = [[windowStart, 0]];
  let count = 0;
  for (const [t, delta] of events) {
    points.push([t, count]);
    count += delta;
    points.push([t, count]);
  }
  points.push([windowEnd, count]);
  return points;
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

async function evaluatePendingPods(
  gate: PendingPodsGate,
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
    threshold.maxPendingSeconds = round(gate.maxPendingDuration / 1000);
  const scope = describeMatchers([
    ...namespaceMatchers,
    ...Object.entries(labels).map(([name, value]): LabelMatcher => ({ name, op: '=', value })),
  ]);

  const { window } = context;
  const { start } = window;
  const windowStart = start.getTime() / 1000;
  const span = promDuration(window.end.getTime() - start.getTime());
  const series = await queries.range(pendingQuery(namespaceMatchers, labels));
  const created = byPod(
    await queries.instant(podTimestampQuery('kube_pod_created', namespaceMatchers, labels, span)),
  );
  if (series.length === 0 && created.size === 0)
    return {
      status: 'inconclusive',
      reason: `no kube_pod_status_phase series for pods with ${scope} (no such pods, kube-state-metrics not scraped, or pod labels not exported by --metric-labels-allowlist)`,
      observed: {},
      threshold,
      margin: null,
    };
  const scheduled = byPod(
    await queries.instant(
      podTimestampQuery('kube_pod_status_scheduled_time', namespaceMatchers, labels, span),
    ),
  );

  const stretches = pendingStretches(series, created, scheduled, window, context.stepSeconds);
  const counts = pendingCounts(stretches, window);
  const [peakAt, peak] = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  const longest = stretches.reduce<PendingStretch | undefined>(
    (a, b) => (!a || b.end - b.start > a.end - a.start ? b : a),
    undefined,
  );
  const longestMs = longest ? (longest.end - longest.start) * 1000 : 0;

  const observed: Record<string, number | string | null> = {
    maxPending: peak,
    maxPendingAtSeconds: peak > 0 ? round(Math.max(0, peakAt - windowStart)) : null,
    longestPendingSeconds: round(longestMs / 1000),
    longestPendingPod: longest?.pod ?? null,
    podsSeen: new Set([...created.keys(), ...series.map((s) => keyOf(s.metric))]).size,
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
      // Tenths, so that a stretch just over the limit never reads as equal to it.
      `pod ${longest!.pod} was Pending for ${round(longestMs / 1000, 1)}s (max ${formatDuration(gate.maxPendingDuration!)})`,
    );
  // The margin of the check that decided: the duration when it failed or is the only one, else the count.
  const byDuration =
    gate.maxPendingDuration !== undefined && (durationFailed || gate.maxPending === undefined);
  const margin = byDuration ? round((gate.maxPendingDuration! - longestMs) / 1000) : gate.maxPending! - peak;
  const marginUnit = byDuration ? 's' : 'pods';

  if (problems.length === 0) {
    // No failure in the data: only a pass when no part of the window lacks data.
    const unproven = await unprovenByGaps(
      { metric: 'kube_pod_status_phase', matchers: namespaceMatchers, span: window },
      context,
      queries,
      { observed, threshold, series: plot },
      (gaps) => `no failure in the data, but ${gaps}: pods Pending only then went unseen (${scope})`,
    );
    if (unproven) return unproven;
    return {
      status: 'pass',
      reason: `at most ${peak} pod(s) Pending at once and the longest Pending stretch was ${shortDuration(longestMs)} (${scope})`,
      observed,
      threshold,
      margin,
      marginUnit,
      series: plot,
    };
  }
  const offenders = [...new Set(stretches.map((r) => r.pod))];
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
