import { stringify } from 'yaml';
import { type NodeGroupSpec, nodeGroupLabel, nodeObject, zoneLabel } from '../nodes.js';
import type { KubeObject } from '../store/types.js';
import {
  emptyNodeInfo,
  estimate,
  expendablePriorityCutoff,
  fitFailure,
  leastWaste,
  notTriggerMessage,
  placeOnExisting,
  podsToMove,
  type ScaleUpOption,
  utilization,
} from './autoscaler-plan.js';
import { findCondition, RepeatLimiter, randomSuffix } from './objects.js';
import { QueueController } from './queue-controller.js';
import { buildNodeInfos, type NodeInfo, resolvePriority } from './scheduling.js';

const source = 'cluster-autoscaler';
const statusConfigMap = 'cluster-autoscaler-status';
const toBeDeletedTaint = 'ToBeDeletedByClusterAutoscaler';
/** --scale-down-utilization-threshold */
const utilizationThreshold = 0.5;
/** --max-graceful-termination-sec: a drain that takes longer ends with the node's removal anyway. */
const maxDrainSeconds = 600;
const zones = ['a', 'b', 'c'];

export function isUnschedulable(pod: KubeObject): boolean {
  const scheduled = findCondition(pod.status?.conditions, 'PodScheduled');
  return (
    !pod.spec?.nodeName &&
    !pod.metadata.deletionTimestamp &&
    scheduled?.status === 'False' &&
    scheduled.reason === 'Unschedulable'
  );
}

const groupOf = (node: KubeObject): string | undefined => node.metadata.labels?.[nodeGroupLabel];

function templateNode(group: NodeGroupSpec): KubeObject {
  return nodeObject({
    name: `template-node-for-${group.name}`,
    cpu: group.cpu,
    memory: group.memory,
    group: group.name,
  });
}

interface Provisioning {
  group: string;
  timer: NodeJS.Timeout;
}

/**
 * cluster-autoscaler over the node groups of the started cluster (`SimulatorServices.nodeGroups`): every scan interval,
 * pods marked Unschedulable that fit neither existing nor upcoming nodes trigger a scale-up of the group the
 * least-waste expander picks (nodes register after the group's provisioning delay); nodes below 50 % requested
 * utilization whose pods fit elsewhere are removed after the unneeded time, never below a group's min and not within
 * the delay after a scale-up. Removal taints the node, evicts its pods (their controllers recreate them) and deletes
 * the node once they are gone. Status goes to the `cluster-autoscaler-status` ConfigMap in kube-system.
 */
export class ClusterAutoscaler extends QueueController {
  readonly name = 'cluster-autoscaler';
  private groups: NodeGroupSpec[] = [];
  private readonly provisioning = new Map<string, Provisioning>();
  private readonly unneededSince = new Map<string, number>();
  private readonly draining = new Map<string, number>();
  private readonly repeats = new RepeatLimiter(60);
  private lastScaleUpAt = Number.NEGATIVE_INFINITY;
  private lastActivity = { scaleUp: 'NoActivity', scaleDown: 'NoCandidates' };

  constructor(private readonly configuredGroups?: NodeGroupSpec[]) {
    super();
  }

  protected override begin(): void {
    this.groups = this.configuredGroups ?? this.context.services.nodeGroups ?? [];
    if (this.groups.length > 0) this.queue.add('scan');
  }

  override async stop(): Promise<void> {
    await super.stop();
    for (const p of this.provisioning.values()) clearTimeout(p.timer);
    this.provisioning.clear();
  }

