import type { KubeObject } from '../store/types.js';
import type { Labels, MetricFamily, Sample } from './exposition.js';
import {
  conditionSamples,
  family,
  kubeLabels,
  type LabelsAllowlist,
  resourceValue,
  unixSeconds,
} from './ksm-common.js';
import { podCondition, podContainers } from './pod-facts.js';

/** kube-state-metrics pod families (internal/store/pod.go): default labels {namespace, pod, uid}. */

const phases = ['Pending', 'Succeeded', 'Failed', 'Unknown', 'Running'];

interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; running?: unknown; terminated?: { reason?: string } };
  lastState?: { terminated?: { reason?: string } };
  ready?: boolean;
}

interface OwnerReference {
  kind: string;
  name: string;
  controller?: boolean;
}

/** The reasons kube_pod_status_reason reports (ksm's podStatusReasons). */
const podReasons = ['Evicted', 'NodeAffinity', 'NodeLost', 'Shutdown', 'UnexpectedAdmissionError'];

export function podFamilies(pods: KubeObject[], allowlist?: LabelsAllowlist): MetricFamily[] {
  const info: Sample[] = [];
  const owner: Sample[] = [];
  const labels: Sample[] = [];
  const created: Sample[] = [];
  const startTime: Sample[] = [];
  const scheduledTime: Sample[] = [];
  const phase: Sample[] = [];
  const ready: Sample[] = [];
  const scheduled: Sample[] = [];
  const unschedulable: Sample[] = [];
  const requests: Sample[] = [];
  const limits: Sample[] = [];
  const restarts: Sample[] = [];
  const containerReady: Sample[] = [];
  const running: Sample[] = [];
  const waitingReason: Sample[] = [];
  const lastTerminatedReason: Sample[] = [];
  const deletion: Sample[] = [];
  const reason: Sample[] = [];

  for (const pod of pods) {
    const base: Labels = {
      namespace: pod.metadata.namespace ?? '',
      pod: pod.metadata.name ?? '',
      uid: pod.metadata.uid ?? '',
    };
    const node = (pod.spec?.nodeName as string | undefined) ?? '';
    const owners = (pod.metadata.ownerReferences as OwnerReference[] | undefined) ?? [];
    const controller = owners.find((o) => o.controller);
    info.push({
      labels: {
        ...base,
        host_ip: pod.status?.hostIP ?? '',
        pod_ip: pod.status?.podIP ?? '',
        node,
        created_by_kind: controller?.kind ?? '',
        created_by_name: controller?.name ?? '',
        priority_class: pod.spec?.priorityClassName ?? '',
        host_network: String(Boolean(pod.spec?.hostNetwork)),
      },
      value: 1,
    });
    if (owners.length === 0) {
      owner.push({
        labels: { ...base, owner_kind: '', owner_name: '', owner_is_controller: '' },
        value: 1,
      });
    }
    for (const o of owners) {
      owner.push({
        labels: {
          ...base,
          owner_kind: o.kind,
          owner_name: o.name,
          owner_is_controller: String(Boolean(o.controller)),
        },
        value: 1,
      });
    }
    labels.push({ labels: { ...base, ...kubeLabels(pod.metadata.labels, 'pods', allowlist) }, value: 1 });
    const createdAt = unixSeconds(pod.metadata.creationTimestamp);
    if (createdAt !== undefined) created.push({ labels: base, value: createdAt });
    const deletedAt = unixSeconds(pod.metadata.deletionTimestamp);
    if (deletedAt !== undefined) deletion.push({ labels: base, value: deletedAt });
    const started = unixSeconds(pod.status?.startTime);
    if (started !== undefined) startTime.push({ labels: base, value: started });

    for (const r of podReasons)
      reason.push({ labels: { ...base, reason: r }, value: pod.status?.reason === r ? 1 : 0 });
    const currentPhase = pod.status?.phase as string | undefined;
    if (currentPhase) {
      for (const p of phases)
        phase.push({ labels: { ...base, phase: p }, value: p === currentPhase ? 1 : 0 });
    }
    const readyCondition = podCondition(pod, 'Ready');
    if (readyCondition) ready.push(...conditionSamples(base, readyCondition.status, 'condition'));
    const scheduledCondition = podCondition(pod, 'PodScheduled');
    if (scheduledCondition) {
      scheduled.push(...conditionSamples(base, scheduledCondition.status, 'condition'));
      if (scheduledCondition.status === 'True') {
        const at = unixSeconds(scheduledCondition.lastTransitionTime);
        if (at !== undefined) scheduledTime.push({ labels: base, value: at });
      }
      if (scheduledCondition.status === 'False') unschedulable.push({ labels: base, value: 1 });
    }

    for (const c of podContainers(pod)) {
      for (const [target, resources] of [
        [requests, c.resources?.requests],
        [limits, c.resources?.limits],
      ] as const) {
        for (const [name, value] of Object.entries(resources ?? {})) {
          const r = resourceValue(name, value, { countPods: false });
          if (r)
            target.push({
              labels: { ...base, container: c.name, node, resource: r.resource, unit: r.unit },
              value: r.value,
            });
        }
      }
    }
    for (const s of (pod.status?.containerStatuses as ContainerStatus[] | undefined) ?? []) {
      const labelsOf = { ...base, container: s.name };
      restarts.push({ labels: labelsOf, value: s.restartCount ?? 0 });
      containerReady.push({ labels: labelsOf, value: s.ready ? 1 : 0 });
      running.push({ labels: labelsOf, value: s.state?.running ? 1 : 0 });
      if (s.state?.waiting)
        waitingReason.push({ labels: { ...labelsOf, reason: s.state.waiting.reason ?? '' }, value: 1 });
      if (s.lastState?.terminated)
        lastTerminatedReason.push({
          labels: { ...labelsOf, reason: s.lastState.terminated.reason ?? '' },
          value: 1,
        });
    }
  }

  return [
    family('kube_pod_info', 'gauge', 'Information about pod.', info),
    family('kube_pod_owner', 'gauge', "Information about the Pod's owner.", owner),
    family('kube_pod_labels', 'gauge', 'Kubernetes labels converted to Prometheus labels.', labels),
    family('kube_pod_created', 'gauge', 'Unix creation timestamp', created),
    family('kube_pod_deletion_timestamp', 'gauge', 'Unix deletion timestamp', deletion),
    family('kube_pod_start_time', 'gauge', 'Start time in unix timestamp for a pod.', startTime),
    family('kube_pod_status_phase', 'gauge', 'The pods current phase.', phase),
    family('kube_pod_status_reason', 'gauge', 'The pod status reasons', reason),
    family('kube_pod_status_ready', 'gauge', 'Describes whether the pod is ready to serve requests.', ready),
    family(
      'kube_pod_status_scheduled',
      'gauge',
      'Describes the status of the scheduling process for the pod.',
      scheduled,
    ),
    family(
      'kube_pod_status_scheduled_time',
      'gauge',
      'Unix timestamp when pod moved into scheduled status',
      scheduledTime,
    ),
    family(
      'kube_pod_status_unschedulable',
      'gauge',
      'Describes the unschedulable status for the pod.',
      unschedulable,
    ),
    family(
      'kube_pod_container_resource_requests',
      'gauge',
      'The number of requested request resource by a container.',
      requests,
    ),
    family(
      'kube_pod_container_resource_limits',
      'gauge',
      'The number of requested limit resource by a container.',
      limits,
    ),
    family(
      'kube_pod_container_status_restarts_total',
      'counter',
      'The number of container restarts per container.',
      restarts,
    ),
    family(
      'kube_pod_container_status_ready',
      'gauge',
      'Describes whether the containers readiness check succeeded.',
      containerReady,
    ),
    family(
      'kube_pod_container_status_running',
      'gauge',
      'Describes whether the container is currently in running state.',
      running,
    ),
    family(
      'kube_pod_container_status_waiting_reason',
      'gauge',
      'Describes the reason the container is currently in waiting state.',
      waitingReason,
    ),
    family(
      'kube_pod_container_status_last_terminated_reason',
      'gauge',
      'Describes the last reason the container was in terminated state.',
      lastTerminatedReason,
    ),
  ];
}
