import type { KubeObject } from '../store/types.js';
import type { Labels, MetricFamily, Sample } from './exposition.js';
import {
  conditionSamples,
  family,
  type LabelsAllowlist,
  metadataFamilies,
  resourceValue,
  unixSeconds,
} from './ksm-common.js';

/**
 * kube-state-metrics' families for ReplicaSets, StatefulSets, DaemonSets, Jobs, Namespaces, ResourceQuotas,
 * PodDisruptionBudgets and Services: the names, labels and values of ksm v2 (docs/metrics/workload, cluster, policy).
 */

type Field = [suffix: string, help: string, value: (o: KubeObject) => number | undefined];

/** One gauge per field, a sample per object that has a value. */
function gauges(
  prefix: string,
  objects: KubeObject[],
  base: (o: KubeObject) => Labels,
  fields: Field[],
): MetricFamily[] {
  return fields.map(([suffix, help, value]) =>
    family(
      `${prefix}_${suffix}`,
      'gauge',
      help,
      objects.flatMap((o) => {
        const v = value(o);
        return v === undefined ? [] : [{ labels: base(o), value: v }];
      }),
    ),
  );
}

const namespaced = (key: string) => (o: KubeObject) => ({
  namespace: o.metadata.namespace ?? '',
  [key]: o.metadata.name ?? '',
});
const generation = (o: KubeObject) => o.metadata.generation ?? 0;

export function replicaSetFamilies(sets: KubeObject[], allowlist?: LabelsAllowlist): MetricFamily[] {
  const base = namespaced('replicaset');
  return [
    ...gauges('kube_replicaset', sets, base, [
      ['status_replicas', 'The number of replicas per ReplicaSet.', (o) => o.status?.replicas ?? 0],
      [
        'status_fully_labeled_replicas',
        'The number of fully labeled replicas per ReplicaSet.',
        (o) => o.status?.fullyLabeledReplicas ?? 0,
      ],
      [
        'status_ready_replicas',
        'The number of ready replicas per ReplicaSet.',
        (o) => o.status?.readyReplicas ?? 0,
      ],
      [
        'status_observed_generation',
        'The generation observed by the ReplicaSet controller.',
        (o) => o.status?.observedGeneration ?? 0,
      ],
      ['spec_replicas', 'Number of desired pods for a ReplicaSet.', (o) => o.spec?.replicas ?? 1],
      [
        'metadata_generation',
        'Sequence number representing a specific generation of the desired state.',
        generation,
      ],
    ]),
    ...metadataFamilies('kube_replicaset', 'replicasets', sets, base, { allowlist, owner: 'ReplicaSet' }),
  ];
}

export function statefulSetFamilies(sets: KubeObject[], allowlist?: LabelsAllowlist): MetricFamily[] {
  const base = namespaced('statefulset');
  return [
    ...gauges('kube_statefulset', sets, base, [
      ['replicas', 'Number of desired pods for a StatefulSet.', (o) => o.spec?.replicas ?? 1],
      ['status_replicas', 'The number of replicas per StatefulSet.', (o) => o.status?.replicas ?? 0],
      [
        'status_replicas_available',
        'The number of available replicas per StatefulSet.',
        (o) => o.status?.availableReplicas ?? 0,
      ],
      [
        'status_replicas_current',
        'The number of current replicas per StatefulSet.',
        (o) => o.status?.currentReplicas ?? 0,
      ],
      [
        'status_replicas_ready',
        'The number of ready replicas per StatefulSet.',
        (o) => o.status?.readyReplicas ?? 0,
      ],
      [
        'status_replicas_updated',
        'The number of updated replicas per StatefulSet.',
        (o) => o.status?.updatedReplicas ?? 0,
      ],
      [
        'status_observed_generation',
        'The generation observed by the StatefulSet controller.',
        (o) => o.status?.observedGeneration ?? 0,
      ],
      [
        'metadata_generation',
        'Sequence number representing a specific generation of the desired state for the StatefulSet.',
        generation,
      ],
    ]),
    family(
      'kube_statefulset_status_current_revision',
      'gauge',
      'Indicates the version of the StatefulSet used to generate Pods in the sequence [0,currentReplicas).',
      sets.map((o) => ({ labels: { ...base(o), revision: o.status?.currentRevision ?? '' }, value: 1 })),
    ),
    family(
      'kube_statefulset_status_update_revision',
      'gauge',
      'Indicates the version of the StatefulSet used to generate Pods in the sequence [replicas-updatedReplicas,replicas)',
      sets.map((o) => ({ labels: { ...base(o), revision: o.status?.updateRevision ?? '' }, value: 1 })),
    ),
    family(
      'kube_statefulset_persistentvolumeclaim_retention_policy',
      'gauge',
      'Count of retention policy for StatefulSet template PVCs',
      sets.flatMap((o) => {
        const policy = o.spec?.persistentVolumeClaimRetentionPolicy;
        if (!policy?.whenDeleted && !policy?.whenScaled) return [];
        return [
          {
            labels: {
              ...base(o),
              when_deleted: policy.whenDeleted ?? '',
              when_scaled: policy.whenScaled ?? '',
            },
            value: 1,
          },
        ];
      }),
    ),
    ...metadataFamilies('kube_statefulset', 'statefulsets', sets, base, { allowlist }),
  ];
}

