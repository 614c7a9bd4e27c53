import { z } from 'zod';
import { isQuantity } from '../../../actions/lib/util/quantity.js';
import type { ReconcileInput } from './types.js';

/**
 * Validation of one `scalegate hpa reconcile` input line. Only what the decision reads is checked; unknown fields
 * (the rest of a real HPA or Pod object) pass through untouched.
 */

const time = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an RFC 3339 time');
const quantity = z
  .union([z.string(), z.number()])
  .refine((q) => isQuantity(String(q)), 'expected a Kubernetes quantity');
const count = z.number().int().min(0);

const selector = z.looseObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(z.looseObject({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() }))
    .optional(),
});
const identifier = z.looseObject({ name: z.string(), selector: selector.optional() });
const target = z.looseObject({
  type: z.string().optional(),
  value: quantity.optional(),
  averageValue: quantity.optional(),
  averageUtilization: z.number().int().min(1).optional(),
});
const metricSpec = z.looseObject({
  type: z.string(),
  resource: z.looseObject({ name: z.string(), target }).optional(),
  containerResource: z.looseObject({ name: z.string(), container: z.string(), target }).optional(),
  pods: z.looseObject({ metric: identifier, target }).optional(),
  object: z
    .looseObject({
      describedObject: z.looseObject({
        apiVersion: z.string().optional(),
        kind: z.string(),
        name: z.string(),
      }),
      metric: identifier,
      target,
    })
    .optional(),
  external: z.looseObject({ metric: identifier, target }).optional(),
});
const rules = z.looseObject({
  stabilizationWindowSeconds: z.number().int().min(0).max(3600).optional(),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional(),
  policies: z
    .array(
      z.looseObject({
        type: z.enum(['Pods', 'Percent']),
        value: z.number().int().min(1),
        periodSeconds: z.number().int().min(1).max(1800),
      }),
    )
    .optional(),
  tolerance: quantity.optional(),
});
const condition = z.looseObject({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional().default(''),
  message: z.string().optional(),
  lastTransitionTime: time.optional(),
});
const hpa = z.looseObject({
  metadata: z.looseObject({ name: z.string().optional(), namespace: z.string().optional() }).optional(),
  spec: z.looseObject({
    scaleTargetRef: z
      .looseObject({ apiVersion: z.string().optional(), kind: z.string(), name: z.string() })
      .optional(),
    minReplicas: count.optional(),
    maxReplicas: z.number().int().min(1),
    metrics: z.array(metricSpec).optional(),
    behavior: z.looseObject({ scaleUp: rules.optional(), scaleDown: rules.optional() }).optional(),
  }),
  status: z
    .looseObject({
      currentReplicas: count.optional(),
      desiredReplicas: count.optional(),
      lastScaleTime: time.optional(),
      conditions: z.array(condition).optional(),
    })
    .optional(),
});
const requests = z.looseObject({ requests: z.record(z.string(), quantity).optional() });
const container = z.looseObject({
  name: z.string(),
  restartPolicy: z.string().optional(),
  resources: requests.optional(),
});
const pod = z.looseObject({
  metadata: z.looseObject({ name: z.string(), deletionTimestamp: time.optional() }),
  spec: z
    .looseObject({
      containers: z.array(container).optional(),
      initContainers: z.array(container).optional(),
      resources: requests.optional(),
    })
    .optional(),
  status: z
    .looseObject({
      phase: z.string().optional(),
      startTime: time.optional(),
      conditions: z
        .array(z.looseObject({ type: z.string(), status: z.string(), lastTransitionTime: time.optional() }))
        .optional(),
    })
    .optional(),
});
const scaleEvent = z.looseObject({ replicaChange: count, timestamp: time, outdated: z.boolean().optional() });

export const reconcileInputSchema = z.object({
  hpa,
  scale: z.object({
    specReplicas: count,
    statusReplicas: count,
    selector: z.string().optional(),
    selectingHpas: z.array(z.string()).optional(),
  }),
  pods: z.array(pod),
  metrics: z
    .object({
      timestamp: time,
      windowSeconds: z.number().positive(),
      resource: z.record(z.string(), z.record(z.string(), z.record(z.string(), quantity))).optional(),
      pods: z.record(z.string(), z.record(z.string(), quantity)).optional(),
      object: z.record(z.string(), quantity).optional(),
      external: z.record(z.string(), z.array(quantity)).optional(),
      failing: z.array(z.string()).optional(),
    })
    .optional(),
  history: z
    .object({
      recommendations: z.array(z.looseObject({ replicas: count, timestamp: time })),
      scaleUpEvents: z.array(scaleEvent),
      scaleDownEvents: z.array(scaleEvent),
    })
    .nullable()
    .default(null),
  now: time,
  config: z
    .object({
      tolerance: z.number().min(0).optional(),
      cpuInitializationPeriodSeconds: z.number().min(0).optional(),
      delayOfInitialReadinessStatusSeconds: z.number().min(0).optional(),
      downscaleStabilizationWindowSeconds: z.number().min(0).optional(),
      scaleUpLimitFactor: z.number().positive().optional(),
    })
    .optional(),
});

/** Parses and validates one input object; throws an Error naming the first bad field. */
export function parseReconcileInput(value: unknown): ReconcileInput {
  const result = reconcileInputSchema.safeParse(value);
  if (result.success) {
    const { metrics, ...rest } = result.data;
    // Without samples (e.g. a replica count outside min/max needs none) the controller sees empty metric APIs.
    return { ...rest, metrics: metrics ?? { timestamp: rest.now, windowSeconds: 60 } } as ReconcileInput;
  }
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.') || '(root)';
  throw new Error(`${path}: ${issue.message}`);
}
