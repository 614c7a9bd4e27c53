import { parseQuantity } from '../../actions/lib/util/quantity.js';
import type { KubeObject } from '../store/types.js';
import type { Labels, MetricFamily, Sample } from './exposition.js';
import {
  conditionSamples,
  family,
  type LabelsAllowlist,
  labelsSamples,
  metadataFamilies,
  resourceValue,
} from './ksm-common.js';

/** kube-state-metrics families of HPAs, Deployments and Nodes (internal/store/{horizontalpodautoscaler,deployment,node}.go). */

interface MetricTarget {
  value?: string;
  averageValue?: string;
  averageUtilization?: number;
}

interface MetricSpec {
  type: string;
  resource?: { name: string; target?: MetricTarget; current?: MetricTarget };
  containerResource?: { name: string; container: string; target?: MetricTarget; current?: MetricTarget };
  pods?: { metric: { name: string }; target?: MetricTarget; current?: MetricTarget };
  object?: { metric: { name: string }; target?: MetricTarget; current?: MetricTarget };
  external?: { metric: { name: string }; target?: MetricTarget; current?: MetricTarget };
}

function milliFloat(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return Math.ceil(parseQuantity(value) * 1000 - 1e-9) / 1000;
  } catch {
    return undefined;
  }
}

/** One series per set field of a MetricTarget / MetricValueStatus, labelled as ksm's targetMetricLabels. */
function targetSamples(base: Labels, metric: MetricSpec, which: 'target' | 'current'): Sample[] {
  let name: string | undefined;
  let container = '';
  let t: MetricTarget | undefined;
  if (metric.type === 'Resource' && metric.resource) {
    name = metric.resource.name;
    t = metric.resource[which];
  } else if (metric.type === 'ContainerResource' && metric.containerResource) {
    name = metric.containerResource.name;
    container = metric.containerResource.container;
    t = metric.containerResource[which];
  } else if (metric.type === 'Pods' && metric.pods) {
    name = metric.pods.metric.name;
    t = metric.pods[which];
  } else if (metric.type === 'Object' && metric.object) {
    name = metric.object.metric.name;
    t = metric.object[which];
  } else if (metric.type === 'External' && metric.external) {
    name = metric.external.metric.name;
    t = metric.external[which];
  }
  if (name === undefined || !t) return [];
  const out: Sample[] = [];
  const push = (type: string, value: number | undefined) => {
    if (value !== undefined)
      out.push({ labels: { ...base, metric_name: name, metric_target_type: type, container }, value });
  };
  push('value', milliFloat(t.value));
  push('average', milliFloat(t.averageValue));
  push('utilization', t.averageUtilization);
  return out;
}

export function hpaFamilies(hpas: KubeObject[], allowlist?: LabelsAllowlist): MetricFamily[] {
  const info: Sample[] = [];
  const generation: Sample[] = [];
  const max: Sample[] = [];
  const min: Sample[] = [];
  const specTarget: Sample[] = [];
  const statusTarget: Sample[] = [];
  const upTolerance: Sample[] = [];
  const downTolerance: Sample[] = [];
  const condition: Sample[] = [];
  const current: Sample[] = [];
  const desired: Sample[] = [];
  for (const hpa of hpas) {
    const base = {
      namespace: hpa.metadata.namespace ?? '',
      horizontalpodautoscaler: hpa.metadata.name ?? '',
    };
    const ref = hpa.spec?.scaleTargetRef ?? {};
    info.push({
      labels: {
        ...base,
        scaletargetref_api_version: ref.apiVersion ?? '',
        scaletargetref_kind: ref.kind ?? '',
        scaletargetref_name: ref.name ?? '',
      },
      value: 1,
    });
    generation.push({ labels: base, value: hpa.metadata.generation ?? 0 });
    max.push({ labels: base, value: hpa.spec?.maxReplicas ?? 0 });
    min.push({ labels: base, value: hpa.spec?.minReplicas ?? 1 });
    for (const m of (hpa.spec?.metrics as MetricSpec[] | undefined) ?? [])
      specTarget.push(...targetSamples(base, m, 'target'));
    for (const m of (hpa.status?.currentMetrics as MetricSpec[] | undefined) ?? [])
      statusTarget.push(...targetSamples(base, m, 'current'));
    const up = milliFloat(hpa.spec?.behavior?.scaleUp?.tolerance);
    if (up !== undefined) upTolerance.push({ labels: base, value: up });
    const down = milliFloat(hpa.spec?.behavior?.scaleDown?.tolerance);
    if (down !== undefined) downTolerance.push({ labels: base, value: down });
    for (const c of (hpa.status?.conditions as Array<{ type: string; status: string }> | undefined) ?? [])
      condition.push(...conditionSamples({ ...base, condition: c.type }, c.status));
    current.push({ labels: base, value: hpa.status?.currentReplicas ?? 0 });
    desired.push({ labels: base, value: hpa.status?.desiredReplicas ?? 0 });
  }
  const p = 'kube_horizontalpodautoscaler_';
  const base = (o: KubeObject) => ({
    namespace: o.metadata.namespace ?? '',
    horizontalpodautoscaler: o.metadata.name ?? '',
  });
  return [
    ...metadataFamilies('kube_horizontalpodautoscaler', 'horizontalpodautoscalers', hpas, base, {
      allowlist,
    }),
    family(`${p}info`, 'gauge', 'Information about this autoscaler.', info),
    family(
      `${p}metadata_generation`,
      'gauge',
      'The generation observed by the HorizontalPodAutoscaler controller.',
      generation,
    ),
    family(
      `${p}spec_max_replicas`,
      'gauge',
      'Upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.',
      max,
    ),
    family(
      `${p}spec_min_replicas`,
      'gauge',
      'Lower limit for the number of pods that can be set by the autoscaler, default 1.',
      min,
    ),
    family(
      `${p}spec_target_metric`,
      'gauge',
      'The metric specifications used by this autoscaler when calculating the desired replica count.',
      specTarget,
    ),
    family(
      `${p}spec_behavior_scale_up_tolerance`,
      'gauge',
      'The scale up tolerance of this autoscaler.',
      upTolerance,
    ),
    family(
      `${p}spec_behavior_scale_down_tolerance`,
      'gauge',
      'The scale down tolerance of this autoscaler.',
      downTolerance,
    ),
    family(
      `${p}status_target_metric`,
      'gauge',
      'The current metric status used by this autoscaler when calculating the desired replica count.',
      statusTarget,
    ),
    family(`${p}status_condition`, 'gauge', 'The condition of this autoscaler.', condition),
    family(
      `${p}status_current_replicas`,
      'gauge',
      'Current number of replicas of pods managed by this autoscaler.',
      current,
    ),
    family(
      `${p}status_desired_replicas`,
      'gauge',
      'Desired number of replicas of pods managed by this autoscaler.',
      desired,
    ),
  ];
}

