import { randomBytes } from 'node:crypto';
import type { RecordEvent } from '../controllers/controller.js';
import type { ClusterClient } from '../store/client.js';
import type { ResourceRegistry } from '../store/resources.js';
import type { KubeObject } from '../store/types.js';

/**
 * An EventRecorder like client-go's: writes core/v1 Events named `<object>.<hex>` in the object's namespace, and
 * for a repeat of the same (source, object, type, reason, message) bumps `count` and `lastTimestamp` of the existing
 * Event instead of creating another, as the real recorder's correlator does.
 */
export function eventRecorder(store: ClusterClient, registry: ResourceRegistry): RecordEvent {
  const events = registry.byKind('v1', 'Event');
  if (!events) throw new Error('the resource table has no core/v1 Event');
  const seen = new Map<string, string>();
  return (involved, type, reason, message, source) => {
    const namespace = involved.metadata.namespace ?? 'default';
    const involvedObject = {
      kind: involved.kind,
      namespace: involved.metadata.namespace,
      name: involved.metadata.name,
      uid: involved.metadata.uid,
      apiVersion: involved.apiVersion,
      resourceVersion: involved.metadata.resourceVersion,
    };
    const key = JSON.stringify([
      source,
      involved.kind,
      namespace,
      involved.metadata.name,
      involved.metadata.uid,
      type,
      reason,
      message,
    ]);
    const now = store.nowIso();
    const existingName = seen.get(key);
    const existing = existingName ? store.tryGet(events, namespace, existingName) : undefined;
    if (existing) {
      store.update(events, { ...existing, count: ((existing.count as number) ?? 1) + 1, lastTimestamp: now });
      return;
    }
    const name = `${involved.metadata.name}.${randomBytes(8).toString('hex')}`;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject,
      reason,
      message,
      source: { component: source },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source,
      reportingInstance: '',
    };
    store.create(events, event);
    seen.set(key, name);
    // Bounded like the recorder's LRU cache: the oldest correlations are forgotten first.
    if (seen.size > 4096) seen.delete(seen.keys().next().value as string);
  };
}
