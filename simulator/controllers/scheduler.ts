import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import { findCondition, isType, RepeatLimiter, withCondition } from './objects.js';
import { pickPreemptionNode, preemptionMightHelp, selectVictims } from './preemption.js';
import { QueueController } from './queue-controller.js';
import {
  assumePod,
  buildNodeInfos,
  type FilterFailure,
  filterNode,
  fitErrorMessage,
  type NodeInfo,
  noPreemptionMessage,
  resolvePriority,
  spreadStates,
} from './scheduling.js';
import { defaultSpreadSelector, rankNodes, type SpreadSelectors } from './scoring.js';

const schedulerName = 'default-scheduler';
const passKey = 'pending-pods';
/** A FailedScheduling event repeats at most this often for an unchanged message. */
const repeatEventSeconds = 60;

function isPending(pod: KubeObject): boolean {
  return (
    !pod.spec?.nodeName &&
    !pod.metadata.deletionTimestamp &&
    (pod.spec?.schedulerName ?? schedulerName) === schedulerName &&
    (pod.status?.phase ?? 'Pending') === 'Pending'
  );
}

/**
 * kube-scheduler: binds pending pods to nodes one at a time, highest priority first, with the Filter plugins of
 * scheduling.ts; otherwise marks them Unschedulable (PodScheduled=False) with the FitError message, preempting
 * lower-priority pods when that makes room. Pending pods are retried on cluster changes (node added or changed,
 * pod removed) and every schedulerBackoffSeconds.
 */
export class Scheduler extends QueueController {
  readonly name = 'scheduler';
  private readonly repeats = new RepeatLimiter(repeatEventSeconds);

  protected override begin(): void {
    this.queue.add(passKey);
  }

  /** Queueing hints: a new pending pod, a node change, or a pod that stopped holding resources. */
  protected override onEvent(event: StoreEvent): void {
    const { resource, object } = event;
    if (isType(resource, this.types.nodes)) this.queue.add(passKey);
    else if (isType(resource, this.types.pods)) {
      const phase = object.status?.phase;
      if (event.type === 'DELETED') {
        this.repeats.forget(object.metadata.uid as string);
        this.queue.add(passKey);
      } else if (event.type === 'ADDED' ? isPending(object) : phase === 'Succeeded' || phase === 'Failed') {
        this.queue.add(passKey);
      }
    }
  }

  /** One pass over every pending pod (the single key of this queue). */
  protected sync(): void {
    const { store } = this.context;
    const classes = store.list(this.types.priorityClasses).items;
    const priorities = new Map<string | undefined, number>();
    const priorityOf = (pod: KubeObject) => {
      let value = priorities.get(pod.metadata.uid);
      if (value === undefined) {
        value = resolvePriority(pod, classes);
        priorities.set(pod.metadata.uid, value);
      }
      return value;
    };
    const pods = store.list(this.types.pods).items;
    const nodes = store.list(this.types.nodes).items;
    const infos = buildNodeInfos(nodes, pods);
    const pending = pods
      .filter(isPending)
      .sort(
        (a, b) =>
          priorityOf(b) - priorityOf(a) ||
          (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''),
      );
    const spreadSelectors = this.spreadSelectors();
    for (const pod of pending) this.scheduleOne(pod, infos, pods, priorityOf, spreadSelectors);
    if (pending.length > 0) this.queue.addAfter(passKey, this.context.profile.schedulerBackoffSeconds);
  }

  private scheduleOne(
    pod: KubeObject,
    infos: NodeInfo[],
    allPods: KubeObject[],
    priorityOf: (pod: KubeObject) => number,
    spreadSelectors: SpreadSelectors,
  ): void {
    const priority = priorityOf(pod);
    const spread = spreadStates(pod, infos);
    const failures = new Map<string, FilterFailure>();
    const feasible: NodeInfo[] = [];
    for (const info of infos) {
      const failure = filterNode(pod, info, spread, priority, priorityOf);
      if (failure) failures.set(info.node.metadata.name as string, failure);
      else feasible.push(info);
    }
    const best = rankNodes(pod, feasible, infos, defaultSpreadSelector(pod, spreadSelectors))[0];
    if (best) {
      this.bind(pod, best);
      return;
    }
    const postFilter = this.preempt(pod, priority, infos, failures, allPods, priorityOf);
    this.markUnschedulable(
      pod,
      fitErrorMessage(infos.length, failures.values(), postFilter.message),
      postFilter.nominatedNode,
    );
  }

  /** Services and controllers for the system-default spreading selector, read from the store once per pass. */
  private spreadSelectors(): SpreadSelectors {
    const { store, registry } = this.context;
    const services = new Map<string, KubeObject[]>();
    for (const service of store.list(this.types.services).items) {
      const namespace = service.metadata.namespace as string;
      services.set(namespace, [...(services.get(namespace) ?? []), service]);
    }
    return {
      services: (namespace) => services.get(namespace) ?? [],
      controller: (namespace, ref) => {
        const type = registry.byKind(ref.apiVersion, ref.kind);
        return type ? store.tryGet(type, namespace, ref.name) : undefined;
      },
    };
  }