export function daemonSetFamilies(sets: KubeObject[], allowlist?: LabelsAllowlist): MetricFamily[] {
  const base = namespaced('daemonset');
  const status = (key: string) => (o: KubeObject) => o.status?.[key] ?? 0;
  return [
    ...gauges('kube_daemonset', sets, base, [
      [
        'status_current_number_scheduled',
        'The number of nodes running at least one daemon pod and are supposed to.',
        status('currentNumberScheduled'),
      ],
      [
        'status_desired_number_scheduled',
        'The number of nodes that should be running the daemon pod.',
        status('desiredNumberScheduled'),
      ],
      [
        'status_number_available',
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available',
        status('numberAvailable'),
      ],
      [
        'status_number_misscheduled',
        'The number of nodes running a daemon pod but are not supposed to.',
        status('numberMisscheduled'),
      ],
      [
        'status_number_ready',
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
        status('numberReady'),
      ],
      [
        'status_number_unavailable',
        'The number of nodes that should be running the daemon pod and have none of the daemon pod running and available',
        status('numberUnavailable'),
      ],
      [
        'status_observed_generation',
        'The most recent generation observed by the daemon set controller.',
        status('observedGeneration'),
      ],
      [
        'status_updated_number_scheduled',
        'The total number of nodes that are running updated daemon pod',
        status('updatedNumberScheduled'),
      ],
      [
        'metadata_generation',
        'Sequence number representing a specific generation of the desired state.',
        generation,
      ],
    ]),
    ...metadataFamilies('kube_daemonset', 'daemonsets', sets, base, { allowlist }),
  ];
}

function jobCondition(job: KubeObject, type: string): { status: string; reason?: string } | undefined {
  return (job.status?.conditions ?? []).find((c: { type: string }) => c.type === type);
}

export function jobFamilies(jobs: KubeObject[], allowlist?: LabelsAllowlist): MetricFamily[] {
  const base = namespaced('job_name');
  const failed: Sample[] = [];
  const complete: Sample[] = [];
  const failedCondition: Sample[] = [];
  for (const job of jobs) {
    const failure = jobCondition(job, 'Failed');
    failed.push({
      labels: {
        ...base(job),
        ...(failure?.status === 'True' && failure.reason ? { reason: failure.reason } : {}),
      },
      value: job.status?.failed ?? 0,
    });
    const done = jobCondition(job, 'Complete');
    if (done) complete.push(...conditionSamples(base(job), done.status, 'condition'));
    if (failure) failedCondition.push(...conditionSamples(base(job), failure.status, 'condition'));
  }
  return [
    family(
      'kube_job_info',
      'gauge',
      'Information about job.',
      jobs.map((j) => ({ labels: base(j), value: 1 })),
    ),
    ...gauges('kube_job', jobs, base, [
      [
        'spec_parallelism',
        'The maximum desired number of pods the job should run at any given time.',
        (o) => o.spec?.parallelism,
      ],
      [
        'spec_completions',
        'The desired number of successfully finished pods the job should be run with.',
        (o) => o.spec?.completions,
      ],
      [
        'spec_active_deadline_seconds',
        'The duration in seconds relative to the startTime that the job may be active before the system tries to terminate it.',
        (o) => o.spec?.activeDeadlineSeconds,
      ],
      ['status_active', 'The number of actively running pods.', (o) => o.status?.active ?? 0],
      ['status_ready', 'The number of ready pods that belong to this Job.', (o) => o.status?.ready ?? 0],
      [
        'status_succeeded',
        'The number of pods which reached Phase Succeeded.',
        (o) => o.status?.succeeded ?? 0,
      ],
      [
        'status_start_time',
        'StartTime represents time when the job was acknowledged by the Job Manager.',
        (o) => unixSeconds(o.status?.startTime),
      ],
      [
        'status_completion_time',
        'CompletionTime represents time when the job was completed.',
        (o) => unixSeconds(o.status?.completionTime),
      ],
    ]),
    family(
      'kube_job_status_failed',
      'gauge',
      'The number of pods which reached Phase Failed and the reason for failure.',
      failed,
    ),
    family('kube_job_complete', 'gauge', 'The job has completed its execution.', complete),
    family('kube_job_failed', 'gauge', 'The job has failed its execution.', failedCondition),
    ...metadataFamilies('kube_job', 'jobs', jobs, base, { allowlist, owner: 'Job' }),
  ];
}