  /** One scan of the cluster (the single key of this queue), then the next after the scan interval. */
  protected sync(): void {
    const { store, profile } = this.context;
    const now = store.clock.now();
    const classes = store.list(this.types.priorityClasses).items;
    const priorityOf = (pod: KubeObject) => resolvePriority(pod, classes);
    const pods = store.list(this.types.pods).items;
    const nodes = store.list(this.types.nodes).items;
    this.finishDrains(nodes, pods, now);

    // A pod nominated to a node by preemption lands there once its victims are gone: no new node for it.
    const unschedulable = pods.filter(
      (p) => isUnschedulable(p) && !p.status?.nominatedNodeName && priorityOf(p) >= expendablePriorityCutoff,
    );
    const upcoming = [...this.provisioning.values()].flatMap((p) => {
      const group = this.groups.find((g) => g.name === p.group);
      return group ? [emptyNodeInfo(templateNode(group))] : [];
    });
    const liveNodes = nodes.filter((n) => !this.draining.has(n.metadata.name as string));
    const pending = placeOnExisting(
      unschedulable,
      [...buildNodeInfos(liveNodes, pods), ...upcoming],
      priorityOf,
    );
    const scaledUp = pending.length > 0 && this.scaleUp(pending, nodes, priorityOf, now);
    if (!scaledUp) this.lastActivity.scaleUp = this.provisioning.size > 0 ? 'InProgress' : 'NoActivity';
    // Scale-down waits while nodes are coming and for the delay after a scale-up; pods no group can help do not
    // hold it back.
    const cooldown =
      this.provisioning.size > 0 || now - this.lastScaleUpAt < profile.scaleDownDelayAfterAddSeconds * 1000;
    this.scaleDown(buildNodeInfos(nodes, pods), priorityOf, now, cooldown);
    this.writeStatus(nodes);
    this.queue.addAfter('scan', profile.clusterAutoscalerScanSeconds);
  }

  private groupSize(nodes: KubeObject[], group: string): number {
    const existing = nodes.filter(
      (n) => groupOf(n) === group && !this.draining.has(n.metadata.name as string),
    ).length;
    const upcoming = [...this.provisioning.values()].filter((p) => p.group === group).length;
    return existing + upcoming;
  }

  private scaleUp(
    pending: KubeObject[],
    nodes: KubeObject[],
    priorityOf: (pod: KubeObject) => number,
    now: number,
  ): boolean {
    const options: ScaleUpOption[] = [];
    const reasons = new Map<KubeObject, string[]>(pending.map((p) => [p, []]));
    for (const group of this.groups) {
      const size = this.groupSize(nodes, group.name);
      const template = templateNode(group);
      const option = estimate(group.name, template, pending, Math.max(0, group.max - size), priorityOf);
      const helped = new Set(option.pods);
      for (const pod of pending) {
        if (helped.has(pod)) continue;
        const failure = fitFailure(pod, emptyNodeInfo(template), priorityOf);
        reasons.get(pod)?.push(failure?.reasons[0] ?? 'max node group size reached');
      }
      if (option.nodes > 0) options.push(option);
    }
    const best = leastWaste(options);
    const helpedByAny = new Set(options.flatMap((o) => o.pods));
    if (best) {
      const group = this.groups.find((g) => g.name === best.group) as NodeGroupSpec;
      const size = this.groupSize(nodes, group.name);
      const message = `pod triggered scale-up: [{${group.name} ${size}->${size + best.nodes} (max: ${group.max})}]`;
      for (let i = 0; i < best.nodes; i++) this.provision(group, nodes.length + i);
      for (const pod of best.pods)
        this.context.recordEvent(pod, 'Normal', 'TriggeredScaleUp', message, source);
      this.lastScaleUpAt = now;
      this.lastActivity.scaleUp = 'InProgress';
      const configMap = this.statusObject();
      if (configMap) {
        this.context.recordEvent(
          configMap,
          'Normal',
          'ScaledUpGroup',
          `Scale-up: setting group ${group.name} size to ${size + best.nodes} instead of ${size} (max: ${group.max})`,
          source,
        );
      }
    }
    for (const pod of pending) {
      if (helpedByAny.has(pod)) continue;
      const message = notTriggerMessage(reasons.get(pod) ?? []);
      if (this.repeats.shouldEmit(pod.metadata.uid as string, message, now)) {
        this.context.recordEvent(pod, 'Normal', 'NotTriggerScaleUp', message, source);
      }
    }
    return best !== undefined;
  }

