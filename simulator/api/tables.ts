import type { ResourceType } from '../store/resources.js';
import type { KubeObject } from '../store/types.js';
import { ageOf } from './age.js';
import { customResourcePrinter } from './printer-columns.js';
import { clusterPrinters } from './printers-cluster.js';
import {
  age,
  col,
  containersAndImages,
  type Json,
  name,
  none,
  type Printer,
  selectorText,
} from './table-columns.js';

/**
 * meta.k8s.io/v1 Table responses, which `kubectl get` asks for: the columns kube-apiserver's printers
 * (`pkg/printers/internalversion`) give the kinds this project uses, and NAME / CREATED AT for the rest.
 */

/** The STATUS column of a pod (`printPod`): a container's waiting/terminated reason wins over the phase. */
export function podStatusText(pod: Json): string {
  let reason: string = pod.status?.reason ?? pod.status?.phase ?? 'Pending';
  const initStatuses: Json[] = pod.status?.initContainerStatuses ?? [];
  const initCount = (pod.spec?.initContainers ?? []).length;
  let initializing = false;
  initStatuses.forEach((s, i) => {
    if (s.state?.terminated?.exitCode === 0) return;
    if (initializing) return;
    initializing = true;
    if (s.state?.terminated)
      reason = `Init:${s.state.terminated.reason ?? `ExitCode:${s.state.terminated.exitCode}`}`;
    else if (s.state?.waiting?.reason && s.state.waiting.reason !== 'PodInitializing')
      reason = `Init:${s.state.waiting.reason}`;
    else reason = `Init:${i}/${initCount}`;
  });
  if (!initializing) {
    let hasRunning = false;
    const statuses: Json[] = [...(pod.status?.containerStatuses ?? [])].reverse();
    for (const s of statuses) {
      if (s.state?.waiting?.reason) reason = s.state.waiting.reason;
      else if (s.state?.terminated?.reason) reason = s.state.terminated.reason;
      else if (s.state?.terminated)
        reason = s.state.terminated.signal
          ? `Signal:${s.state.terminated.signal}`
          : `ExitCode:${s.state.terminated.exitCode}`;
      else if (s.ready && s.state?.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) reason = 'Running';
  }
  if (pod.metadata?.deletionTimestamp) reason = pod.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

function podRestarts(pod: Json, now: number): string {
  const statuses: Json[] = pod.status?.containerStatuses ?? [];
  const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
  const last = statuses
    .map((s) => s.lastState?.terminated?.finishedAt as string | undefined)
    .filter((t): t is string => Boolean(t))
    .sort()
    .pop();
  return last && restarts > 0 ? `${restarts} (${ageOf(last, now)} ago)` : String(restarts);
}

function hpaTargets(hpa: Json): string {
  const current: Json[] = hpa.status?.currentMetrics ?? [];
  const list = (hpa.spec?.metrics ?? []).map((m: Json, i: number) => {
    const status = current[i];
    if (m.type === 'Resource' || m.type === 'ContainerResource') {
      const source = m.resource ?? m.containerResource;
      const cur = status?.resource ?? status?.containerResource;
      if (source?.target?.averageValue !== undefined)
        return `${source.name}: ${cur?.current?.averageValue ?? '<unknown>'}/${source.target.averageValue}`;
      const util = cur?.current?.averageUtilization;
      return `${source?.name}: ${util === undefined ? '<unknown>' : `${util}%`}/${source?.target?.averageUtilization}%`;
    }
    if (m.type === 'Pods')
      return `${status?.pods?.current?.averageValue ?? '<unknown>'}/${m.pods?.target?.averageValue}`;
    if (m.type === 'Object') {
      const t = m.object?.target;
      const c = status?.object?.current;
      return t?.averageValue !== undefined
        ? `${c?.averageValue ?? '<unknown>'}/${t.averageValue} (avg)`
        : `${c?.value ?? '<unknown>'}/${t?.value}`;
    }
    if (m.type === 'External') {
      const t = m.external?.target;
      const c = status?.external?.current;
      return t?.averageValue !== undefined
        ? `${c?.averageValue ?? '<unknown>'}/${t.averageValue} (avg)`
        : `${c?.value ?? '<unknown>'}/${t?.value}`;
    }
    return '<unknown>';
  });
  if (list.length === 0) return '<none>';
  return list.length > 4 ? `${list.slice(0, 4).join(', ')} + ${list.length - 4} more...` : list.join(', ');
}

function servicePorts(spec: Json): string {
  const ports: Json[] = spec?.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports
    .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`))
    .join(',');
}

function endpointsText(subsets: Json[] | undefined): string {
  const all: string[] = [];
  for (const s of subsets ?? []) {
    for (const a of s.addresses ?? [])
      for (const p of s.ports ?? [{}]) all.push(p.port ? `${a.ip}:${p.port}` : a.ip);
  }
  if (all.length === 0) return '<none>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

function nodeStatus(node: Json): string {
  const ready = (node.status?.conditions ?? []).find((c: Json) => c.type === 'Ready');
  let text = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
  if (node.spec?.unschedulable) text += ',SchedulingDisabled';
  return text;
}

function nodeRoles(node: Json): string {
  const roles = Object.keys(node.metadata?.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  return roles.length > 0 ? roles.sort().join(',') : '<none>';
}

function eventLastSeen(event: Json, now: number): string {
  const last = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp;
  const count = event.count ?? 1;
  if (count > 1 && event.firstTimestamp)
    return `${ageOf(last, now)} (x${count} over ${ageOf(event.firstTimestamp, now)})`;
  return ageOf(last, now);
}

const printers: Record<string, Printer> = {
  ...clusterPrinters,
  '/Pod': {
    columns: [
      name,
      col('Ready'),
      col('Status'),
      col('Restarts'),
      age,
      col('IP', 'string', 1),
      col('Node', 'string', 1),
      col('Nominated Node', 'string', 1),
      col('Readiness Gates', 'string', 1),
    ],
    cells: (p, now) => {
      const statuses: Json[] = p.status?.containerStatuses ?? [];
      const total = (p.spec?.containers ?? []).length;
      return [
        p.metadata.name,
        `${statuses.filter((s) => s.ready).length}/${total}`,
        podStatusText(p),
        podRestarts(p, now),
        ageOf(p.metadata.creationTimestamp, now),
        none(p.status?.podIP),
        none(p.spec?.nodeName),
        none(p.status?.nominatedNodeName),
        '<none>',
      ];
    },
  },
  'apps/Deployment': {
    columns: [
      name,
      col('Ready'),
      col('Up-to-date', 'integer'),
      col('Available', 'integer'),
      age,
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    cells: (d, now) => [
      d.metadata.name,
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      ageOf(d.metadata.creationTimestamp, now),
      ...containersAndImages(d.spec?.template),
      selectorText(d.spec?.selector),
    ],
  },
  'apps/ReplicaSet': {
    columns: [
      name,
      col('Desired', 'integer'),
      col('Current', 'integer'),
      col('Ready', 'integer'),
      age,
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    cells: (r, now) => [
      r.metadata.name,
      r.spec?.replicas ?? 0,
      r.status?.replicas ?? 0,
      r.status?.readyReplicas ?? 0,
      ageOf(r.metadata.creationTimestamp, now),
      ...containersAndImages(r.spec?.template),
      selectorText(r.spec?.selector),
    ],
  },
  '/Service': {
    columns: [
      name,
      col('Type'),
      col('Cluster-IP'),
      col('External-IP'),
      col('Port(s)'),
      age,
      col('Selector', 'string', 1),
    ],
    cells: (s, now) => {
      const ingress = (s.status?.loadBalancer?.ingress ?? []).map((i: Json) => i.ip ?? i.hostname);
      const external =
        s.spec?.type === 'LoadBalancer'
          ? ingress.length > 0
            ? ingress.join(',')
            : '<pending>'
          : s.spec?.type === 'ExternalName'
            ? s.spec.externalName
            : '<none>';
      return [
        s.metadata.name,
        s.spec?.type ?? 'ClusterIP',
        s.spec?.clusterIP ?? '<none>',
        external,
        servicePorts(s.spec),
        ageOf(s.metadata.creationTimestamp, now),
        selectorText(s.spec?.selector),
      ];
    },
  },
  '/Node': {
    columns: [
      name,
      col('Status'),
      col('Roles'),
      age,
      col('Version'),
      col('Internal-IP', 'string', 1),
      col('External-IP', 'string', 1),
      col('OS-Image', 'string', 1),
      col('Kernel-Version', 'string', 1),
      col('Container-Runtime', 'string', 1),
    ],
    cells: (n, now) => {
      const address = (type: string) =>
        none((n.status?.addresses ?? []).find((a: Json) => a.type === type)?.address);
      const info = n.status?.nodeInfo ?? {};
      return [
        n.metadata.name,
        nodeStatus(n),
        nodeRoles(n),
        ageOf(n.metadata.creationTimestamp, now),
        info.kubeletVersion ?? '',
        address('InternalIP'),
        address('ExternalIP'),
        none(info.osImage),
        none(info.kernelVersion),
        none(info.containerRuntimeVersion),
      ];
    },
  },
  'autoscaling/HorizontalPodAutoscaler': {
    columns: [
      name,
      col('Reference'),
      col('Targets'),
      col('MinPods', 'integer'),
      col('MaxPods', 'integer'),
      col('Replicas', 'integer'),
      age,
    ],
    cells: (h, now) => [
      h.metadata.name,
      `${h.spec?.scaleTargetRef?.kind}/${h.spec?.scaleTargetRef?.name}`,
      hpaTargets(h),
      h.spec?.minReplicas ?? 1,
      h.spec?.maxReplicas,
      h.status?.currentReplicas ?? 0,
      ageOf(h.metadata.creationTimestamp, now),
    ],
  },
  '/Event': {
    columns: [
      col('Last Seen'),
      col('Type'),
      col('Reason'),
      col('Object'),
      col('Subobject', 'string', 1),
      col('Source', 'string', 1),
      col('Message'),
      col('First Seen', 'string', 1),
      col('Count', 'integer', 1),
      { ...name, priority: 1 },
    ],
    cells: (e, now) => {
      const source = [e.source?.component, e.source?.host].filter(Boolean).join(', ');
      return [
        eventLastSeen(e, now),
        e.type ?? '',
        e.reason ?? '',
        `${String(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`,
        e.involvedObject?.fieldPath ?? '',
        source,
        String(e.message ?? '').trim(),
        ageOf(e.firstTimestamp ?? e.eventTime, now),
        e.count ?? 1,
        e.metadata.name,
      ];
    },
  },
  '/Namespace': {
    columns: [name, col('Status'), age],
    cells: (n, now) => [
      n.metadata.name,
      n.status?.phase ?? 'Active',
      ageOf(n.metadata.creationTimestamp, now),
    ],
  },
  '/Endpoints': {
    columns: [name, col('Endpoints'), age],
    cells: (e, now) => [e.metadata.name, endpointsText(e.subsets), ageOf(e.metadata.creationTimestamp, now)],
  },
  '/ConfigMap': {
    columns: [name, col('Data', 'integer'), age],
    cells: (c, now) => [
      c.metadata.name,
      Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length,
      ageOf(c.metadata.creationTimestamp, now),
    ],
  },
  '/Secret': {
    columns: [name, col('Type'), col('Data', 'integer'), age],
    cells: (s, now) => [
      s.metadata.name,
      s.type ?? 'Opaque',
      Object.keys(s.data ?? {}).length,
      ageOf(s.metadata.creationTimestamp, now),
    ],
  },
  'coordination.k8s.io/Lease': {
    columns: [name, col('Holder'), age],
    cells: (l, now) => [
      l.metadata.name,
      l.spec?.holderIdentity ?? '',
      ageOf(l.metadata.creationTimestamp, now),
    ],
  },
  'scheduling.k8s.io/PriorityClass': {
    columns: [
      name,
      col('Value', 'integer'),
      col('Global-Default'),
      age,
      col('Preemption-Policy', 'string', 1),
    ],
    cells: (p, now) => [
      p.metadata.name,
      p.value ?? 0,
      String(p.globalDefault ?? false),
      ageOf(p.metadata.creationTimestamp, now),
      p.preemptionPolicy ?? 'PreemptLowerPriority',
    ],
  },
};

const defaultPrinter: Printer = {
  columns: [name, { name: 'Created At', type: 'date' }],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(object: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

/** A Table of `objects` of one type, with the column definitions unless `noHeaders`. */
export function toTable(
  type: ResourceType,
  objects: KubeObject[],
  options: { now: number; include: IncludeObject; resourceVersion?: string; noHeaders?: boolean },
): Record<string, unknown> {
  const printer = printers[`${type.group}/${type.kind}`] ?? customResourcePrinter(type) ?? defaultPrinter;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: options.resourceVersion ? { resourceVersion: options.resourceVersion } : {},
    columnDefinitions: options.noHeaders
      ? []
      : printer.columns.map((c) => ({
          name: c.name,
          type: c.type,
          format: c.format ?? '',
          description: '',
          priority: c.priority ?? 0,
        })),
    rows: objects.map((o) => ({
      cells: printer.cells(o, options.now),
      object: rowObject(o, options.include),
    })),
  };
}
