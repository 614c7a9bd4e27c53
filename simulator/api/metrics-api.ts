import { ApiError, notFound } from '../store/errors.js';
import { matchesRequirements, parseLabelSelector } from '../store/selectors.js';
import type { KubeObject } from '../store/types.js';
import type { ResourcePath } from './paths.js';

/** `SimulatorServices.metricsApi`: the metrics.k8s.io/v1beta1 objects, computed on request. */
export interface MetricsApiProvider {
  listPodMetrics(namespace?: string): KubeObject[];
  listNodeMetrics(): KubeObject[];
}

/**
 * Answers `/apis/metrics.k8s.io/v1beta1/{pods,nodes}` (and namespaced pods, and single objects) from the provider,
 * or 503 as an unavailable aggregated API does when no provider runs.
 */
export function metricsResponse(
  provider: MetricsApiProvider | undefined,
  path: ResourcePath,
  query: URLSearchParams,
): unknown {
  if (!provider)
    throw new ApiError(
      503,
      'ServiceUnavailable',
      'the server is currently unable to handle the request (metrics.k8s.io/v1beta1 has no provider running)',
    );
  const pods = path.plural === 'pods';
  if (!pods && path.plural !== 'nodes')
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  let items = pods ? provider.listPodMetrics(path.namespace) : provider.listNodeMetrics();
  if (path.name) {
    const found = items.find((i) => i.metadata.name === path.name);
    if (!found) throw notFound(path.plural, 'metrics.k8s.io', path.name);
    return found;
  }
  const selector = query.get('labelSelector');
  if (selector) {
    const requirements = parseLabelSelector(selector);
    items = items.filter((i) => matchesRequirements(i.metadata.labels, requirements));
  }
  return {
    kind: pods ? 'PodMetricsList' : 'NodeMetricsList',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: {},
    items,
  };
}