  /** The cloud provider's part: the node registers after the group's provisioning delay. */
  private provision(group: NodeGroupSpec, index: number): void {
    const name = `${group.name}-${randomSuffix()}`;
    const timer = setTimeout(
      () => {
        this.provisioning.delete(name);
        this.context.store.create(
          this.types.nodes,
          nodeObject({
            name,
            cpu: group.cpu,
            memory: group.memory,
            group: group.name,
            labels: { [zoneLabel]: zones[index % zones.length] as string },
          }),
        );
        this.queue.add('scan');
      },
      (group.provisionSeconds ?? this.context.profile.nodeProvisionSeconds) * 1000,
    );
    timer.unref();
    this.provisioning.set(name, { group: group.name, timer });
  }

  private scaleDown(
    infos: NodeInfo[],
    priorityOf: (pod: KubeObject) => number,
    now: number,
    paused: boolean,
  ): void {
    const { profile } = this.context;
    const live = infos.filter((i) => !this.draining.has(i.node.metadata.name as string));
    let simulation = live.map((i) => ({ ...i, pods: [...i.pods], requested: { ...i.requested } }));
    const unneeded: Array<{ info: NodeInfo; moving: KubeObject[] }> = [];
    const candidates = [...live]
      .filter(
        (i) =>
          groupOf(i.node) &&
          !i.node.spec?.unschedulable &&
          i.node.metadata.annotations?.['cluster-autoscaler.kubernetes.io/scale-down-disabled'] !== 'true',
      )
      .sort((a, b) => utilization(a) - utilization(b));
    for (const info of candidates) {
      if (utilization(info) >= utilizationThreshold) continue;
      const moving = podsToMove(info, priorityOf);
      if (!moving) continue;
      const name = info.node.metadata.name;
      const trial = simulation
        .filter((i) => i.node.metadata.name !== name)
        .map((i) => ({ ...i, pods: [...i.pods], requested: { ...i.requested } }));
      if (placeOnExisting(moving, trial, priorityOf).length > 0) continue;
      simulation = trial;
      unneeded.push({ info, moving });
    }
    const names = new Set(unneeded.map((u) => u.info.node.metadata.name as string));
    for (const name of [...this.unneededSince.keys()]) if (!names.has(name)) this.unneededSince.delete(name);
    for (const name of names) if (!this.unneededSince.has(name)) this.unneededSince.set(name, now);
    this.lastActivity.scaleDown = names.size > 0 ? 'CandidatesPresent' : 'NoCandidates';
    if (paused) return;

    const nodes = infos.map((i) => i.node);
    const removable = new Map(this.groups.map((g) => [g.name, this.groupSize(nodes, g.name) - g.min]));
    const due = unneeded.filter(
      (u) =>
        now - (this.unneededSince.get(u.info.node.metadata.name as string) ?? now) >=
        profile.scaleDownUnneededSeconds * 1000,
    );
    const take = (u: { info: NodeInfo }) => {
      const group = groupOf(u.info.node) as string;
      const left = removable.get(group) ?? 0;
      if (left <= 0) return false;
      removable.set(group, left - 1);
      return true;
    };
    // Empty nodes go in bulk; nodes with pods to move one at a time.
    for (const u of due.filter((d) => d.moving.length === 0)) if (take(u)) this.removeNode(u.info, [], now);
    const withPods = due.find((d) => d.moving.length > 0);
    if (withPods && this.draining.size === 0 && take(withPods))
      this.removeNode(withPods.info, withPods.moving, now);
  }

  private removeNode(info: NodeInfo, moving: KubeObject[], now: number): void {
    const { store } = this.context;
    const name = info.node.metadata.name as string;
    const node = store.get(this.types.nodes, undefined, name);
    const taints = [
      ...(node.spec?.taints ?? []).filter((t: { key: string }) => t.key !== toBeDeletedTaint),
      { key: toBeDeletedTaint, value: String(Math.floor(now / 1000)), effect: 'NoSchedule' },
    ];
    const tainted = store.update(this.types.nodes, { ...node, spec: { ...node.spec, taints } });
    this.context.recordEvent(
      tainted,
      'Normal',
      'ScaleDown',
      'marked the node as toBeDeleted/unschedulable',
      source,
    );
    this.draining.set(name, now);
    this.unneededSince.delete(name);
    for (const pod of moving) {
      this.context.recordEvent(pod, 'Normal', 'ScaleDown', 'deleting pod for node scale down', source);
      store.delete(this.types.pods, pod.metadata.namespace, pod.metadata.name as string);
    }
    const configMap = this.statusObject();
    if (configMap) {
      this.context.recordEvent(
        configMap,
        'Normal',
        moving.length === 0 ? 'ScaleDownEmpty' : 'ScaleDown',
        moving.length === 0
          ? `Scale-down: removing empty node "${name}"`
          : `Scale-down: removing node ${name}, utilization: ${utilization(info).toFixed(2)}, pods to reschedule: ${moving.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(',')}`,
        source,
      );
    }
    this.finishDrains(store.list(this.types.nodes).items, store.list(this.types.pods).items, now);
  }

