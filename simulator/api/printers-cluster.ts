import { ageOf, humanDuration } from './age.js';
import {
  age,
  ageCell,
  col,
  containersAndImages,
  type Json,
  name,
  none,
  type Printer,
  selectorText,
} from './table-columns.js';

/**
 * The server-side printers (`pkg/printers/internalversion`) of the workload, batch, storage, networking, policy,
 * RBAC and aggregation kinds: the columns `kubectl get` shows for them on a real cluster.
 */

const accessModes: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

const modes = (list: string[] | undefined) => (list ?? []).map((m) => accessModes[m] ?? m).join(',');

function limited(items: string[], max = 3): string {
  if (items.length === 0) return '<none>';
  return items.length > max
    ? `${items.slice(0, max).join(',')} + ${items.length - max} more...`
    : items.join(',');
}

function jobStatus(job: Json): string {
  const conditions: Json[] = job.status?.conditions ?? [];
  const isTrue = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  if (isTrue('Complete')) return 'Complete';
  if (isTrue('Failed')) return 'Failed';
  if (isTrue('FailureTarget')) return 'FailureTarget';
  if (isTrue('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (isTrue('Suspended')) return 'Suspended';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  return 'Running';
}

function jobDuration(job: Json, now: number): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now;
  return humanDuration(end - Date.parse(start));
}

function subjectsOf(binding: Json, kind: string): string {
  return (binding.subjects ?? [])
    .filter((s: Json) => s.kind === kind)
    .map((s: Json) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name))
    .join(', ');
}

const bindingPrinter: Printer = {
  columns: [
    name,
    col('Role'),
    age,
    col('Users', 'string', 1),
    col('Groups', 'string', 1),
    col('ServiceAccounts', 'string', 1),
  ],
  cells: (b, now) => [
    b.metadata.name,
    `${b.roleRef?.kind}/${b.roleRef?.name}`,
    ageCell(b, now),
    subjectsOf(b, 'User'),
    subjectsOf(b, 'Group'),
    subjectsOf(b, 'ServiceAccount'),
  ],
};

function quotaUsage(quota: Json, limits: boolean): string {
  const hard = quota.status?.hard ?? quota.spec?.hard ?? {};
  return Object.keys(hard)
    .filter((k) => k.startsWith('limits.') === limits)
    .sort()
    .map((k) => `${k}: ${quota.status?.used?.[k] ?? '0'}/${hard[k]}`)
    .join(', ');
}

