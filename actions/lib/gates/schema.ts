/**
 * Gate files (`gates:` plus optional `metrics:`) and the `gates:` list of environment settings. The key names are
 * the contract of issue 5; new keys may be added, none renamed. Durations become milliseconds and ratios
 * fractions at parse time, and `promql` conditions are parsed then, so a bad expression is a settings error with a
 * position, never a surprise during a rollout. Checks spanning several fields live in `semanticProblems`.
 */
import { z } from 'zod';
import { isLabelName } from '../prometheus/promql.js';
import { promqlQuery } from '../prometheus/syntax.js';
import { durationPattern, tryParseDuration } from '../util/duration.js';
import { gateName } from '../util/names.js';
import { type Condition, ConditionError, parseCondition } from './condition.js';

const duration = (description: string) =>
  z
    .string()
    .regex(durationPattern, 'a duration such as 500ms, 30s or 2m')
    .refine((text) => tryParseDuration(text) !== undefined, 'a duration of at most 7d')
    .transform((text) => tryParseDuration(text)!)
    .describe(description);

/** A regular expression Prometheus will accept as a label matcher (RE2; what JavaScript cannot compile, RE2 rejects too). */
const regexText = z
  .string()
  .min(1)
  .max(1000)
  .refine((text) => {
    try {
      new RegExp(text);
      return true;
    } catch {
      return false;
    }
  }, 'a regular expression such as 5.. or 5..|429');

const ratioPattern = /^(\d+(\.\d+)?)%$/;
const ratio = (description: string) =>
  z
    .union([
      z.number().min(0).max(1),
      z
        .string()
        .regex(ratioPattern, 'a ratio such as 1% or 0.01')
        .superRefine((text, ctx) => {
          if (Number(ratioPattern.exec(text)?.[1]) > 100)
            ctx.addIssue({ code: 'custom', message: `expected a ratio between 0% and 100% (got '${text}')` });
        })
        .transform((text) => Number(ratioPattern.exec(text)![1]) / 100),
    ])
    .describe(description);

const selector = z
  .record(z.string(), z.string())
  .superRefine((labels, ctx) => {
    for (const key of Object.keys(labels).filter((name) => !isLabelName(name)))
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `expected a Prometheus label name such as service or track (got '${key}')`,
      });
  })
  .describe('Label matchers (name: value, exact match) on the metrics');
const metricName = z
  .string()
  .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'a Prometheus metric name such as http_requests_total');
const quantile = z.number().gt(0).lt(1).describe('Quantile between 0 and 1, e.g. 0.95 for p95');
const track = z.enum(['stable', 'canary']).describe('Track label value of the pods (stable or canary)');
const namespace = z.string().min(1).describe("Kubernetes namespace (default: the environment's namespace)");
/** A condition parsed once, here: the gate carries the parsed expression (its text is `source`). */
const condition = (description: string) =>
  z
    .string()
    .min(1)
    .transform((text, ctx): Condition => {
      try {
        return parseCondition(text);
      } catch (error) {
        if (!(error instanceof ConditionError)) throw error;
        ctx.addIssue({ code: 'custom', message: `expected a condition over result: ${error.message}` });
        return z.NEVER;
      }
    })
    .describe(description);

const common = {
  name: gateName,
  description: z.string().optional().describe('Free text shown in reports'),
};

export const hpaScaleOutGateSchema = z
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

export const pendingPodsGateSchema = z
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

const appMetricFields = {
  namespace: namespace.optional(),
  selector: selector.optional(),
  track: track.optional(),
};

export const latencyGateSchema = z
  .strictObject({
    ...common,
    type: z.literal('latency'),
    ...appMetricFields,
    quantile: quantile.default(0.95),
    max: duration('Highest allowed request duration at that quantile'),
  })
  .describe('Request duration quantile over the window');

export const errorRateGateSchema = z
  .strictObject({
    ...common,
    type: z.literal('errorRate'),
    ...appMetricFields,
    max: ratio('Highest allowed share of failed requests, e.g. 1% or 0.01'),
    errorCodes: regexText
      .default('5..')
      .describe('Regular expression on the code label counting as failed (default 5..)'),
  })
  .describe('Share of failed requests over the window');

export const loadAppliedGateSchema = z
  .strictObject({
    ...common,
    type: z.literal('loadApplied'),
    ...appMetricFields,
    minRate: z.number().gt(0).optional().describe('Lowest achieved request rate, requests per second'),
    minFraction: ratio("Lowest achieved rate as a share of the load's target rate").optional(),
  })
  .describe('The load actually reached the service');

