import { conflict } from '../store/errors.js';
import { selectorRequirements } from '../store/selectors.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import {
  type Condition,
  canonicalJson,
  controllerRef,
  findCondition,
  isPodActive,
  isType,
  objectKey,
  ownerReferenceTo,
  splitKey,
  withCondition,
} from './objects.js';
import { QueueController } from './queue-controller.js';
import {
  newReplicaSetReplicas,
  podTemplateHash,
  proportionalScale,
  type RollingParams,
  resolveFenceposts,
  rolloutConditions,
  scaleDownOldReplicaSets,
} from './rollout.js';

const source = 'deployment-controller';
const hashLabel = 'pod-template-hash';
export const revisionAnnotation = 'deployment.kubernetes.io/revision';
const desiredAnnotation = 'deployment.kubernetes.io/desired-replicas';
const maxAnnotation = 'deployment.kubernetes.io/max-replicas';

const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.[revisionAnnotation] ?? 0) || 0;
const specReplicas = (rs: KubeObject): number => rs.spec?.replicas ?? 0;

/** The RS template without the pod-template-hash label, to compare with the Deployment's (`EqualIgnoreHash`). */
function templateWithoutHash(template: KubeObject['spec']): string {
  const copy = structuredClone(template ?? {});
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[hashLabel];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  return canonicalJson(copy);
}

interface Plan {
  deployment: KubeObject;
  replicas: number;
  params: RollingParams;
  rolling: boolean;
  paused: boolean;
  newRs: KubeObject | undefined;
  /** Oldest first. */
  oldRss: KubeObject[];
  /** Set when this sync created or first found the new ReplicaSet (NewReplicaSetCreated / FoundNewReplicaSet). */
  progressing?: Condition;
}

/**
 * Deployments → ReplicaSets: finds or creates the ReplicaSet of the current template (`<name>-<pod-template-hash>`),
 * rolls pods over with RollingUpdate (maxSurge/maxUnavailable) or Recreate, scales active ReplicaSets
 * proportionally when spec.replicas changes, keeps revisions, status counts and the Available/Progressing
 * conditions (with ProgressDeadlineExceeded), holds the rollout while spec.paused, and prunes old ReplicaSets beyond
 * revisionHistoryLimit.
 */
export class DeploymentController extends QueueController {
  readonly name = 'deployment-controller';

  protected override begin(): void {
    for (const d of this.context.store.list(this.types.deployments).items) this.queue.add(objectKey(d));
  }

  protected override onEvent(event: StoreEvent): void {
    if (isType(event.resource, this.types.deployments)) {
      if (event.type !== 'DELETED') this.queue.add(objectKey(event.object));
    } else if (isType(event.resource, this.types.replicaSets)) {
      const owner = controllerRef(event.object);
      if (owner?.kind === 'Deployment') this.queue.add(`${event.object.metadata.namespace}/${owner.name}`);
    } else if (isType(event.resource, this.types.pods) && event.type === 'DELETED') {
      // Recreate waits for old pods to be gone; a pod's removal is the signal.
      const owner = controllerRef(event.object);
      if (owner?.kind === 'ReplicaSet') {
        const rs = this.context.store.tryGet(
          this.types.replicaSets,
          event.object.metadata.namespace,
          owner.name,
        );
        const deployment = rs && controllerRef(rs);
        if (deployment?.kind === 'Deployment')
          this.queue.add(`${event.object.metadata.namespace}/${deployment.name}`);
      }
    }
  }

