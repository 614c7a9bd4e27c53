import { selectorRequirements } from '../store/selectors.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import {
  controllerRef,
  findCondition,
  isPodActive,
  isPodAvailable,
  isPodReady,
  isType,
  objectKey,
  randomSuffix,
  splitKey,
} from './objects.js';
import { createPodFromTemplate } from './pod-template.js';
import { QueueController } from './queue-controller.js';

const source = 'replicaset-controller';

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: KubeObject): number {
  return Math.max(
    0,
    ...(pod.status?.containerStatuses ?? []).map((c: { restartCount?: number }) => c.restartCount ?? 0),
  );
}

function readySince(pod: KubeObject): number {
  return Date.parse(findCondition(pod.status?.conditions, 'Ready')?.lastTransitionTime ?? '') || 0;
}

/**
 * The pods a ReplicaSet deletes first when scaling down (controller_utils `ActivePodsWithRanks`): unscheduled before
 * scheduled, Pending before Unknown before Running, not ready before ready, pods doubled up on a node before lone
 * ones, ready for a shorter time first, more restarts first, newer first.
 */
export function podsToDelete(pods: KubeObject[], count: number): KubeObject[] {
  const perNode = new Map<string, number>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const rank = (pod: KubeObject) => (pod.spec?.nodeName ? (perNode.get(pod.spec.nodeName) ?? 0) : 0);
  const sorted = [...pods].sort((a, b) => {
    const assignedA = a.spec?.nodeName ? 1 : 0;
    const assignedB = b.spec?.nodeName ? 1 : 0;
    if (assignedA !== assignedB) return assignedA - assignedB;
    const phaseA = phaseRank[a.status?.phase ?? 'Pending'] ?? 0;
    const phaseB = phaseRank[b.status?.phase ?? 'Pending'] ?? 0;
    if (phaseA !== phaseB) return phaseA - phaseB;
    const readyA = isPodReady(a) ? 1 : 0;
    const readyB = isPodReady(b) ? 1 : 0;
    if (readyA !== readyB) return readyA - readyB;
    if (rank(a) !== rank(b)) return rank(b) - rank(a);
    if (readyA && readyB && readySince(a) !== readySince(b)) return readySince(b) - readySince(a);
    if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
    return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');
  });
  return sorted.slice(0, Math.max(0, count));
}

/**
 * ReplicaSet status from its active pods (`calculateStatus`). The counts other than `replicas` are `omitempty` in
 * the API's Go types, so a zero is absent from the stored object, as on a real server.
 */
export function replicaSetStatus(rs: KubeObject, pods: KubeObject[], nowMs: number): Record<string, unknown> {
  const templateLabels: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {};
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  const counts = {
    fullyLabeledReplicas: pods.filter((p) =>
      Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v),
    ).length,
    readyReplicas: pods.filter(isPodReady).length,
    availableReplicas: pods.filter((p) => isPodAvailable(p, minReadySeconds, nowMs)).length,
  };
  const status: Record<string, unknown> = {
    replicas: pods.length,
    ...Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0)),
    observedGeneration: rs.metadata.generation,
  };
  if (rs.status?.conditions?.length) status.conditions = rs.status.conditions;
  return status;
}

/**
 * ReplicaSets → Pods: creates pods named `<rs>-<5 random>` with a controller ownerReference, deletes the
 * lowest-ranked extra pods, and keeps status.replicas/readyReplicas/availableReplicas/fullyLabeledReplicas.
 */
export class ReplicaSetController extends QueueController {
  readonly name = 'replicaset-controller';

  protected override begin(): void {
    for (const rs of this.context.store.list(this.types.replicaSets).items) this.queue.add(objectKey(rs));
  }

  protected override onEvent(event: StoreEvent): void {
    if (isType(event.resource, this.types.replicaSets)) {
      if (event.type !== 'DELETED') this.queue.add(objectKey(event.object));
    } else if (isType(event.resource, this.types.pods)) {
      const owner = controllerRef(event.object);
      if (owner?.kind === 'ReplicaSet') this.queue.add(`${event.object.metadata.namespace}/${owner.name}`);
    }
  }

  protected sync(key: string): void {
    const { store } = this.context;
    const { namespace, name } = splitKey(key);
    const rs = store.tryGet(this.types.replicaSets, namespace, name);
    if (!rs) return;
    const labelSelector = selectorRequirements(rs.spec?.selector ?? {});
    const owned = () =>
      store
        .list(this.types.pods, { namespace, labelSelector })
        .items.filter((p) => controllerRef(p)?.uid === rs.metadata.uid && isPodActive(p));
    if (!rs.metadata.deletionTimestamp) {
      const active = owned();
      const diff = active.length - (rs.spec?.replicas ?? 1);
      if (diff < 0) for (let i = 0; i < -diff; i++) this.createPod(rs);
      else if (diff > 0) {
        for (const pod of podsToDelete(active, diff)) {
          store.delete(this.types.pods, namespace, pod.metadata.name as string);
          this.context.recordEvent(
            rs,
            'Normal',
            'SuccessfulDelete',
            `Deleted pod: ${pod.metadata.name}`,
            source,
          );
        }
      }
    }
    const pods = owned();
    const status = replicaSetStatus(rs, pods, store.clock.now());
    if (JSON.stringify(status) !== JSON.stringify(rs.status ?? {})) {
      store.update(this.types.replicaSets, { ...rs, status }, { subresource: 'status' });
    }
    // Ready pods become available after minReadySeconds without any event: look again then.
    const minReady = rs.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && Number(status.readyReplicas ?? 0) > Number(status.availableReplicas ?? 0)) {
      this.queue.addAfter(key, minReady);
    }
  }

  private createPod(rs: KubeObject): void {
    createPodFromTemplate(
      this.context,
      rs,
      rs.spec?.template,
      `${rs.metadata.name}-${randomSuffix()}`,
      source,
    );
  }
}