const namespacePhases = ['Active', 'Terminating'];

export function namespaceFamilies(namespaces: KubeObject[], allowlist?: LabelsAllowlist): MetricFamily[] {
  const base = (o: KubeObject) => ({ namespace: o.metadata.name ?? '' });
  return [
    family(
      'kube_namespace_status_phase',
      'gauge',
      'kubernetes namespace status phase.',
      namespaces.flatMap((n) =>
        namespacePhases.map((phase) => ({
          labels: { ...base(n), phase },
          value: (n.status?.phase ?? 'Active') === phase ? 1 : 0,
        })),
      ),
    ),
    ...metadataFamilies('kube_namespace', 'namespaces', namespaces, base, { allowlist }),
  ];
}

export function resourceQuotaFamilies(quotas: KubeObject[]): MetricFamily[] {
  const base = namespaced('resourcequota');
  const samples: Sample[] = [];
  for (const quota of quotas) {
    for (const [type, values] of [
      ['hard', quota.status?.hard ?? quota.spec?.hard],
      ['used', quota.status?.used],
    ] as const) {
      for (const [resource, value] of Object.entries((values as Record<string, string> | undefined) ?? {})) {
        const parsed = resourceValue(resource.replace(/^(requests|limits)\./, ''), value, {
          countPods: true,
        });
        const amount = parsed?.value ?? Number(value);
        if (Number.isFinite(amount))
          samples.push({ labels: { ...base(quota), resource, type }, value: amount });
      }
    }
  }
  return [
    family('kube_resourcequota', 'gauge', 'Information about resource quota.', samples),
    family(
      'kube_resourcequota_created',
      'gauge',
      'Unix creation timestamp',
      quotas.flatMap((q) => {
        const t = unixSeconds(q.metadata.creationTimestamp);
        return t === undefined ? [] : [{ labels: base(q), value: t }];
      }),
    ),
  ];
}

export function disruptionBudgetFamilies(budgets: KubeObject[], allowlist?: LabelsAllowlist): MetricFamily[] {
  const base = namespaced('poddisruptionbudget');
  const status = (key: string) => (o: KubeObject) => o.status?.[key] ?? 0;
  return [
    ...gauges('kube_poddisruptionbudget', budgets, base, [
      ['status_current_healthy', 'Current number of healthy pods', status('currentHealthy')],
      ['status_desired_healthy', 'Minimum desired number of healthy pods', status('desiredHealthy')],
      [
        'status_pod_disruptions_allowed',
        'Number of pod disruptions that are currently allowed',
        status('disruptionsAllowed'),
      ],
      [
        'status_expected_pods',
        'Total number of pods counted by this disruption budget',
        status('expectedPods'),
      ],
      [
        'status_observed_generation',
        'Most recent generation observed when updating this PDB status',
        status('observedGeneration'),
      ],
    ]),
    ...metadataFamilies('kube_poddisruptionbudget', 'poddisruptionbudgets', budgets, base, { allowlist }),
  ];
}

export function serviceFamilies(services: KubeObject[], allowlist?: LabelsAllowlist): MetricFamily[] {
  const base = (o: KubeObject) => ({
    namespace: o.metadata.namespace ?? '',
    service: o.metadata.name ?? '',
    uid: o.metadata.uid ?? '',
  });
  return [
    family(
      'kube_service_info',
      'gauge',
      'Information about service.',
      services.map((o) => ({
        labels: {
          ...base(o),
          cluster_ip: o.spec?.clusterIP ?? '',
          external_name: o.spec?.externalName ?? '',
          load_balancer_ip: o.spec?.loadBalancerIP ?? '',
          external_traffic_policy: o.spec?.externalTrafficPolicy ?? '',
        },
        value: 1,
      })),
    ),
    family(
      'kube_service_spec_type',
      'gauge',
      'Type about service.',
      services.map((o) => ({ labels: { ...base(o), type: o.spec?.type ?? '' }, value: 1 })),
    ),
    ...metadataFamilies('kube_service', 'services', services, base, { allowlist }),
  ];
}