  protected sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const deployment = this.context.store.tryGet(this.types.deployments, namespace, name);
    if (!deployment || deployment.metadata.deletionTimestamp) return;
    const plan = this.plan(deployment);
    this.writePausedCondition(plan);
    if (plan.paused) {
      // A paused Deployment only scales; its rollout waits for resume (`sync` instead of the rollout).
      if (this.isScalingEvent(plan)) this.scale(plan);
      this.cleanupIfComplete(plan);
    } else if (this.isScalingEvent(plan)) this.scale(plan);
    else if (plan.rolling) this.rollingUpdate(plan);
    else this.recreate(plan);
    this.syncStatus(plan);
  }

  /**
   * `checkPausedConditions`: Progressing turns Unknown/DeploymentPaused on pause and Unknown/DeploymentResumed on
   * resume, written before anything else happens (a timed-out rollout keeps its condition).
   */
  private writePausedCondition(plan: Plan): void {
    const { store } = this.context;
    const d = plan.deployment;
    const current = findCondition(d.status?.conditions, 'Progressing');
    if (current?.reason === 'ProgressDeadlineExceeded') return;
    const pausedNow = current?.reason === 'DeploymentPaused';
    if (plan.paused === pausedNow) return;
    const condition: Condition = plan.paused
      ? {
          type: 'Progressing',
          status: 'Unknown',
          reason: 'DeploymentPaused',
          message: 'Deployment is paused',
        }
      : {
          type: 'Progressing',
          status: 'Unknown',
          reason: 'DeploymentResumed',
          message: 'Deployment is resumed',
        };
    const now = store.nowIso();
    const conditions = withCondition(d.status?.conditions, { ...condition, lastUpdateTime: now }, now);
    plan.deployment = store.update(
      this.types.deployments,
      { ...d, status: { ...d.status, conditions } },
      { subresource: 'status' },
    );
  }

  private plan(deployment: KubeObject): Plan {
    const replicas: number = deployment.spec?.replicas ?? 1;
    const strategy = deployment.spec?.strategy ?? {};
    const rolling = (strategy.type ?? 'RollingUpdate') === 'RollingUpdate';
    const { surge, unavailable } = rolling
      ? resolveFenceposts(
          strategy.rollingUpdate?.maxSurge ?? '25%',
          strategy.rollingUpdate?.maxUnavailable ?? '25%',
          replicas,
        )
      : { surge: 0, unavailable: 0 };
    const owned = this.context.store
      .list(this.types.replicaSets, { namespace: deployment.metadata.namespace })
      .items.filter(
        (rs) => controllerRef(rs)?.uid === deployment.metadata.uid && !rs.metadata.deletionTimestamp,
      );
    const wanted = templateWithoutHash(deployment.spec?.template);
    const newRs = owned
      .filter((rs) => templateWithoutHash(rs.spec?.template) === wanted)
      .sort((a, b) =>
        (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''),
      )[0];
    const oldRss = owned
      .filter((rs) => rs !== newRs)
      .sort(
        (a, b) =>
          revisionOf(a) - revisionOf(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
      );
    const paused = Boolean(deployment.spec?.paused);
    return {
      deployment,
      replicas,
      paused,
      rolling,
      params: { replicas, surge, unavailable: Math.min(unavailable, replicas) },
      newRs,
      oldRss,
    };
  }

  private isScalingEvent(plan: Plan): boolean {
    const all = [...(plan.newRs ? [plan.newRs] : []), ...plan.oldRss];
    return all
      .filter((rs) => specReplicas(rs) > 0)
      .some((rs) => {
        const desired = rs.metadata.annotations?.[desiredAnnotation];
        return desired !== undefined && Number(desired) !== plan.replicas;
      });
  }

  /** `sync` → `scale`: resize the only active ReplicaSet, or all active ones proportionally mid-rollout. */
  private scale(plan: Plan): void {
    const all = [...(plan.newRs ? [plan.newRs] : []), ...plan.oldRss];
    const active = all.filter((rs) => specReplicas(rs) > 0);
    if (active.length <= 1) {
      const target = active[0] ?? plan.newRs ?? plan.oldRss[plan.oldRss.length - 1];
      if (target) this.scaleReplicaSet(plan, target, plan.replicas);
      return;
    }
    const allowed = plan.replicas > 0 ? plan.replicas + plan.params.surge : 0;
    const growing = allowed > active.reduce((s, rs) => s + specReplicas(rs), 0);
    const ordered = [...active].sort(
      (a, b) =>
        specReplicas(b) - specReplicas(a) ||
        (growing ? revisionOf(b) - revisionOf(a) : revisionOf(a) - revisionOf(b)),
    );
    const sizes = proportionalScale(ordered.map(specReplicas), allowed);
    ordered.forEach((rs, i) => {
      this.scaleReplicaSet(plan, rs, sizes[i] as number);
    });
  }

  private rollingUpdate(plan: Plan): void {
    const newRs = this.ensureNewReplicaSet(plan, (oldTotal) =>
      newReplicaSetReplicas(plan.params, oldTotal, 0),
    );
    const total = [newRs, ...plan.oldRss].reduce((s, rs) => s + specReplicas(rs), 0);
    const target = newReplicaSetReplicas(plan.params, total, specReplicas(newRs));
    if (target !== specReplicas(newRs)) {
      plan.newRs = this.scaleReplicaSet(plan, newRs, target);
      return;
    }
    const counts = (rs: KubeObject) => ({
      name: rs.metadata.name as string,
      spec: specReplicas(rs),
      available: rs.status?.availableReplicas ?? 0,
    });
    const sizes = scaleDownOldReplicaSets(plan.params, counts(newRs), plan.oldRss.map(counts));
    let scaled = false;
    plan.oldRss = plan.oldRss.map((rs) => {
      const size = sizes.get(rs.metadata.name as string) ?? specReplicas(rs);
      if (size === specReplicas(rs)) return rs;
      scaled = true;
      return this.scaleReplicaSet(plan, rs, size);
    });
    if (!scaled) this.cleanupIfComplete(plan);
  }

  private recreate(plan: Plan): void {
    let scaledDown = false;
    plan.oldRss = plan.oldRss.map((rs) => {
      if (specReplicas(rs) === 0) return rs;
      scaledDown = true;
      return this.scaleReplicaSet(plan, rs, 0);
    });
    if (scaledDown || this.oldPodsRunning(plan)) return;
    const newRs = this.ensureNewReplicaSet(plan, () => plan.replicas);
    if (specReplicas(newRs) !== plan.replicas) plan.newRs = this.scaleReplicaSet(plan, newRs, plan.replicas);
    else this.cleanupIfComplete(plan);
  }

  private oldPodsRunning(plan: Plan): boolean {
    const oldUids = new Set(plan.oldRss.map((rs) => rs.metadata.uid));
    return this.context.store
      .list(this.types.pods, {
        namespace: plan.deployment.metadata.namespace,
        labelSelector: selectorRequirements(plan.deployment.spec?.selector ?? {}),
      })
      .items.some(
        (p) => oldUids.has(controllerRef(p)?.uid) && (isPodActive(p) || p.metadata.deletionTimestamp),
      );
  }

  private annotationsFor(plan: Plan, revision: number): Record<string, string> {
    return {
      [revisionAnnotation]: String(revision),
      [desiredAnnotation]: String(plan.replicas),
      [maxAnnotation]: String(plan.replicas + plan.params.surge),
    };
  }

  /** Returns the new ReplicaSet, creating it with `initialReplicas(Σ old spec.replicas)` when missing. */
  private ensureNewReplicaSet(plan: Plan, initialReplicas: (oldTotal: number) => number): KubeObject {
    const { store } = this.context;
    const d = plan.deployment;
    const maxOldRevision = Math.max(0, ...plan.oldRss.map(revisionOf));
    if (plan.newRs) {
      if (revisionOf(plan.newRs) <= maxOldRevision) {
        const rs = plan.newRs;
        rs.metadata.annotations = {
          ...rs.metadata.annotations,
          [revisionAnnotation]: String(maxOldRevision + 1),
        };
        plan.newRs = store.update(this.types.replicaSets, rs);
      }
      if (!findCondition(d.status?.conditions, 'Progressing')) {
        plan.progressing = {
          type: 'Progressing',
          status: 'True',
          reason: 'FoundNewReplicaSet',
          message: `Found new replica set "${plan.newRs.metadata.name}"`,
        };
      }
      return plan.newRs;
    }
    const collisionCount: number = d.status?.collisionCount ?? 0;
    const hash = podTemplateHash(canonicalJson(d.spec?.template ?? {}), collisionCount);
    const template = structuredClone(d.spec?.template ?? {});
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [hashLabel]: hash } };
    const selector = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...selector.matchLabels, [hashLabel]: hash };
    const replicas = initialReplicas(plan.oldRss.reduce((s, rs) => s + specReplicas(rs), 0));
    const name = `${d.metadata.name}-${hash}`;
    if (store.tryGet(this.types.replicaSets, d.metadata.namespace, name)) {
      // Hash collision with a ReplicaSet of another template: bump collisionCount and try again.
      store.update(
        this.types.deployments,
        { ...d, status: { ...d.status, collisionCount: collisionCount + 1 } },
        { subresource: 'status' },
      );
      throw conflict(
        'replicasets',
        'apps',
        name,
        'pod-template-hash collision; retrying with a new collisionCount',
      );
    }
    const created = store.create(this.types.replicaSets, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.metadata.namespace,
        labels: { ...template.metadata.labels },
        annotations: this.annotationsFor(plan, maxOldRevision + 1),
        ownerReferences: [ownerReferenceTo(d)],
      },
      spec: {
        replicas,
        minReadySeconds: d.spec?.minReadySeconds ?? 0,
        selector,
        template,
      },
    });
    plan.newRs = created;
    plan.progressing = {
      type: 'Progressing',
      status: 'True',
      reason: 'NewReplicaSetCreated',
      message: `Created new replica set "${name}"`,
    };
    if (replicas > 0) this.recordScaling(d, name, 0, replicas);
    return created;
  }

  private recordScaling(deployment: KubeObject, rsName: string, from: number, to: number): void {
    const direction = to > from ? 'up' : 'down';
    this.context.recordEvent(
      deployment,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${direction} replica set ${rsName} from ${from} to ${to}`,
      source,
    );
  }

  private scaleReplicaSet(plan: Plan, rs: KubeObject, replicas: number): KubeObject {
    const annotations = {
      ...rs.metadata.annotations,
      [desiredAnnotation]: String(plan.replicas),
      [maxAnnotation]: String(plan.replicas + plan.params.surge),
    };
    const from = specReplicas(rs);
    if (from === replicas && canonicalJson(annotations) === canonicalJson(rs.metadata.annotations ?? {}))
      return rs;
    const updated = this.context.store.update(this.types.replicaSets, {
      ...rs,
      metadata: { ...rs.metadata, annotations },
      spec: { ...rs.spec, replicas, minReadySeconds: plan.deployment.spec?.minReadySeconds ?? 0 },
    });
    if (from !== replicas) this.recordScaling(plan.deployment, rs.metadata.name as string, from, replicas);
    return updated;
  }

  /** `cleanupDeployment`: once complete, delete the oldest scaled-down ReplicaSets beyond revisionHistoryLimit. */
  private cleanupIfComplete(plan: Plan): void {
    const complete =
      (plan.newRs?.status?.availableReplicas ?? 0) >= plan.replicas &&
      plan.oldRss.every((rs) => specReplicas(rs) === 0);
    if (!complete) return;
    const limit: number = plan.deployment.spec?.revisionHistoryLimit ?? 10;
    const idle = plan.oldRss.filter((rs) => specReplicas(rs) === 0 && (rs.status?.replicas ?? 0) === 0);
    const excess = idle.length - limit;
    for (const rs of idle.slice(0, Math.max(0, excess))) {
      this.context.store.delete(this.types.replicaSets, rs.metadata.namespace, rs.metadata.name as string);
    }
  }

  private syncStatus(plan: Plan): void {
    const { store } = this.context;
    const all = [...(plan.newRs ? [plan.newRs] : []), ...plan.oldRss];
    const sum = (f: (rs: KubeObject) => number) => all.reduce((s, rs) => s + f(rs), 0);
    const d = store.get(
      this.types.deployments,
      plan.deployment.metadata.namespace,
      plan.deployment.metadata.name as string,
    );
    const generation = d.metadata.generation ?? 1;
    const next = {
      observedGeneration: generation,
      replicas: sum((rs) => rs.status?.replicas ?? 0),
      updatedReplicas: plan.newRs?.status?.replicas ?? 0,
      readyReplicas: sum((rs) => rs.status?.readyReplicas ?? 0),
      availableReplicas: sum((rs) => rs.status?.availableReplicas ?? 0),
    };
    const unavailableReplicas = Math.max(sum(specReplicas) - next.availableReplicas, 0);
    const previous = d.status ?? {};
    let previousConditions: Condition[] = previous.conditions ?? [];
    if (plan.progressing) {
      const now = store.nowIso();
      const old = findCondition(previousConditions, 'Progressing');
      previousConditions = [
        ...previousConditions.filter((c) => c.type !== 'Progressing'),
        {
          ...plan.progressing,
          lastUpdateTime: now,
          lastTransitionTime: old?.status === 'True' ? (old.lastTransitionTime ?? now) : now,
        },
      ];
    }
    const deadline = d.spec?.progressDeadlineSeconds;
    const conditions = rolloutConditions({
      paused: plan.paused,
      replicas: plan.replicas,
      generation,
      unavailable: plan.params.unavailable,
      progressDeadlineSeconds: deadline === undefined ? 600 : deadline >= 2 ** 31 - 1 ? undefined : deadline,
      newReplicaSetName: plan.newRs?.metadata.name,
      previous: { ...previous, conditions: previousConditions },
      next,
      nowMs: store.clock.now(),
      nowIso: store.nowIso(),
    });
    const status = {
      ...next,
      ...(next.readyReplicas ? {} : { readyReplicas: undefined }),
      ...(next.availableReplicas ? {} : { availableReplicas: undefined }),
      ...(unavailableReplicas ? { unavailableReplicas } : {}),
      ...(next.updatedReplicas ? {} : { updatedReplicas: undefined }),
      ...(next.replicas ? {} : { replicas: undefined }),
      ...(previous.collisionCount ? { collisionCount: previous.collisionCount } : {}),
      conditions,
    };
    const clean = JSON.parse(JSON.stringify(status));
    // The revision annotation goes with the status, as the real controller's UpdateStatus sends it: an annotation
    // change through the main resource would raise the Deployment's generation.
    const revision = plan.newRs ? String(revisionOf(plan.newRs)) : undefined;
    const annotations =
      revision && d.metadata.annotations?.[revisionAnnotation] !== revision
        ? { ...d.metadata.annotations, [revisionAnnotation]: revision }
        : undefined;
    if (annotations || canonicalJson(clean) !== canonicalJson(previous)) {
      const metadata = annotations ? { ...d.metadata, annotations } : d.metadata;
      store.update(this.types.deployments, { ...d, metadata, status: clean }, { subresource: 'status' });
    }
    const progressing = findCondition(conditions, 'Progressing');
    if (!plan.paused && (progressing?.reason !== 'NewReplicaSetAvailable' || unavailableReplicas > 0)) {
      this.queue.addAfter(objectKey(d), this.context.profile.deploymentResyncSeconds);
    }
  }
}
