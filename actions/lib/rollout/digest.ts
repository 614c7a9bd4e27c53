import type { V1Deployment } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/client.js';
import { deploymentPods } from '../kube/rollout-status.js';
import { imageDigest } from './trace.js';

const sha256 = /sha256:[0-9a-f]{64}/;

/**
 * The digest of the image the Deployment runs: the one its reference names, else the one the kubelet resolved
 * (`imageID` of the first container in the live pods of its current template). Undefined when the pods disagree or
 * none reports it: the caller then has no digest to tie progress to.
 */
export async function runningDigest(
  client: KubeClient,
  deployment: V1Deployment,
): Promise<string | undefined> {
  const container = deployment.spec?.template.spec?.containers[0];
  if (!container?.image) return undefined;
  const named = imageDigest(container.image);
  if (named) return named;
  const ids = new Set<string>();
  for (const pod of await deploymentPods(client, deployment)) {
    // Only live pods of the current template (a pod's spec is its template's copy; statuses may normalize names).
    const own = pod.spec?.containers.find((c) => c.name === container.name);
    if (pod.metadata?.deletionTimestamp || own?.image !== container.image) continue;
    const status = pod.status?.containerStatuses?.find((c) => c.name === container.name);
    const id = status?.imageID?.match(sha256)?.[0];
    if (id) ids.add(id);
  }
  return ids.size === 1 ? [...ids][0] : undefined;
}
