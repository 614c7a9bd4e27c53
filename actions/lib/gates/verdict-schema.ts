/**
 * The verdict document in zod: the one definition of its shape, from which the TypeScript types and the published
 * JSON Schema (`schema/verdict.schema.json`) come, and against which readers (the report) validate a file. Every
 * quantity is a number whose key names its unit (`maxMs: 300`, `withinSeconds: 30`, `maxRatio: 0.01`), never a
 * formatted string a reader would have to parse again.
 */
import { z } from 'zod';
import { gateTypes } from './gate-types.js';

/**
 * v2: thresholds are numbers with the unit in the key (v1 wrote durations and percentages as text, e.g. `"300ms"`,
 * `"1%"`). Fields may be added within a version; removing one or changing its meaning makes a new version.
 */
export const verdictSchemaVersion = 'scalegate.dev/verdict/v2';

export const gateStatusSchema = z.enum(['pass', 'fail', 'inconclusive']);
const gateTypeSchema = z.enum(gateTypes);
const timestamp = z.iso.datetime({ offset: true });

/** JSON has no NaN or infinity: they are written as null and read back as NaN. */
const pointSchema = z
  .tuple([
    z.number(),
    z
      .number()
      .nullable()
      .transform((v) => v ?? Number.NaN),
  ])
  .describe('[unix seconds, value]; NaN and infinities are written as null by JSON.');

export const plotSeriesSchema = z.strictObject({
  name: z.string().describe('What the line shows, e.g. `canary p95` or `current replicas`'),
  labels: z.record(z.string(), z.string()),
  points: z.array(pointSchema),
});

export const gateResultSchema = z.strictObject({
  name: z.string(),
  type: gateTypeSchema,
  status: gateStatusSchema,
  reason: z.string().describe('One sentence saying why.'),
  observed: z
    .record(z.string(), z.union([z.number(), z.string(), z.null()]))
    .describe(
      'Measured values by name, the unit (or what is counted) in the name, each gate type naming its own: e.g. timeToScaleSeconds, maxPending, p95Ms, errorRatio, dataGapSeconds. null when not measured.',
    ),
  threshold: z
    .record(z.string(), z.union([z.number(), z.string()]))
    .describe(
      'The limits the gate held the data to, as numbers with the unit in the key, each gate type naming its own: e.g. withinSeconds, targetReplicas, maxPendingSeconds, maxMs, maxRatio, minRate; text only for what is not a quantity (e.g. errorCodes, conditions).',
    ),
  margin: z
    .number()
    .nullable()
    .describe(
      'Headroom in marginUnit: positive = room left, negative = by how much the threshold was missed; null when not applicable.',
    ),
  marginUnit: z.string().optional(),
  queries: z.array(z.string()).describe('The PromQL actually run, in order.'),
  window: z.strictObject({ start: timestamp, end: timestamp }),
  series: z.array(plotSeriesSchema).describe('Downsampled series for plotting.'),
  settled: z
    .boolean()
    .describe(
      'False while the outcome could still change as the window goes on (a scale-out deadline after the window end).',
    ),
  error: z
    .strictObject({
      kind: z.enum(['unreachable', 'timeout', 'server', 'bad-query', 'auth', 'tls', 'bad-response']),
      message: z.string(),
    })
    .optional()
    .describe(
      'Set when Prometheus could not answer (after retries, or by the deadline): the gate is inconclusive.',
    ),
});

export const verdictSchema = z
  .strictObject({
    schemaVersion: z.literal(verdictSchemaVersion).describe('Format version of this document.'),
    status: gateStatusSchema.describe(
      'fail if any gate failed; otherwise inconclusive if any gate was inconclusive; pass only when every gate passed.',
    ),
    passed: z.boolean().describe('status == pass.'),
    summary: z.string().describe('One line for humans, e.g. `2/3 gates passed; p95 failed: ...`.'),
    mode: z
      .enum(['once', 'continuous'])
      .describe('once: evaluated after the window; continuous: evaluated at an interval during it.'),
    window: z.strictObject({
      start: timestamp,
      end: timestamp,
      stage: z.string().optional().describe('The load stage the window came from, when one was chosen.'),
    }),
    evaluatedAt: timestamp,
    prometheus: z.strictObject({ url: z.string().describe('Base URL queried, without credentials.') }),
    counts: z.strictObject({
      pass: z.int().min(0),
      fail: z.int().min(0),
      inconclusive: z.int().min(0),
    }),
    continuous: z
      .strictObject({
        evaluations: z.int().min(0).describe('Evaluations run, the final whole-window one included.'),
        stoppedEarly: z
          .boolean()
          .describe(
            'True when a gate failed for good, errors piled up, or the run was cancelled before the window end.',
          ),
        stopReason: z.string(),
      })
      .optional()
      .describe('Continuous mode only.'),
    gates: z.array(gateResultSchema),
  })
  .describe(
    'The result of evaluating promotion gates against Prometheus over one window (`scalegate gate --out`, the `verdict` output of the gate action).',
  );

export type GateStatus = z.output<typeof gateStatusSchema>;
export type PlotSeries = z.output<typeof plotSeriesSchema>;
export type GateResult = z.output<typeof gateResultSchema>;
export type Verdict = z.output<typeof verdictSchema>;
