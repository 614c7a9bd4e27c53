import { type ExternalMetricsSource, kedaQuantity } from '../autoscaling/external-metrics.js';
import { ApiError } from '../store/errors.js';
import { parseLabelSelector } from '../store/selectors.js';
import type { ResourcePath } from './paths.js';

/**
 * `external.metrics.k8s.io/v1beta1` over REST, as KEDA's metrics API server answers it:
 * `/apis/external.metrics.k8s.io/v1beta1/namespaces/<ns>/<metric>?labelSelector=scaledobject.keda.sh/name=<so>`
 * gives an ExternalMetricValueList with the last value of that ScaledObject's trigger (`s<i>-<scaler>`).
 */

export function externalMetricsResponse(
  source: ExternalMetricsSource | undefined,
  path: ResourcePath,
  query: URLSearchParams,
  nowIso: string,
): unknown {
  if (!source)
    throw new ApiError(
      503,
      'ServiceUnavailable',
      'the server is currently unable to handle the request (external.metrics.k8s.io/v1beta1 has no provider running)',
    );
  if (!path.namespace || path.name)
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  const metric = path.plural;
  const matchLabels: Record<string, string> = {};
  for (const r of parseLabelSelector(query.get('labelSelector') ?? ''))
    if (r.operator === 'In' && r.values?.length === 1) matchLabels[r.key] = r.values[0] as string;
  let values: number[] | undefined;
  try {
    values = source.values(path.namespace, metric, { matchLabels });
  } catch (error) {
    throw new ApiError(500, 'InternalError', `Internal error occurred: ${(error as Error).message}`);
  }
  if (!values) throw new ApiError(404, 'NotFound', `no matching metrics found for ${metric}`);
  return {
    kind: 'ExternalMetricValueList',
    apiVersion: 'external.metrics.k8s.io/v1beta1',
    metadata: {},
    items: values.map((value) => ({
      metricName: metric,
      metricLabels: null,
      timestamp: nowIso,
      value: kedaQuantity(value),
    })),
  };
}