export const canaryVsStableGateSchema = z
  .strictObject({
    ...common,
    type: z.literal('canaryVsStable'),
    namespace: namespace.optional(),
    selector: selector.optional(),
    metric: z
      .enum(['latency', 'errorRate'])
      .default('latency')
      .describe('What is compared (default latency)'),
    quantile: quantile.default(0.95),
    errorCodes: regexText.default('5..').describe('For metric errorRate: the failed codes (default 5..)'),
    maxRatio: z.number().gt(0).describe('Highest allowed canary / stable ratio, e.g. 1.1'),
    minSamples: z
      .int()
      .min(1)
      .default(50)
      .describe('Requests each track needs in the window; fewer gives inconclusive'),
  })
  .describe('The canary compared with the stable track in the same window');

export const promqlGateSchema = z
  .strictObject({
    ...common,
    type: z.literal('promql'),
    query: promqlQuery(
      'PromQL instant query at the window end; $window is replaced by the window length (e.g. 90s)',
    ),
    successCondition: condition('Condition over result that means pass, e.g. result < 5').optional(),
    failureCondition: condition('Condition over result that means fail, e.g. result > 20').optional(),
    noData: z
      .enum(['inconclusive', 'pass', 'fail'])
      .default('inconclusive')
      .describe('Outcome when the query returns nothing (default inconclusive)'),
  })
  .describe('Any PromQL with Argo-style success and failure conditions');

export const gateSchema = z.discriminatedUnion('type', [
  hpaScaleOutGateSchema,
  pendingPodsGateSchema,
  latencyGateSchema,
  errorRateGateSchema,
  loadAppliedGateSchema,
  canaryVsStableGateSchema,
  promqlGateSchema,
]);

export const gateMetricsSchema = z
  .strictObject({
    requestDuration: metricName
      .default('http_request_duration_seconds')
      .describe('Histogram of request durations in seconds (without _bucket)'),
    requestsTotal: metricName
      .default('http_requests_total')
      .describe('Counter of requests with a code label'),
  })
  .describe('Names of the application metrics');

export const gateFileSchema = z
  .strictObject({
    gates: z.array(gateSchema).min(1).describe('The gates, each with a unique name'),
    metrics: gateMetricsSchema.default({
      requestDuration: 'http_request_duration_seconds',
      requestsTotal: 'http_requests_total',
    }),
  })
  .describe('scalegate gate file');

export type Gate = z.output<typeof gateSchema>;
export type GateType = Gate['type'];
export type GateOf<T extends GateType> = Extract<Gate, { type: T }>;
export type GateMetrics = z.output<typeof gateMetricsSchema>;
export type GateFile = z.output<typeof gateFileSchema>;

export const defaultGateMetrics: GateMetrics = {
  requestDuration: 'http_request_duration_seconds',
  requestsTotal: 'http_requests_total',
};

interface GateProblem {
  path: (string | number)[];
  detail: string;
}

/** Problems zod cannot see: fields that exclude or require each other. Paths are relative to the gate. */
export function semanticProblems(gate: Gate): GateProblem[] {
  const problems: GateProblem[] = [];
  switch (gate.type) {
    case 'hpaScaleOut':
      if (gate.hpa && gate.track)
        problems.push({ path: ['track'], detail: 'expected either hpa or track, not both' });
      if (!gate.hpa && !gate.track)
        problems.push({
          path: ['hpa'],
          detail: 'missing required field (expected hpa, or track inside an environment)',
        });
      if (gate.minReplicas === undefined && gate.factor === undefined)
        problems.push({
          path: ['minReplicas'],
          detail: 'missing required field (expected minReplicas or factor)',
        });
      break;
    case 'pendingPods':
      if (gate.maxPending === undefined && gate.maxPendingDuration === undefined)
        problems.push({
          path: ['maxPending'],
          detail: 'missing required field (expected maxPending or maxPendingDuration)',
        });
      break;
    case 'loadApplied':
      if (gate.minRate === undefined && gate.minFraction === undefined)
        problems.push({
          path: ['minRate'],
          detail: 'missing required field (expected minRate or minFraction)',
        });
      break;
    case 'canaryVsStable':
      if (gate.selector && 'track' in gate.selector)
        problems.push({
          path: ['selector', 'track'],
          detail: 'must not set track: the gate compares both tracks',
        });
      break;
    case 'promql':
      if (!gate.successCondition && !gate.failureCondition)
        problems.push({
          path: ['successCondition'],
          detail: 'missing required field (expected successCondition or failureCondition)',
        });
      break;
    default:
      break;
  }
  return problems;
}
