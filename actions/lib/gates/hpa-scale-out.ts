/**
 * hpaScaleOut: the HPA reaches N replicas (or a factor of its replicas at the window start) within T of the window
 * start. Reads kube-state-metrics' HPA status as a range query at the scrape interval, so the reported
 * time-to-scale is accurate to one step. Optionally fails when the HPA is pinned at maxReplicas with
 * ScalingLimited=True while its metric is still above target: it wanted more pods than it may have. A sample at
 * the target before the deadline proves a pass; a miss is only a failure when no scrape is missing before the
 * deadline (the HPA may have reached the target in the gap).
 */

import { z } from 'zod';
import { type LabelMatcher, selector } from '../prometheus/promql.js';
import { formatDuration, shortDuration } from '../util/duration.js';
import { unprovenByGaps } from './coverage.js';
import type { GateDefinition } from './definition.js';
import { common, duration, eitherRequired, type GateProblem, namespace, track } from './fields.js';
import type { GateQueries } from './queries.js';
import { plotSeries, round, since } from './series.js';
import type { GateContext, GateOutcome } from './types.js';

const hpaScaleOutGateSchema = z
  .strictObject({
    ...common,
    type: z.literal('hpaScaleOut'),
    namespace: namespace.optional(),
    hpa: z.string().min(1).optional().describe('HorizontalPodAutoscaler name'),
    track: track
      .optional()
      .describe('The HPA of this track: <service> for stable, <service>-canary for canary'),
    service: z
      .string()
      .min(1)
      .optional()
      .describe("Service name for track (default: the environment's service)"),
    minReplicas: z.int().min(1).optional().describe('Replicas to reach'),
    factor: z
      .number()
      .gt(0)
      .optional()
      .describe('Replicas to reach as a multiple of the replicas at the window start'),
    within: duration('Deadline counted from the window start'),
    replicas: z
      .enum(['current', 'desired'])
      .default('current')
      .describe('Which HPA status field counts: currentReplicas (default) or desiredReplicas'),
    failWhenLimited: z
      .boolean()
      .default(false)
      .describe(
        'Fail when the HPA sits at maxReplicas with ScalingLimited=True while its metric is above target',
      ),
  })
  .describe('The HPA reaches a replica count within a deadline');

type HpaScaleOutGate = z.output<typeof hpaScaleOutGateSchema>;

export const hpaScaleOutGate: GateDefinition<typeof hpaScaleOutGateSchema> = {
  schema: hpaScaleOutGateSchema,
  problems(gate) {
    const problems: GateProblem[] = [];
    if (gate.hpa && gate.track)
      problems.push({ path: ['track'], detail: 'expected either hpa or track, not both' });
    if (!gate.hpa && !gate.track)
      problems.push({
        path: ['hpa'],
        detail: 'missing required field (expected hpa, or track inside an environment)',
      });
    return [...problems, ...eitherRequired(gate, 'minReplicas', 'factor')];
  },
  evaluate: evaluateHpaScaleOut,
  continuous: true,
};

const hpaKey = 'namespace, horizontalpodautoscaler';

/** The HPA a gate means: `hpa`, or by the naming convention `<service>` (stable) / `<service>-canary` (canary). */
export function hpaName(gate: HpaScaleOutGate, context: GateContext): string | undefined {
  if (gate.hpa) return gate.hpa;
  const service = gate.service ?? context.defaults.service;
  if (!service) return undefined;
  return gate.track === 'canary' ? `${service}-canary` : service;
}

export function hpaMatchers(namespace: string | undefined, name: string): LabelMatcher[] {
  const matchers: LabelMatcher[] = [];
  if (namespace !== undefined) matchers.push({ name: 'namespace', op: '=', value: namespace });
  matchers.push({ name: 'horizontalpodautoscaler', op: '=', value: name });
  return matchers;
}

export function replicasQuery(which: 'current' | 'desired', matchers: LabelMatcher[]): string {
  return `max(${selector(`kube_horizontalpodautoscaler_status_${which}_replicas`, matchers)})`;
}

/** Non-empty exactly when the HPA is at maxReplicas, ScalingLimited=True and a metric is above its target. */
function limitedQuery(matchers: LabelMatcher[]): string {
  const metricKey = `${hpaKey}, metric_name, metric_target_type`;
  const limited: LabelMatcher[] = [
    ...matchers,
    { name: 'condition', op: '=', value: 'ScalingLimited' },
    { name: 'status', op: '=', value: 'true' },
  ];
  return [
    `max by (${hpaKey}) (${selector('kube_horizontalpodautoscaler_status_current_replicas', matchers)})`,
    ` >= max by (${hpaKey}) (${selector('kube_horizontalpodautoscaler_spec_max_replicas', matchers)})`,
    ` and on (${hpaKey}) max by (${hpaKey}) (${selector('kube_horizontalpodautoscaler_status_condition', limited)}) == 1`,
    ` and on (${hpaKey}) (max by (${metricKey}) (${selector('kube_horizontalpodautoscaler_status_target_metric', matchers)})`,
    ` > max by (${metricKey}) (${selector('kube_horizontalpodautoscaler_spec_target_metric', matchers)}))`,
  ].join('');
}

