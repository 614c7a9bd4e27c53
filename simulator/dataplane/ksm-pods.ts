import type { KubeObject } from '../store/types.js';
import type { Labels, MetricFamily, Sample } from './exposition.js';
import {
  conditionSamples,
  family,
  type LabelsAllowlist,
  labelsSamples,
  ownerSamples,
  resourceValue,
  unixSeconds,
} from './ksm-common.js';
import { podCondition, podContainers } from './pod-facts.js';

/** kube-state-metrics pod families (internal/store/pod.go): default labels {namespace, pod, uid}. */

const phases = ['Pending', 'Succeeded', 'Failed', 'Unknown', 'Running'];

interface ContainerStatus {
  name: string;
  image?: string;
  imageID?: string;
  containerID?: string;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string };
    running?: { startedAt?: string };
    terminated?: { reason?: string; startedAt?: string; finishedAt?: string };
  };
  lastState?: { terminated?: { reason?: string } };
  ready?: boolean;
}

interface OwnerReference {
  kind: string;
  name: string;
  controller?: boolean;
}

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** The reasons kube_pod_status_reason reports (ksm's podStatusReasons, v2.19). */
const podReasons = [
  'Evicted',
  'NodeAffinity',
  'NodeLost',
  'PreemptionByScheduler',
  'SchedulingGated',
  'Shutdown',
  'TerminationByKubelet',
  'UnexpectedAdmissionError',
];

const qosClasses = ['BestEffort', 'Burstable', 'Guaranteed'];

/** ksm's getPodStatusReasonValue: the pod's reason, a condition's, or a terminated container's. */
function hasReason(pod: KubeObject, reason: string, statuses: ContainerStatus[]): boolean {
  return (
    pod.status?.reason === reason ||
    ((pod.status?.conditions as Array<{ reason?: string }> | undefined) ?? []).some(
      (c) => c.reason === reason,
    ) ||
    statuses.some((s) => s.state?.terminated?.reason === reason)
  );
}

/** Unix seconds of the moment a condition last turned to `status`, when it has that status. */
function conditionTime(pod: KubeObject, type: string, status: string): number | undefined {
  const c = podCondition(pod, type);
  return c?.status === status ? unixSeconds(c.lastTransitionTime) : undefined;
}

const podBase = (pod: KubeObject): Labels => ({
  namespace: pod.metadata.namespace ?? '',
  pod: pod.metadata.name ?? '',
  uid: pod.metadata.uid ?? '',
});

export function podFamilies(pods: KubeObject[], allowlist?: LabelsAllowlist): MetricFamily[] {
  const info: Sample[] = [];
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
  const completion: Sample[] = [];
  const containerInfo: Sample[] = [];
  const stateStarted: Sample[] = [];
  const terminated: Sample[] = [];
  const terminatedReason: Sample[] = [];
  const waiting: Sample[] = [];
  const ips: Sample[] = [];
  const restartPolicy: Sample[] = [];
  const scheduler: Sample[] = [];
  const serviceAccount: Sample[] = [];
  const times = { initialized: [] as Sample[], containersReady: [] as Sample[], ready: [] as Sample[] };
  const unscheduledTime: Sample[] = [];
  const qos: Sample[] = [];
  const tolerations: Sample[] = [];

  for (const pod of pods) {
    const base = podBase(pod);
    const node = (pod.spec?.nodeName as string | undefined) ?? '';
    const controller = ((pod.metadata.ownerReferences as OwnerReference[] | undefined) ?? []).find(
      (o) => o.controller,
    );
    const statuses = (pod.status?.containerStatuses as ContainerStatus[] | undefined) ?? [];
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
    const createdAt = unixSeconds(pod.metadata.creationTimestamp);
    if (createdAt !== undefined) created.push({ labels: base, value: createdAt });
    const deletedAt = unixSeconds(pod.metadata.deletionTimestamp);
    if (deletedAt !== undefined) deletion.push({ labels: base, value: deletedAt });
    const started = unixSeconds(pod.status?.startTime);
    if (started !== undefined) startTime.push({ labels: base, value: started });

    for (const r of podReasons)
      reason.push({ labels: { ...base, reason: r }, value: hasReason(pod, r, statuses) ? 1 : 0 });
    const finished = statuses
      .map((c) => unixSeconds(c.state?.terminated?.finishedAt))
      .filter((t): t is number => t !== undefined);
    if (finished.length > 0) completion.push({ labels: base, value: Math.max(...finished) });
    for (const ip of (pod.status?.podIPs as Array<{ ip: string }> | undefined) ?? [])
      ips.push({ labels: { ...base, ip: ip.ip, ip_family: ip.ip.includes(':') ? '6' : '4' }, value: 1 });
    restartPolicy.push({ labels: { ...base, type: pod.spec?.restartPolicy ?? '' }, value: 1 });
    scheduler.push({ labels: { ...base, name: pod.spec?.schedulerName ?? '' }, value: 1 });
    serviceAccount.push({
      labels: { ...base, service_account: pod.spec?.serviceAccountName ?? '' },
      value: 1,
    });
    for (const [target, type] of [
      [times.initialized, 'Initialized'],
      [times.containersReady, 'ContainersReady'],
      [times.ready, 'Ready'],
    ] as const) {
      const at = conditionTime(pod, type, 'True');
      if (at !== undefined) target.push({ labels: base, value: at });
    }
    const unscheduledAt = conditionTime(pod, 'PodScheduled', 'False');
    if (unscheduledAt !== undefined) unscheduledTime.push({ labels: base, value: unscheduledAt });
    const qosClass = pod.status?.qosClass as string | undefined;
    if (qosClass)
      for (const q of qosClasses)
        qos.push({ labels: { ...base, qos_class: q }, value: q === qosClass ? 1 : 0 });
    const seen = new Set<string>();
    for (const t of (pod.spec?.tolerations as Toleration[] | undefined) ?? []) {
      const labelsOf = {
        key: t.key ?? '',
        operator: t.operator ?? '',
        value: t.value ?? '',
        effect: t.effect ?? '',
        toleration_seconds: t.tolerationSeconds === undefined ? '' : String(t.tolerationSeconds),
      };
      const identity = JSON.stringify(labelsOf);
      if (seen.has(identity)) continue;
      seen.add(identity);
      tolerations.push({ labels: { ...base, ...labelsOf }, value: 1 });
    }
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
    for (const c of podContainers(pod)) {
      const s = statuses.find((status) => status.name === c.name);
      if (s)
        containerInfo.push({
          labels: {
            ...base,
            container: s.name,
            image_spec: c.image ?? '',
            image: s.image ?? '',
            image_id: s.imageID ?? '',
            container_id: s.containerID ?? '',
          },
          value: 1,
        });
    }
    for (const s of statuses) {
      const labelsOf = { ...base, container: s.name };
      const startedAt = unixSeconds(s.state?.running?.startedAt ?? s.state?.terminated?.startedAt);
      if (startedAt !== undefined) stateStarted.push({ labels: labelsOf, value: startedAt });
      terminated.push({ labels: labelsOf, value: s.state?.terminated ? 1 : 0 });
      if (s.state?.terminated)
        terminatedReason.push({ labels: { ...labelsOf, reason: s.state.terminated.reason ?? '' }, value: 1 });
      waiting.push({ labels: labelsOf, value: s.state?.waiting ? 1 : 0 });
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

  // Every pod family but the restart counter is a gauge: [name, help, samples].
  const gauges: Array<[string, string, Sample[]]> = [
    ['kube_pod_info', 'Information about pod.', info],
    ['kube_pod_owner', "Information about the Pod's owner.", ownerSamples(pods, podBase)],
    [
      'kube_pod_labels',
      'Kubernetes labels converted to Prometheus labels.',
      labelsSamples(pods, podBase, 'pods', allowlist),
    ],
    ['kube_pod_completion_time', 'Completion time in unix timestamp for a pod.', completion],
    ['kube_pod_ips', 'Pod IP addresses', ips],
    ['kube_pod_restart_policy', 'Describes the restart policy in use by this pod.', restartPolicy],
    ['kube_pod_scheduler', 'The scheduler for a pod.', scheduler],
    ['kube_pod_service_account', 'The service account for a pod.', serviceAccount],
    ['kube_pod_status_initialized_time', 'Initialized time in unix timestamp for a pod.', times.initialized],
    [
      'kube_pod_status_container_ready_time',
      'Readiness achieved time in unix timestamp for a pod containers.',
      times.containersReady,
    ],
    ['kube_pod_status_ready_time', 'Readiness achieved time in unix timestamp for a pod.', times.ready],
    [
      'kube_pod_status_unscheduled_time',
      'Unix timestamp when pod moved into unscheduled status',
      unscheduledTime,
    ],
    ['kube_pod_status_qos_class', 'The pods current qosClass.', qos],
    ['kube_pod_tolerations', 'Information about the pod tolerations', tolerations],
    ['kube_pod_container_info', 'Information about a container in a pod.', containerInfo],
    ['kube_pod_container_state_started', 'Start time in unix timestamp for a pod container.', stateStarted],
    [
      'kube_pod_container_status_terminated',
      'Describes whether the container is currently in terminated state.',
      terminated,
    ],
    [
      'kube_pod_container_status_terminated_reason',
      'Describes the reason the container is currently in terminated state.',
      terminatedReason,
    ],
    [
      'kube_pod_container_status_waiting',
      'Describes whether the container is currently in waiting state.',
      waiting,
    ],
    ['kube_pod_created', 'Unix creation timestamp', created],
    ['kube_pod_deletion_timestamp', 'Unix deletion timestamp', deletion],
    ['kube_pod_start_time', 'Start time in unix timestamp for a pod.', startTime],
    ['kube_pod_status_phase', 'The pods current phase.', phase],
    ['kube_pod_status_reason', 'The pod status reasons', reason],
    ['kube_pod_status_ready', 'Describes whether the pod is ready to serve requests.', ready],
    ['kube_pod_status_scheduled', 'Describes the status of the scheduling process for the pod.', scheduled],
    ['kube_pod_status_scheduled_time', 'Unix timestamp when pod moved into scheduled status', scheduledTime],
    ['kube_pod_status_unschedulable', 'Describes the unschedulable status for the pod.', unschedulable],
    [
      'kube_pod_container_resource_requests',
      'The number of requested request resource by a container.',
      requests,
    ],
    ['kube_pod_container_resource_limits', 'The number of requested limit resource by a container.', limits],
    [
      'kube_pod_container_status_ready',
      'Describes whether the containers readiness check succeeded.',
      containerReady,
    ],
    [
      'kube_pod_container_status_running',
      'Describes whether the container is currently in running state.',
      running,
    ],
    [
      'kube_pod_container_status_waiting_reason',
      'Describes the reason the container is currently in waiting state.',
      waitingReason,
    ],
    [
      'kube_pod_container_status_last_terminated_reason',
      'Describes the last reason the container was in terminated state.',
      lastTerminatedReason,
    ],
  ];
  return [
    ...gauges.map(([name, help, samples]) => family(name, 'gauge', help, samples)),
    family(
      'kube_pod_container_status_restarts_total',
      'counter',
      'The number of container restarts per container.',
      restarts,
    ),
  ];
}
