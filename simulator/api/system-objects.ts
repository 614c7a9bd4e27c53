import { apiVersionOf, type ResourceRegistry, type ResourceType } from '../store/resources.js';
import type { KubeObject } from '../store/types.js';

/**
 * The objects a fresh kube-apiserver creates for itself (its bootstrap controllers and post-start hooks): the
 * system PriorityClasses, the default RBAC roles, one APIService per served group/version, and the default
 * StorageClass an installer such as kind or a managed cluster provides.
 */

export interface SystemObject {
  type: ResourceType;
  object: KubeObject;
}

const bootstrap = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

/** The default StorageClass kind installs (the real control plane's start creates it too, as an installer would). */
export function defaultStorageClass(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: 'standard',
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
    },
    provisioner: 'rancher.io/local-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

function priorityClass(name: string, value: number, description: string): KubeObject {
  return {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name },
    value,
    globalDefault: false,
    description,
    preemptionPolicy: 'PreemptLowerPriority',
  };
}

function clusterRole(name: string, rules: unknown[], aggregate?: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: {
      name,
      labels: {
        ...bootstrap,
        ...(aggregate ? { [`rbac.authorization.k8s.io/aggregate-to-${aggregate}`]: 'true' } : {}),
      },
      annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
    },
    rules,
  };
}

const readVerbs = ['get', 'list', 'watch'];
const writeVerbs = ['create', 'delete', 'deletecollection', 'patch', 'update'];

/** The APIService kube-apiserver registers for a group/version it serves itself (`Local`). */
export function localApiService(group: string, version: string): KubeObject {
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: {
      name: group ? `${version}.${group}` : version,
      labels: { 'kube-aggregator.kubernetes.io/automanaged': 'onstart' },
    },
    spec: { ...(group ? { group } : {}), version, groupPriorityMinimum: 18000, versionPriority: 15 },
    status: {
      conditions: [
        {
          type: 'Available',
          status: 'True',
          reason: 'Local',
          message: 'Local APIServices are always available',
        },
      ],
    },
  };
}

export function systemObjects(registry: ResourceRegistry): SystemObject[] {
  const of = (apiVersion: string, kind: string) => {
    const found = registry.byKind(apiVersion, kind);
    if (!found) throw new Error(`the resource table has no ${apiVersion} ${kind}`);
    return found;
  };
  const priorityClasses = of('scheduling.k8s.io/v1', 'PriorityClass');
  const clusterRoles = of('rbac.authorization.k8s.io/v1', 'ClusterRole');
  const apiServices = of('apiregistration.k8s.io/v1', 'APIService');
  const objects: SystemObject[] = [
    {
      type: priorityClasses,
      object: priorityClass(
        'system-cluster-critical',
        2000000000,
        'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
      ),
    },
    {
      type: priorityClasses,
      object: priorityClass(
        'system-node-critical',
        2000001000,
        'Used for system critical pods that must not be moved from their current node.',
      ),
    },
    {
      type: clusterRoles,
      object: clusterRole('cluster-admin', [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceURLs: ['*'], verbs: ['*'] },
      ]),
    },
    {
      type: clusterRoles,
      object: clusterRole('admin', [
        { apiGroups: ['*'], resources: ['*'], verbs: [...readVerbs, ...writeVerbs] },
      ]),
    },
    {
      type: clusterRoles,
      object: clusterRole(
        'edit',
        [{ apiGroups: ['*'], resources: ['*'], verbs: [...readVerbs, ...writeVerbs] }],
        'admin',
      ),
    },
    {
      type: clusterRoles,
      object: clusterRole('view', [{ apiGroups: ['*'], resources: ['*'], verbs: readVerbs }], 'edit'),
    },
    {
      type: of('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'),
      object: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: {
          name: 'cluster-admin',
          labels: bootstrap,
          annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
        },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }],
      },
    },
    {
      type: of('storage.k8s.io/v1', 'StorageClass'),
      object: defaultStorageClass(),
    },
  ];
  const groupVersions = new Map<string, { group: string; version: string }>();
  for (const t of registry.served())
    groupVersions.set(apiVersionOf(t), { group: t.group, version: t.version });
  for (const { group, version } of groupVersions.values()) {
    objects.push({ type: apiServices, object: localApiService(group, version) });
  }
  objects.push({
    type: apiServices,
    object: {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io', labels: { 'k8s-app': 'metrics-server' } },
      spec: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        service: { namespace: 'kube-system', name: 'metrics-server', port: 443 },
        groupPriorityMinimum: 100,
        versionPriority: 100,
        insecureSkipTLSVerify: true,
      },
      status: {
        conditions: [{ type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' }],
      },
    },
  });
  objects.push({
    type: apiServices,
    object: {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: {
        name: 'v1beta1.external.metrics.k8s.io',
        labels: { 'app.kubernetes.io/name': 'keda-operator-metrics-apiserver' },
      },
      spec: {
        group: 'external.metrics.k8s.io',
        version: 'v1beta1',
        service: { namespace: 'keda', name: 'keda-operator-metrics-apiserver', port: 443 },
        groupPriorityMinimum: 100,
        versionPriority: 100,
        insecureSkipTLSVerify: true,
      },
      status: {
        conditions: [{ type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' }],
      },
    },
  });
  return objects;
}

/** The Lease a node's kubelet holds in kube-node-lease (its heartbeat). */
export function nodeLease(node: string, now: string): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: node, namespace: 'kube-node-lease' },
    spec: { holderIdentity: node, leaseDurationSeconds: 40, renewTime: now.replace('Z', '.000000Z') },
  };
}