async function evaluateHpaScaleOut(
  gate: HpaScaleOutGate,
  context: GateContext,
  queries: GateQueries,
): Promise<GateOutcome> {
  const name = hpaName(gate, context);
  const threshold: Record<string, number | string> = { withinSeconds: round(gate.within / 1000) };
  if (gate.minReplicas !== undefined) threshold.minReplicas = gate.minReplicas;
  if (gate.factor !== undefined) threshold.factor = gate.factor;
  if (!name)
    return {
      status: 'inconclusive',
      reason: `track ${gate.track} needs a service name (set service, or evaluate inside an environment)`,
      observed: {},
      threshold,
      margin: null,
    };
  const namespace = gate.namespace ?? context.defaults.namespace;
  const matchers = hpaMatchers(namespace, name);
  const label = namespace ? `${namespace}/${name}` : name;
  const [series] = await queries.range(replicasQuery(gate.replicas, matchers));
  const points = series?.values.filter(([, v]) => !Number.isNaN(v)) ?? [];
  const plot = series ? plotSeries([series], () => `${gate.replicas} replicas`) : [];
  if (points.length === 0)
    return {
      status: 'inconclusive',
      reason: `no kube_horizontalpodautoscaler_status_${gate.replicas}_replicas series for HPA ${label} in the window (is kube-state-metrics scraped, does the HPA exist?)`,
      observed: {},
      threshold,
      margin: null,
    };

  const { start, end } = context.window;
  const startReplicas = points[0]![1];
  const target = Math.max(
    gate.minReplicas ?? 0,
    gate.factor !== undefined ? Math.ceil(startReplicas * gate.factor) : 0,
  );
  const deadline = start.getTime() + gate.within;
  const peak = Math.max(...points.map(([, v]) => v));
  const reached = points.find(([, v]) => v >= target);
  const firstUp = points.find(([, v]) => v > startReplicas);
  const observed: Record<string, number | string | null> = {
    startReplicas,
    targetReplicas: target,
    peakReplicas: peak,
    timeToScaleSeconds: reached ? round(reached[0] - start.getTime() / 1000) : null,
    firstScaleUpSeconds: firstUp ? round(firstUp[0] - start.getTime() / 1000) : null,
  };
  threshold.targetReplicas = target;
  const withinText = formatDuration(gate.within);

  if (gate.failWhenLimited) {
    const [limited] = await queries.range(limitedQuery(matchers));
    const at = limited?.values.find(([, v]) => !Number.isNaN(v));
    if (at) {
      observed.limitedAtSeconds = round(at[0] - start.getTime() / 1000);
      return {
        status: 'fail',
        reason: `HPA ${label} was pinned at maxReplicas (${at[1]}) with ScalingLimited=True while its metric was above target, ${since(start, at[0])} into the window`,
        observed,
        threshold,
        margin: null,
        series: plot,
      };
    }
  }

  if (reached && reached[0] * 1000 <= deadline) {
    const took = reached[0] * 1000 - start.getTime();
    return {
      status: 'pass',
      reason: `HPA ${label} reached ${reached[1]} replicas (needed ${target}) after ${shortDuration(took)}, within ${withinText}`,
      observed,
      threshold,
      margin: round((deadline - reached[0] * 1000) / 1000),
      marginUnit: 's',
      series: plot,
    };
  }
  if (reached || end.getTime() >= deadline) {
    const missed = reached
      ? `HPA ${label} reached ${target} replicas only after ${since(start, reached[0])}`
      : `HPA ${label} peaked at ${peak} of ${target} replicas`;
    const unproven = await unprovenByGaps(
      {
        metric: `kube_horizontalpodautoscaler_status_${gate.replicas}_replicas`,
        matchers,
        span: { start, end: new Date(Math.min(deadline, end.getTime())) },
      },
      context,
      queries,
      { observed, threshold, series: plot },
      (gaps) =>
        `${missed}, but before the ${withinText} deadline there was ${gaps}: it may have scaled out in time unseen`,
    );
    if (unproven) return unproven;
  }
  if (reached)
    return {
      status: 'fail',
      reason: `HPA ${label} reached ${target} replicas only after ${since(start, reached[0])}, later than ${withinText}`,
      observed,
      threshold,
      margin: round((deadline - reached[0] * 1000) / 1000),
      marginUnit: 's',
      series: plot,
    };
  if (end.getTime() >= deadline)
    return {
      status: 'fail',
      reason: `HPA ${label} peaked at ${peak} replicas (from ${startReplicas}) and did not reach ${target} within ${withinText}`,
      observed,
      threshold,
      margin: peak - target,
      marginUnit: 'replicas',
      series: plot,
    };
  return {
    status: 'inconclusive',
    reason: `HPA ${label} is at ${points.at(-1)![1]} of ${target} replicas and the ${withinText} deadline is after the window end`,
    observed,
    threshold,
    margin: null,
    series: plot,
    settled: false,
  };
}