  /** Deletes draining nodes whose pods are gone (or whose drain ran past the maximum graceful termination). */
  private finishDrains(nodes: KubeObject[], pods: KubeObject[], now: number): void {
    const { store } = this.context;
    for (const [name, since] of [...this.draining]) {
      const node = nodes.find((n) => n.metadata.name === name);
      if (!node) {
        this.draining.delete(name);
        continue;
      }
      const remaining = pods.filter(
        (p) =>
          p.spec?.nodeName === name &&
          !(p.metadata.ownerReferences ?? []).some((r) => r.controller && r.kind === 'DaemonSet') &&
          p.status?.phase !== 'Succeeded' &&
          p.status?.phase !== 'Failed',
      );
      if (remaining.length > 0 && now - since < maxDrainSeconds * 1000) continue;
      store.delete(this.types.nodes, undefined, name);
      this.draining.delete(name);
    }
  }

  private statusObject(): KubeObject | undefined {
    return this.context.store.tryGet(this.types.configMaps, 'kube-system', statusConfigMap);
  }

  /** The `cluster-autoscaler-status` ConfigMap, in the YAML layout of recent releases. */
  private writeStatus(nodes: KubeObject[]): void {
    const { store } = this.context;
    if (!store.tryGet(this.types.namespaces, undefined, 'kube-system')) return;
    const ready = (n: KubeObject) => findCondition(n.status?.conditions, 'Ready')?.status === 'True';
    const counts = (list: KubeObject[]) => ({
      registered: { total: list.length, ready: list.filter(ready).length, notStarted: 0 },
      longUnregistered: 0,
      unregistered: 0,
    });
    const body = {
      autoscalerStatus: 'Running',
      clusterWide: {
        health: { status: 'Healthy', nodeCounts: counts(nodes) },
        scaleUp: { status: this.lastActivity.scaleUp },
        scaleDown: { status: this.lastActivity.scaleDown, candidates: this.unneededSince.size },
      },
      nodeGroups: this.groups.map((g) => {
        const members = nodes.filter((n) => groupOf(n) === g.name);
        return {
          name: g.name,
          health: {
            status: 'Healthy',
            nodeCounts: counts(members),
            cloudProviderTarget: this.groupSize(nodes, g.name),
            minSize: g.min,
            maxSize: g.max,
          },
          scaleUp: {
            status: [...this.provisioning.values()].some((p) => p.group === g.name)
              ? 'InProgress'
              : 'NoActivity',
          },
          scaleDown: {
            status: members.some((m) => this.unneededSince.has(m.metadata.name as string))
              ? 'CandidatesPresent'
              : 'NoCandidates',
            candidates: members.filter((m) => this.unneededSince.has(m.metadata.name as string)).length,
          },
        };
      }),
    };
    const current = this.statusObject();
    const previousBody = (current?.data as { status?: string } | undefined)?.status
      ?.split('\n')
      .slice(1)
      .join('\n');
    const text = stringify(body);
    if (previousBody === text) return;
    const data = { status: `time: ${store.nowIso()}\n${text}` };
    const annotations = { 'cluster-autoscaler.kubernetes.io/last-updated': store.nowIso() };
    if (current)
      store.update(this.types.configMaps, {
        ...current,
        metadata: { ...current.metadata, annotations },
        data,
      });
    else {
      store.create(this.types.configMaps, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: statusConfigMap, namespace: 'kube-system', annotations },
        data,
      });
    }
  }
}
