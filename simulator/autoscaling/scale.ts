import type { ClusterClient } from '../store/client.js';
import { ApiError } from '../store/errors.js';
import type { ResourceType } from '../store/resources.js';

const conflictRetries = 5;

/**
 * PUT /scale: sets spec.replicas of a scalable object, re-reading and retrying on 409 Conflict as client-go's
 * retry.RetryOnConflict(retry.DefaultRetry) does (5 attempts). Other errors, and the last conflict, are thrown.
 */
export function writeReplicas(
  store: ClusterClient,
  type: ResourceType,
  namespace: string,
  name: string,
  replicas: number,
): void {
  for (let attempt = 1; ; attempt++) {
    const target = store.get(type, namespace, name);
    target.spec = { ...target.spec, replicas };
    try {
      store.update(type, target);
      return;
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 409) || attempt >= conflictRetries) throw error;
    }
  }
}
