import { budgetStatus } from '../controllers/disruption.js';
import { ApiError } from '../store/errors.js';
import type { ResourceRegistry, ResourceType } from '../store/resources.js';
import type { ObjectStore } from '../store/store.js';
import type { ObjectDeleter } from './deletes.js';

/**
 * `pods/eviction` (what `kubectl drain` posts): the pod is deleted unless that would take a PodDisruptionBudget
 * selecting it below its desired healthy pods, which answers 429 with the eviction API's own message.
 */

// biome-ignore lint/suspicious/noExplicitAny: the Eviction body is untyped JSON.
type Json = any;

export function evict(
  store: ObjectStore,
  registry: ResourceRegistry,
  deleter: ObjectDeleter,
  pods: ResourceType,
  namespace: string,
  name: string,
  body: Json,
  dryRun: boolean,
): Record<string, unknown> {
  const pod = store.get(pods, namespace, name);
  const budgets = registry.byKind('policy/v1', 'PodDisruptionBudget');
  const terminal = ['Succeeded', 'Failed'].includes(pod.status?.phase);
  if (budgets && !terminal && !pod.metadata.deletionTimestamp) {
    const siblings = store.list(pods, { namespace }).items;
    for (const pdb of store.list(budgets, { namespace }).items) {
      const status = budgetStatus(pdb, siblings);
      const selects = status.expectedPods > 0 && budgetStatus(pdb, [pod]).expectedPods === 1;
      if (selects && status.disruptionsAllowed < 1) {
        throw new ApiError(
          429,
          'TooManyRequests',
          "Cannot evict pod as it would violate the pod's disruption budget.",
          {
            causes: [
              {
                reason: 'DisruptionBudget',
                message: `The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
              },
            ],
          },
        );
      }
    }
  }
  const options = body?.deleteOptions ?? {};
  deleter.delete(pods, namespace, name, {
    dryRun: dryRun || (options.dryRun ?? []).includes('All'),
    ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
    ...(options.preconditions ? { preconditions: options.preconditions } : {}),
  });
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}
