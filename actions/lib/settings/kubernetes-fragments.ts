/**
 * The Kubernetes fragments settings copy into rendered objects (probes, topology spread constraints, LimitRange
 * items), typed strictly: the API server rejects an unknown field or a negative count, and `validate` must not
 * accept what it rejects. Field lists follow the core/v1 API reference.
 */
import { z } from 'zod';

const count = (min = 0) => z.int().min(min).max(2_147_483_647);
const port = z.union([
  count(1).max(65_535),
  z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    .max(15),
]);

export const probeSchema = z
  .strictObject({
    httpGet: z
      .strictObject({
        path: z.string().optional(),
        port,
        host: z.string().optional(),
        scheme: z.enum(['HTTP', 'HTTPS']).optional(),
        httpHeaders: z.array(z.strictObject({ name: z.string().min(1), value: z.string() })).optional(),
      })
      .optional(),
    tcpSocket: z.strictObject({ port, host: z.string().optional() }).optional(),
    exec: z.strictObject({ command: z.array(z.string()).min(1) }).optional(),
    grpc: z.strictObject({ port: count(1).max(65_535), service: z.string().optional() }).optional(),
    initialDelaySeconds: count().optional(),
    periodSeconds: count(1).optional(),
    timeoutSeconds: count(1).optional(),
    successThreshold: count(1).optional(),
    failureThreshold: count(1).optional(),
    terminationGracePeriodSeconds: count(1).optional(),
  })
  .refine(
    (probe) => [probe.httpGet, probe.tcpSocket, probe.exec, probe.grpc].filter(Boolean).length === 1,
    'exactly one of httpGet, tcpSocket, exec or grpc',
  )
  .describe('Kubernetes Probe');

const labelSelector = z
  .strictObject({
    matchLabels: z.record(z.string(), z.string()).optional(),
    matchExpressions: z
      .array(
        z.strictObject({
          key: z.string().min(1),
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.array(z.string()).optional(),
        }),
      )
      .optional(),
  })
  .describe('Kubernetes LabelSelector (matchLabels, matchExpressions)');

export const topologySpreadConstraintSchema = z
  .strictObject({
    maxSkew: count(1),
    topologyKey: z.string().min(1),
    whenUnsatisfiable: z.enum(['DoNotSchedule', 'ScheduleAnyway']),
    labelSelector: labelSelector.optional(),
    minDomains: count(1).optional(),
    nodeAffinityPolicy: z.enum(['Honor', 'Ignore']).optional(),
    nodeTaintsPolicy: z.enum(['Honor', 'Ignore']).optional(),
    matchLabelKeys: z.array(z.string()).optional(),
  })
  .describe('Kubernetes TopologySpreadConstraint');

/** Standard resource names, or a domain-qualified extended resource (`example.com/gpu`). */
const resourceName = z
  .string()
  .regex(
    /^(cpu|memory|storage|ephemeral-storage|hugepages-\d+(Ki|Mi|Gi)?|[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/,
    'a resource name such as cpu, memory or example.com/gpu',
  );

export const limitRangeItemSchema = (quantity: z.ZodType) => {
  const list = z.record(resourceName, quantity).optional();
  return z
    .strictObject({
      type: z.enum(['Container', 'Pod', 'PersistentVolumeClaim']),
      max: list,
      min: list,
      default: list,
      defaultRequest: list,
      maxLimitRequestRatio: list,
    })
    .describe('Kubernetes LimitRangeItem');
};