const allowedDeploymentReasons = new Set([
  'ReplicaSetUpdated',
  'ReplicaSetCreateError',
  'NewReplicaSetCreated',
  'FoundNewReplicaSet',
  'NewReplicaSetAvailable',
  'ProgressDeadlineExceeded',
  'DeploymentPaused',
  'DeploymentResumed',
  'MinimumReplicasAvailable',
  'MinimumReplicasUnavailable',
  '',
]);

/** intstr.GetScaledValueFromIntOrPercent: "25%" of replicas, rounded up for surge and down for unavailability. */
function scaled(value: unknown, replicas: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(String(value));
  if (!percent) return Number(value) || 0;
  const exact = (Number(percent[1]) * replicas) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export function deploymentFamilies(deployments: KubeObject[], allowlist?: LabelsAllowlist): MetricFamily[] {
  const fields: Array<[string, string, (d: KubeObject) => number]> = [
    ['spec_replicas', 'Number of desired pods for a deployment.', (d) => d.spec?.replicas ?? 1],
    ['status_replicas', 'The number of replicas per deployment.', (d) => d.status?.replicas ?? 0],
    [
      'status_replicas_ready',
      'The number of ready replicas per deployment.',
      (d) => d.status?.readyReplicas ?? 0,
    ],
    [
      'status_replicas_available',
      'The number of available replicas per deployment.',
      (d) => d.status?.availableReplicas ?? 0,
    ],
    [
      'status_replicas_unavailable',
      'The number of unavailable replicas per deployment.',
      (d) => d.status?.unavailableReplicas ?? 0,
    ],
    [
      'status_replicas_updated',
      'The number of updated replicas per deployment.',
      (d) => d.status?.updatedReplicas ?? 0,
    ],
    [
      'status_observed_generation',
      'The generation observed by the deployment controller.',
      (d) => d.status?.observedGeneration ?? 0,
    ],
    [
      'metadata_generation',
      'Sequence number representing a specific generation of the desired state.',
      (d) => d.metadata.generation ?? 0,
    ],
    [
      'spec_paused',
      'Whether the deployment is paused and will not be processed by the deployment controller.',
      (d) => (d.spec?.paused ? 1 : 0),
    ],
  ];
  const base = (d: KubeObject) => ({
    namespace: d.metadata.namespace ?? '',
    deployment: d.metadata.name ?? '',
  });
  const families = fields.map(([suffix, help, value]) =>
    family(
      `kube_deployment_${suffix}`,
      'gauge',
      help,
      deployments.map((d) => ({ labels: base(d), value: value(d) })),
    ),
  );
  const conditions: Sample[] = [];
  const surge: Sample[] = [];
  const unavailable: Sample[] = [];
  for (const d of deployments) {
    for (const c of (d.status?.conditions as
      | Array<{ type: string; status: string; reason?: string }>
      | undefined) ?? []) {
      const reason = allowedDeploymentReasons.has(c.reason ?? '') ? (c.reason ?? '') : 'unknown';
      conditions.push(...conditionSamples({ ...base(d), reason, condition: c.type }, c.status));
    }
    const strategy = d.spec?.strategy ?? {};
    if ((strategy.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const replicas = d.spec?.replicas ?? 1;
      surge.push({
        labels: base(d),
        value: scaled(strategy.rollingUpdate?.maxSurge ?? '25%', replicas, true),
      });
      unavailable.push({
        labels: base(d),
        value: scaled(strategy.rollingUpdate?.maxUnavailable ?? '25%', replicas, false),
      });
    }
  }
  families.push(
    ...metadataFamilies('kube_deployment', 'deployments', deployments, base, {
      allowlist,
      owner: 'Deployment',
      ownerIsController: false,
    }),
    family(
      'kube_deployment_status_condition',
      'gauge',
      'The current status conditions of a deployment.',
      conditions,
    ),
    family(
      'kube_deployment_spec_strategy_rollingupdate_max_surge',
      'gauge',
      'Maximum number of replicas that can be scheduled above the desired number of replicas during a rolling update of a deployment.',
      surge,
    ),
    family(
      'kube_deployment_spec_strategy_rollingupdate_max_unavailable',
      'gauge',
      'Maximum number of unavailable replicas during a rolling update of a deployment.',
      unavailable,
    ),
  );
  return families;
}

export function nodeFamilies(nodes: KubeObject[], allowlist?: LabelsAllowlist): MetricFamily[] {
  const info: Sample[] = [];
  const unschedulable: Sample[] = [];
  const roles: Sample[] = [];
  const taints: Sample[] = [];
  const conditions: Sample[] = [];
  const allocatable: Sample[] = [];
  const capacity: Sample[] = [];
  for (const n of nodes) {
    const base = { node: n.metadata.name ?? '' };
    const nodeInfo = n.status?.nodeInfo ?? {};
    const internalIp =
      (n.status?.addresses as Array<{ type: string; address: string }> | undefined)?.find(
        (a) => a.type === 'InternalIP',
      )?.address ?? '';
    info.push({
      labels: {
        ...base,
        kernel_version: nodeInfo.kernelVersion ?? '',
        os_image: nodeInfo.osImage ?? '',
        container_runtime_version: nodeInfo.containerRuntimeVersion ?? '',
        kubelet_version: nodeInfo.kubeletVersion ?? '',
        kubeproxy_version: 'deprecated',
        provider_id: n.spec?.providerID ?? '',
        pod_cidr: n.spec?.podCIDR ?? '',
        system_uuid: nodeInfo.systemUUID ?? '',
        internal_ip: internalIp,
      },
      value: 1,
    });
    unschedulable.push({ labels: base, value: n.spec?.unschedulable ? 1 : 0 });
    for (const key of Object.keys(n.metadata.labels ?? {}))
      if (key.startsWith('node-role.kubernetes.io/'))
        roles.push({ labels: { ...base, role: key.slice('node-role.kubernetes.io/'.length) }, value: 1 });
    for (const t of (n.spec?.taints as Array<{ key: string; value?: string; effect: string }> | undefined) ??
      [])
      taints.push({ labels: { ...base, key: t.key, value: t.value ?? '', effect: t.effect }, value: 1 });
    for (const c of (n.status?.conditions as Array<{ type: string; status: string }> | undefined) ?? [])
      conditions.push(...conditionSamples({ ...base, condition: c.type }, c.status));
    for (const [target, resources] of [
      [allocatable, n.status?.allocatable],
      [capacity, n.status?.capacity],
    ] as const) {
      for (const [name, value] of Object.entries((resources as Record<string, string> | undefined) ?? {})) {
        const r = resourceValue(name, value, { countPods: true });
        if (r) target.push({ labels: { ...base, resource: r.resource, unit: r.unit }, value: r.value });
      }
    }
  }
  return [
    family('kube_node_info', 'gauge', 'Information about a cluster node.', info),
    family(
      'kube_node_labels',
      'gauge',
      'Kubernetes labels converted to Prometheus labels.',
      labelsSamples(nodes, (n) => ({ node: n.metadata.name ?? '' }), 'nodes', allowlist),
    ),
    family('kube_node_spec_unschedulable', 'gauge', 'Whether a node can schedule new pods.', unschedulable),
    family('kube_node_role', 'gauge', 'The role of a cluster node.', roles),
    family('kube_node_spec_taint', 'gauge', 'The taint of a cluster node.', taints),
    family('kube_node_status_condition', 'gauge', 'The condition of a cluster node.', conditions),
    family(
      'kube_node_status_allocatable',
      'gauge',
      'The allocatable for different resources of a node that are available for scheduling.',
      allocatable,
    ),
    family('kube_node_status_capacity', 'gauge', 'The capacity for different resources of a node.', capacity),
  ];
}