export const clusterPrinters: Record<string, Printer> = {
  '/ServiceAccount': {
    columns: [name, col('Secrets', 'integer'), age],
    cells: (s, now) => [s.metadata.name, (s.secrets ?? []).length, ageCell(s, now)],
  },
  'discovery.k8s.io/EndpointSlice': {
    columns: [name, col('AddressType'), col('Ports'), col('Endpoints'), age],
    cells: (e, now) => {
      const ports: Json[] = e.ports ?? [];
      return [
        e.metadata.name,
        e.addressType ?? '',
        ports.length === 0
          ? '<unset>'
          : ports.map((p) => (p.port === undefined ? '<unset>' : String(p.port))).join(','),
        limited((e.endpoints ?? []).flatMap((ep: Json) => ep.addresses ?? [])),
        ageCell(e, now),
      ];
    },
  },
  'networking.k8s.io/Ingress': {
    columns: [name, col('Class'), col('Hosts'), col('Address'), col('Ports'), age],
    cells: (i, now) => {
      const hosts = (i.spec?.rules ?? []).map((r: Json) => r.host ?? '*');
      const address = (i.status?.loadBalancer?.ingress ?? []).map((a: Json) => a.ip ?? a.hostname);
      return [
        i.metadata.name,
        none(i.spec?.ingressClassName),
        hosts.length ? hosts.join(',') : '*',
        address.join(','),
        i.spec?.tls?.length ? '80, 443' : '80',
        ageCell(i, now),
      ];
    },
  },
  'networking.k8s.io/IngressClass': {
    columns: [name, col('Controller'), col('Parameters'), age],
    cells: (c, now) => [c.metadata.name, c.spec?.controller ?? '', '<none>', ageCell(c, now)],
  },
  'networking.k8s.io/NetworkPolicy': {
    columns: [name, col('Pod-Selector'), age],
    cells: (n, now) => {
      const selector = selectorText(n.spec?.podSelector);
      return [n.metadata.name, selector === '<none>' ? '<none>' : selector, ageCell(n, now)];
    },
  },
  'batch/Job': {
    columns: [
      name,
      col('Status'),
      col('Completions'),
      col('Duration'),
      age,
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    cells: (j, now) => [
      j.metadata.name,
      jobStatus(j),
      j.spec?.completions === undefined
        ? `${j.status?.succeeded ?? 0}/1 of ${j.spec?.parallelism ?? 1}`.replace(/ of 1$/, '')
        : `${j.status?.succeeded ?? 0}/${j.spec.completions}`,
      jobDuration(j, now),
      ageCell(j, now),
      ...containersAndImages(j.spec?.template),
      selectorText(j.spec?.selector),
    ],
  },
  'batch/CronJob': {
    columns: [
      name,
      col('Schedule'),
      col('Timezone'),
      col('Suspend'),
      col('Active', 'integer'),
      col('Last Schedule'),
      age,
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    cells: (c, now) => [
      c.metadata.name,
      c.spec?.schedule ?? '',
      none(c.spec?.timeZone),
      c.spec?.suspend ? 'True' : 'False',
      (c.status?.active ?? []).length,
      c.status?.lastScheduleTime ? ageOf(c.status.lastScheduleTime, now) : '<none>',
      ageCell(c, now),
      ...containersAndImages(c.spec?.jobTemplate?.spec?.template),
      selectorText(c.spec?.jobTemplate?.spec?.selector),
    ],
  },
  'apps/StatefulSet': {
    columns: [name, col('Ready'), age, col('Containers', 'string', 1), col('Images', 'string', 1)],
    cells: (s, now) => [
      s.metadata.name,
      `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1}`,
      ageCell(s, now),
      ...containersAndImages(s.spec?.template),
    ],
  },
  'apps/DaemonSet': {
    columns: [
      name,
      col('Desired', 'integer'),
      col('Current', 'integer'),
      col('Ready', 'integer'),
      col('Up-to-date', 'integer'),
      col('Available', 'integer'),
      col('Node Selector'),
      age,
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    cells: (d, now) => [
      d.metadata.name,
      d.status?.desiredNumberScheduled ?? 0,
      d.status?.currentNumberScheduled ?? 0,
      d.status?.numberReady ?? 0,
      d.status?.updatedNumberScheduled ?? 0,
      d.status?.numberAvailable ?? 0,
      selectorText(d.spec?.template?.spec?.nodeSelector),
      ageCell(d, now),
      ...containersAndImages(d.spec?.template),
      selectorText(d.spec?.selector),
    ],
  },
  'apps/ControllerRevision': {
    columns: [name, col('Controller'), col('Revision', 'integer'), age],
    cells: (r, now) => {
      const owner = (r.metadata.ownerReferences ?? []).find((o: Json) => o.controller);
      const controller = owner
        ? `${String(owner.kind).toLowerCase()}.${String(owner.apiVersion).split('/')[0]}/${owner.name}`
        : '<none>';
      return [r.metadata.name, controller, r.revision ?? 0, ageCell(r, now)];
    },
  },
  'policy/PodDisruptionBudget': {
    columns: [name, col('Min Available'), col('Max Unavailable'), col('Allowed Disruptions', 'integer'), age],
    cells: (p, now) => [
      p.metadata.name,
      p.spec?.minAvailable === undefined ? 'N/A' : String(p.spec.minAvailable),
      p.spec?.maxUnavailable === undefined ? 'N/A' : String(p.spec.maxUnavailable),
      p.status?.disruptionsAllowed ?? 0,
      ageCell(p, now),
    ],
  },
  '/PersistentVolumeClaim': {
    columns: [
      name,
      col('Status'),
      col('Volume'),
      col('Capacity'),
      col('Access Modes'),
      col('StorageClass'),
      col('VolumeAttributesClass'),
      age,
      col('VolumeMode', 'string', 1),
    ],
    cells: (p, now) => [
      p.metadata.name,
      p.metadata.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? 'Pending'),
      p.spec?.volumeName ?? '',
      p.status?.capacity?.storage ?? '',
      modes(p.status?.accessModes),
      p.spec?.storageClassName ?? '',
      none(p.spec?.volumeAttributesClassName ?? p.status?.currentVolumeAttributesClassName),
      ageCell(p, now),
      p.spec?.volumeMode ?? 'Filesystem',
    ],
  },
  '/PersistentVolume': {
    columns: [
      name,
      col('Capacity'),
      col('Access Modes'),
      col('Reclaim Policy'),
      col('Status'),
      col('Claim'),
      col('StorageClass'),
      col('VolumeAttributesClass'),
      col('Reason'),
      age,
      col('VolumeMode', 'string', 1),
    ],
    cells: (p, now) => [
      p.metadata.name,
      p.spec?.capacity?.storage ?? '',
      modes(p.spec?.accessModes),
      p.spec?.persistentVolumeReclaimPolicy ?? 'Retain',
      p.status?.phase ?? 'Pending',
      p.spec?.claimRef ? `${p.spec.claimRef.namespace}/${p.spec.claimRef.name}` : '',
      p.spec?.storageClassName ?? '',
      none(p.spec?.volumeAttributesClassName),
      p.status?.reason ?? '',
      ageCell(p, now),
      p.spec?.volumeMode ?? 'Filesystem',
    ],
  },
  'storage.k8s.io/StorageClass': {
    columns: [
      name,
      col('Provisioner'),
      col('ReclaimPolicy'),
      col('VolumeBindingMode'),
      col('AllowVolumeExpansion'),
      age,
    ],
    cells: (s, now) => [
      s.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true'
        ? `${s.metadata.name} (default)`
        : s.metadata.name,
      s.provisioner ?? '',
      s.reclaimPolicy ?? 'Delete',
      s.volumeBindingMode ?? 'Immediate',
      String(s.allowVolumeExpansion ?? false),
      ageCell(s, now),
    ],
  },
  'rbac.authorization.k8s.io/RoleBinding': bindingPrinter,
  'rbac.authorization.k8s.io/ClusterRoleBinding': bindingPrinter,
  'apiregistration.k8s.io/APIService': {
    columns: [name, col('Service'), col('Available'), age],
    cells: (a, now) => {
      const available = (a.status?.conditions ?? []).find((c: Json) => c.type === 'Available');
      return [
        a.metadata.name,
        a.spec?.service ? `${a.spec.service.namespace}/${a.spec.service.name}` : 'Local',
        !available
          ? 'Unknown'
          : available.status === 'True'
            ? 'True'
            : `${available.status} (${available.reason})`,
        ageCell(a, now),
      ];
    },
  },
  '/ResourceQuota': {
    columns: [name, age, col('Request'), col('Limit')],
    cells: (q, now) => [q.metadata.name, ageCell(q, now), quotaUsage(q, false), quotaUsage(q, true)],
  },
};
