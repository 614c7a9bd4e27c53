/**
 * The building blocks of the gate schemas: field types every gate type uses (durations in milliseconds, ratios as
 * fractions, conditions parsed once) and the application metric names.
 */
import { z } from 'zod';
import { isLabelName } from '../prometheus/promql.js';
import { durationPattern, tryParseDuration } from '../util/duration.js';
import { gateName } from '../util/names.js';
import { type Condition, ConditionError, parseCondition } from './condition.js';

export const duration = (description: string) =>
  z
    .string()
    .regex(durationPattern, 'a duration such as 500ms, 30s or 2m')
    .refine((text) => tryParseDuration(text) !== undefined, 'a duration of at most 7d')
    .transform((text) => tryParseDuration(text)!)
    .describe(description);

/** A regular expression Prometheus will accept as a label matcher (RE2; what JavaScript cannot compile, RE2 rejects too). */
export const regexText = z
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
export const ratio = (description: string) =>
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

export const selector = z
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
export const metricName = z
  .string()
  .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'a Prometheus metric name such as http_requests_total');
export const quantile = z.number().gt(0).lt(1).describe('Quantile between 0 and 1, e.g. 0.95 for p95');
export const track = z
  .enum(['stable', 'canary'])
  .describe('Track label value of the pods (stable or canary)');
export const namespace = z
  .string()
  .min(1)
  .describe("Kubernetes namespace (default: the environment's namespace)");
/** A condition parsed once, here: the gate carries the parsed expression (its text is `source`). */
export const condition = (description: string) =>
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

export const common = {
  name: gateName,
  description: z.string().optional().describe('Free text shown in reports'),
};

export const appMetricFields = {
  namespace: namespace.optional(),
  selector: selector.optional(),
  track: track.optional(),
};

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

export type GateMetrics = z.output<typeof gateMetricsSchema>;

export const defaultGateMetrics: GateMetrics = {
  requestDuration: 'http_request_duration_seconds',
  requestsTotal: 'http_requests_total',
};

/** A problem zod cannot see, its path relative to the gate. */
export interface GateProblem {
  path: (string | number)[];
  detail: string;
}

/** The problem of a gate that sets neither of two alternative fields, placed at the first. */
export function eitherRequired<G extends object>(
  gate: G,
  first: keyof G & string,
  second: keyof G & string,
): GateProblem[] {
  return gate[first] === undefined && gate[second] === undefined
    ? [{ path: [first], detail: `missing required field (expected ${first} or ${second})` }]
    : [];
}
