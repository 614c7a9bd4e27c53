import type { ResourceType } from '../store/resources.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import {
  canonicalJson,
  controllerRef,
  isPodReady,
  isType,
  objectKey,
  randomSuffix,
  splitKey,
} from './objects.js';
import { createPodFromTemplate } from './pod-template.js';
import { QueueController } from './queue-controller.js';
import { podTemplateHash } from './rollout.js';
import { matchesNodeSelectorAndAffinity, tolerates } from './scheduling.js';

const source = 'daemonset-controller';
const hashLabel = 'controller-revision-hash';

/** The tolerations the DaemonSet controller adds to its pods (`util.AddOrUpdateDaemonPodTolerations`). */
const daemonTolerations = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/**
 * The DaemonSet controller: one pod per node that the template's node selector, affinity and tolerations admit,
 * bound to its node; pods of an older template replaced one node at a time (RollingUpdate, maxUnavailable 1);
 * the scheduled / ready / up-to-date / available counts kubectl shows and `rollout status` waits on.
 */
export class DaemonSetController extends QueueController {
  readonly name = source;

  private sets(): ResourceType | undefined {
    return this.context.registry.byKind('apps/v1', 'DaemonSet');
  }

  private enqueueAll(): void {
    const sets = this.sets();
    if (sets) for (const d of this.context.store.list(sets).items) this.queue.add(objectKey(d));
  }

  protected override begin(): void {
    this.enqueueAll();
  }

  protected override onEvent(event: StoreEvent): void {
    const sets = this.sets();
    if (!sets) return;
    if (isType(event.resource, sets) && event.type !== 'DELETED') this.queue.add(objectKey(event.object));
    if (isType(event.resource, this.types.nodes)) this.enqueueAll();
    if (isType(event.resource, this.types.pods)) {
      const owner = controllerRef(event.object);
      if (owner?.kind === 'DaemonSet') this.queue.add(`${event.object.metadata.namespace}/${owner.name}`);
    }
  }

  protected sync(key: string): void {
    const sets = this.sets();
    const { namespace, name } = splitKey(key);
    const { store } = this.context;
    const ds = sets ? store.tryGet(sets, namespace, name) : undefined;
    if (!sets || !ds || ds.metadata.deletionTimestamp) return;
    const hash = podTemplateHash(canonicalJson(ds.spec?.template ?? {}), 0);
    const probe: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {},
      spec: {
        ...(ds.spec?.template?.spec ?? {}),
        tolerations: [...(ds.spec?.template?.spec?.tolerations ?? []), ...daemonTolerations],
      },
    };
    const eligible = store
      .list(this.types.nodes)
      .items.filter(
        (node) =>
          matchesNodeSelectorAndAffinity(probe, node) &&
          (node.spec?.taints ?? []).every(
            (t: { effect: string }) =>
              t.effect === 'PreferNoSchedule' || tolerates(probe.spec.tolerations, t as never),
          ),
      );
    const pods = store
      .list(this.types.pods, { namespace })
      .items.filter((p) => controllerRef(p)?.uid === ds.metadata.uid);
    const alive = pods.filter((p) => !p.metadata.deletionTimestamp);
    const onNode = new Map(alive.map((p) => [targetNode(p), p]));
    const names = new Set(eligible.map((n) => n.metadata.name as string));
    for (const node of eligible) {
      const nodeName = node.metadata.name as string;
      if (onNode.has(nodeName) || pods.some((p) => targetNode(p) === nodeName)) continue;
      createPodFromTemplate(
        this.context,
        ds,
        pinnedTo(ds.spec?.template, nodeName),
        `${name}-${randomSuffix()}`,
        source,
        {
          labels: { [hashLabel]: hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) },
          tolerations: daemonTolerations,
        },
      );
    }
    const deleteOne = (pod: KubeObject) => {
      store.delete(this.types.pods, namespace, pod.metadata.name as string);
      this.context.recordEvent(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, source);
    };
    for (const pod of alive) if (!names.has(targetNode(pod) ?? '')) deleteOne(pod);
    const stale = alive.filter(
      (p) => names.has(targetNode(p) ?? '') && p.metadata.labels?.[hashLabel] !== hash,
    );
    const unavailable = alive.filter((p) => !isPodReady(p)).length + (pods.length - alive.length);
    if (stale.length > 0 && unavailable === 0 && ds.spec?.updateStrategy?.type !== 'OnDelete')
      deleteOne(stale[0] as KubeObject);
    const scheduled = alive.filter((p) => p.spec?.nodeName && names.has(p.spec.nodeName));
    const ready = scheduled.filter(isPodReady).length;
    const status = {
      currentNumberScheduled: scheduled.length,
      desiredNumberScheduled: eligible.length,
      numberMisscheduled: alive.length - scheduled.length,
      numberReady: ready,
      numberAvailable: ready,
      ...(eligible.length - ready > 0 ? { numberUnavailable: eligible.length - ready } : {}),
      observedGeneration: ds.metadata.generation,
      updatedNumberScheduled: scheduled.filter((p) => p.metadata.labels?.[hashLabel] === hash).length,
    };
    if (JSON.stringify(status) === JSON.stringify(ds.status)) return;
    store.update(sets, { ...ds, status }, { subresource: 'status' });
  }
}

/** The node a daemon pod is for: where it runs, or where its node affinity pins it before the scheduler binds it. */
function targetNode(pod: KubeObject): string | undefined {
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return pod.spec?.nodeName ?? terms?.[0]?.matchFields?.[0]?.values?.[0];
}

/** The template with the node affinity the controller pins each daemon pod with (`metadata.name` in [node]). */
function pinnedTo(template: KubeObject['spec'], node: string): KubeObject['spec'] {
  const copy = structuredClone(template ?? {});
  copy.spec ??= {};
  copy.spec.affinity = {
    ...(copy.spec.affinity ?? {}),
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
      },
    },
  };
  return copy;
}
