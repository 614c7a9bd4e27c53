import type { ResourceType } from '../store/resources.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import {
  canonicalJson,
  controllerRef,
  isPodReady,
  isType,
  objectKey,
  ownerReferenceTo,
  splitKey,
} from './objects.js';
import { createPodFromTemplate } from './pod-template.js';
import { QueueController } from './queue-controller.js';
import { podTemplateHash } from './rollout.js';

const source = 'statefulset-controller';
const revisionLabel = 'controller-revision-hash';

/**
 * The StatefulSet controller: pods `<name>-<ordinal>` created one at a time in order, each once the previous one is
 * Ready (OrderedReady; Parallel creates them together), removed from the highest ordinal when scaling down, and
 * replaced from the highest ordinal down when the template changes (RollingUpdate above the partition). Each
 * template is a ControllerRevision; the status carries the current and update revisions kubectl waits on.
 */
export class StatefulSetController extends QueueController {
  readonly name = source;

  private type(kind: string): ResourceType | undefined {
    return this.context.registry.byKind('apps/v1', kind);
  }

  protected override begin(): void {
    const sets = this.type('StatefulSet');
    if (sets) for (const s of this.context.store.list(sets).items) this.queue.add(objectKey(s));
  }

  protected override onEvent(event: StoreEvent): void {
    const sets = this.type('StatefulSet');
    if (!sets) return;
    if (isType(event.resource, sets) && event.type !== 'DELETED') this.queue.add(objectKey(event.object));
    if (isType(event.resource, this.types.pods)) {
      const owner = controllerRef(event.object);
      if (owner?.kind === 'StatefulSet') this.queue.add(`${event.object.metadata.namespace}/${owner.name}`);
    }
  }

  /** The ControllerRevision of the current template, created when new; returns its name. */
  private revision(sts: KubeObject): string {
    const revisions = this.type('ControllerRevision') as ResourceType;
    const { store } = this.context;
    const name = `${sts.metadata.name}-${podTemplateHash(canonicalJson(sts.spec?.template ?? {}), 0)}`;
    if (!store.tryGet(revisions, sts.metadata.namespace, name)) {
      const owned = store
        .list(revisions, { namespace: sts.metadata.namespace })
        .items.filter((r) => controllerRef(r)?.uid === sts.metadata.uid);
      store.create(revisions, {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name,
          namespace: sts.metadata.namespace,
          labels: {
            ...(sts.spec?.selector?.matchLabels ?? {}),
            [revisionLabel]: name.slice(sts.metadata.name!.length + 1),
          },
          ownerReferences: [ownerReferenceTo(sts)],
        },
        data: { spec: { template: { ...sts.spec?.template, $patch: 'replace' } } },
        revision: Math.max(0, ...owned.map((r) => Number(r.revision ?? 0))) + 1,
      });
    }
    return name;
  }

  protected sync(key: string): void {
    const sets = this.type('StatefulSet');
    const { namespace, name } = splitKey(key);
    const { store } = this.context;
    const sts = sets ? store.tryGet(sets, namespace, name) : undefined;
    if (!sets || !sts || sts.metadata.deletionTimestamp) return;
    const updateRevision = this.revision(sts);
    const replicas: number = sts.spec?.replicas ?? 1;
    const ordinalOf = (p: KubeObject) => Number(/-(\d+)$/.exec(p.metadata.name ?? '')?.[1] ?? -1);
    const pods = store
      .list(this.types.pods, { namespace })
      .items.filter((p) => controllerRef(p)?.uid === sts.metadata.uid)
      .sort((a, b) => ordinalOf(a) - ordinalOf(b));
    const alive = pods.filter((p) => !p.metadata.deletionTimestamp);
    const byOrdinal = new Map(alive.map((p) => [ordinalOf(p), p]));
    const ordered = (sts.spec?.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
    const settled = pods.length === alive.length && alive.every(isPodReady);
    for (let i = 0; i < replicas; i++) {
      if (byOrdinal.has(i)) {
        if (ordered && !isPodReady(byOrdinal.get(i) as KubeObject)) break;
        continue;
      }
      if (pods.some((p) => ordinalOf(p) === i)) break; // still terminating
      const podName = `${name}-${i}`;
      createPodFromTemplate(
        this.context,
        sts,
        withIdentity(sts.spec?.template, podName, sts.spec?.serviceName),
        podName,
        source,
        {
          labels: {
            [revisionLabel]: updateRevision,
            'statefulset.kubernetes.io/pod-name': podName,
            'apps.kubernetes.io/pod-index': String(i),
          },
        },
      );
      if (ordered) break;
    }
    const deleteOne = (pod: KubeObject, message: string) => {
      store.delete(this.types.pods, namespace, pod.metadata.name as string);
      this.context.recordEvent(sts, 'Normal', 'SuccessfulDelete', message, source);
    };
    const extra = alive.filter((p) => ordinalOf(p) >= replicas);
    const partition: number = sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    const stale = alive.filter(
      (p) =>
        p.metadata.labels?.[revisionLabel] !== updateRevision &&
        ordinalOf(p) >= partition &&
        ordinalOf(p) < replicas,
    );
    if (extra.length > 0 && settled) {
      const last = extra[extra.length - 1] as KubeObject;
      deleteOne(last, `delete Pod ${last.metadata.name} in StatefulSet ${name} successful`);
    } else if (stale.length > 0 && settled && sts.spec?.updateStrategy?.type !== 'OnDelete') {
      const last = stale[stale.length - 1] as KubeObject;
      deleteOne(last, `delete Pod ${last.metadata.name} in StatefulSet ${name} successful`);
    }
    const updated = alive.filter((p) => p.metadata.labels?.[revisionLabel] === updateRevision);
    const ready = alive.filter(isPodReady).length;
    const allUpdated = updated.length === replicas && alive.length === replicas;
    const currentRevision = allUpdated ? updateRevision : (sts.status?.currentRevision ?? updateRevision);
    const status = {
      observedGeneration: sts.metadata.generation,
      replicas: alive.length,
      readyReplicas: ready,
      currentReplicas: alive.filter((p) => p.metadata.labels?.[revisionLabel] === currentRevision).length,
      updatedReplicas: updated.length,
      availableReplicas: ready,
      currentRevision,
      updateRevision,
      collisionCount: 0,
    };
    if (JSON.stringify(status) === JSON.stringify(sts.status)) return;
    store.update(sets, { ...sts, status }, { subresource: 'status' });
  }
}

/** A StatefulSet pod's stable network identity: hostname = pod name, subdomain = the governing Service. */
function withIdentity(
  template: KubeObject['spec'],
  podName: string,
  serviceName?: string,
): KubeObject['spec'] {
  const copy = structuredClone(template ?? {});
  copy.spec = { ...(copy.spec ?? {}), hostname: podName, ...(serviceName ? { subdomain: serviceName } : {}) };
  return copy;
}
