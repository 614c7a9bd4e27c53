import { admitPod } from '../api/admission.js';
import { applyDefaults, initialStatus } from '../api/defaults.js';
import { admitLimitRanges } from '../api/limit-ranger.js';
import { ApiError } from '../store/errors.js';
import type { KubeObject } from '../store/types.js';
import type { ControllerContext } from './controller.js';
import { coreTypes, ownerReferenceTo } from './objects.js';

/**
 * Creates a pod from a workload's template, owned by it, with what kube-apiserver gives a pod created through the
 * API (defaults, admission, the initial status), and records the controller's SuccessfulCreate event.
 */
export function createPodFromTemplate(
  context: ControllerContext,
  owner: KubeObject,
  template: KubeObject['spec'],
  name: string,
  source: string,
  extra: { labels?: Record<string, string>; tolerations?: unknown[] } = {},
): KubeObject {
  const pods = coreTypes(context.registry).pods;
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...(template?.metadata?.labels ?? {}), ...(extra.labels ?? {}) },
      ...(template?.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [ownerReferenceTo(owner)],
    },
    spec: structuredClone(template?.spec ?? {}),
  };
  if (extra.tolerations) pod.spec.tolerations = [...(pod.spec.tolerations ?? []), ...extra.tolerations];
  applyDefaults(pods, pod, () => '');
  admitPod(pod);
  const limitRanges = context.registry.byKind('v1', 'LimitRange');
  try {
    if (limitRanges)
      admitLimitRanges(pod, context.store.list(limitRanges, { namespace: pod.metadata.namespace }).items);
  } catch (error) {
    // Refused by admission: the controller's event says why, and its queue retries later.
    if (error instanceof ApiError)
      context.recordEvent(owner, 'Warning', 'FailedCreate', `Error creating: ${error.message}`, source);
    throw error;
  }
  initialStatus(pods, pod);
  const created = context.store.create(pods, pod);
  context.recordEvent(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, source);
  return created;
}