  /** DefaultPreemption PostFilter: returns the message to append, or the node nominated after evicting victims. */
  private preempt(
    pod: KubeObject,
    priority: number,
    infos: NodeInfo[],
    failures: Map<string, FilterFailure>,
    allPods: KubeObject[],
    priorityOf: (pod: KubeObject) => number,
  ): { message?: string; nominatedNode?: string } {
    if (infos.length === 0) return {};
    const policy = pod.spec?.preemptionPolicy ?? 'PreemptLowerPriority';
    if (policy === 'Never') return { message: 'preemption: not eligible due to preemptionPolicy=Never.' };
    const nominated = pod.status?.nominatedNodeName;
    if (nominated) {
      const terminating = allPods.some(
        (p) => p.spec?.nodeName === nominated && p.metadata.deletionTimestamp && priorityOf(p) < priority,
      );
      if (terminating) {
        return {
          message: 'preemption: not eligible due to a terminating pod on the nominated node.',
          nominatedNode: nominated,
        };
      }
    }
    const candidates = [];
    for (const info of infos) {
      const failure = failures.get(info.node.metadata.name as string);
      if (!failure || !preemptionMightHelp(failure)) continue;
      const victims = selectVictims(priority, info, priorityOf, (trial) => {
        const trialSpread = spreadStates(
          pod,
          infos.map((i) => (i === info ? trial : i)),
        );
        return !filterNode(pod, trial, trialSpread, priority, priorityOf);
      });
      if (victims && victims.length > 0)
        candidates.push({ node: info.node.metadata.name as string, victims });
    }
    const chosen = pickPreemptionNode(candidates, priorityOf);
    if (!chosen) return { message: noPreemptionMessage(failures.values()) };
    for (const victim of chosen.victims) this.evictVictim(victim, pod, chosen.node);
    return { nominatedNode: chosen.node };
  }

  private evictVictim(victim: KubeObject, preemptor: KubeObject, node: string): void {
    const { store } = this.context;
    const now = store.nowIso();
    const current = store.get(this.types.pods, victim.metadata.namespace, victim.metadata.name as string);
    current.status = {
      ...current.status,
      conditions: withCondition(
        current.status?.conditions,
        {
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'PreemptionByScheduler',
          message: `${schedulerName}: preempting to accommodate a higher priority pod`,
        },
        now,
      ),
    };
    store.update(this.types.pods, current, { subresource: 'status' });
    this.context.recordEvent(
      current,
      'Normal',
      'Preempted',
      `Preempted by pod ${preemptor.metadata.uid} on node ${node}`,
      schedulerName,
    );
    store.delete(this.types.pods, current.metadata.namespace, current.metadata.name as string);
  }

  private bind(pod: KubeObject, info: NodeInfo): void {
    const { store } = this.context;
    const nodeName = info.node.metadata.name as string;
    const current = store.get(this.types.pods, pod.metadata.namespace, pod.metadata.name as string);
    if (!isPending(current)) return;
    current.spec.nodeName = nodeName;
    const bound = store.update(this.types.pods, current);
    assumePod(info, bound);
    const { nominatedNodeName: _, ...status } = bound.status ?? {};
    bound.status = {
      ...status,
      conditions: withCondition(status.conditions, { type: 'PodScheduled', status: 'True' }, store.nowIso()),
    };
    store.update(this.types.pods, bound, { subresource: 'status' });
    this.repeats.forget(pod.metadata.uid as string);
    this.context.recordEvent(
      bound,
      'Normal',
      'Scheduled',
      `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`,
      schedulerName,
    );
  }

  private markUnschedulable(pod: KubeObject, message: string, nominatedNode: string | undefined): void {
    const { store } = this.context;
    const current = store.get(this.types.pods, pod.metadata.namespace, pod.metadata.name as string);
    const condition = findCondition(current.status?.conditions, 'PodScheduled');
    const nominatedChanged = (current.status?.nominatedNodeName ?? undefined) !== nominatedNode;
    if (
      nominatedChanged ||
      condition?.status !== 'False' ||
      condition.reason !== 'Unschedulable' ||
      condition.message !== message
    ) {
      const { nominatedNodeName: _, ...status } = current.status ?? {};
      current.status = {
        ...status,
        phase: 'Pending',
        ...(nominatedNode ? { nominatedNodeName: nominatedNode } : {}),
        conditions: withCondition(
          status.conditions,
          { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null },
          store.nowIso(),
        ),
      };
      store.update(this.types.pods, current, { subresource: 'status' });
    }
    if (this.repeats.shouldEmit(current.metadata.uid as string, message, store.clock.now())) {
      this.context.recordEvent(current, 'Warning', 'FailedScheduling', message, schedulerName);
    }
  }
}
