import { apiVersionOf, type ResourceRegistry, type ResourceType } from '../store/resources.js';

/**
 * Discovery documents built from the resource table: legacy (`/api`, `/apis`, `/apis/<g>/<v>`) and the aggregated
 * form (apidiscovery.k8s.io/v2) kubectl 1.32 asks for first.
 */

/** Types served by the API server that are not stored (metrics.k8s.io is computed on request). */
export const metricsResourceTypes: ResourceType[] = [
  {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    kind: 'PodMetrics',
    plural: 'pods',
    singular: '',
    namespaced: true,
    subresources: [],
    verbs: ['get', 'list'],
  },
  {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    kind: 'NodeMetrics',
    plural: 'nodes',
    singular: '',
    namespaced: false,
    subresources: [],
    verbs: ['get', 'list'],
  },
  {
    group: 'external.metrics.k8s.io',
    version: 'v1beta1',
    kind: 'ExternalMetricValueList',
    plural: 'externalmetrics',
    singular: '',
    namespaced: true,
    subresources: [],
    verbs: ['get'],
  },
];

export const aggregatedDiscoveryContentType =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

const subresourceVerbs = ['get', 'patch', 'update'];

function servedTypes(registry: ResourceRegistry): ResourceType[] {
  return [...registry.served(), ...metricsResourceTypes];
}

function groupNames(types: ResourceType[]): string[] {
  return [...new Set(types.filter((t) => t.group !== '').map((t) => t.group))];
}

function versionsOf(types: ResourceType[], group: string): string[] {
  return [...new Set(types.filter((t) => t.group === group).map((t) => t.version))];
}

export function coreVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(types: ResourceType[], group: string): Record<string, unknown> {
  const versions = versionsOf(types, group).map((version) => ({
    groupVersion: `${group}/${version}`,
    version,
  }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function groupList(registry: ResourceRegistry): Record<string, unknown> {
  const types = servedTypes(registry);
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupNames(types).map((g) => apiGroup(types, g)) };
}

export function group(registry: ResourceRegistry, name: string): Record<string, unknown> | undefined {
  const types = servedTypes(registry);
  if (!groupNames(types).includes(name)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(types, name) };
}

function subresourceKind(t: ResourceType, sub: string): { group: string; version: string; kind: string } {
  return sub === 'scale'
    ? { group: 'autoscaling', version: 'v1', kind: 'Scale' }
    : { group: t.group, version: t.version, kind: t.kind };
}

interface Subresource {
  name: string;
  kind: { group: string; version: string; kind: string };
  verbs: string[];
}

/**
 * The connect and create-only subresources the API server answers itself (see server.ts): kubectl looks for
 * `pods/eviction` before draining (without it, drain deletes pods and ignores disruption budgets).
 */
const served: Record<string, Subresource[]> = {
  '/Pod': [
    {
      name: 'attach',
      kind: { group: '', version: 'v1', kind: 'PodAttachOptions' },
      verbs: ['create', 'get'],
    },
    { name: 'eviction', kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
    { name: 'exec', kind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: ['create', 'get'] },
    { name: 'log', kind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
    {
      name: 'portforward',
      kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' },
      verbs: ['create', 'get'],
    },
  ],
  '/ServiceAccount': [
    {
      name: 'token',
      kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
      verbs: ['create'],
    },
  ],
};

function subresourcesOf(t: ResourceType): Subresource[] {
  return [
    ...t.subresources.map((sub) => ({ name: sub, kind: subresourceKind(t, sub), verbs: subresourceVerbs })),
    ...(t.customResource ? [] : (served[`${t.group}/${t.kind}`] ?? [])),
  ];
}

export function resourceList(
  registry: ResourceRegistry,
  groupName: string,
  version: string,
): Record<string, unknown> | undefined {
  const types = servedTypes(registry).filter((t) => t.group === groupName && t.version === version);
  if (types.length === 0) return undefined;
  const resources = types.flatMap((t) => [
    {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs ?? [],
      ...(t.shortNames ? { shortNames: t.shortNames } : {}),
      ...(t.categories ? { categories: t.categories } : {}),
    },
    ...subresourcesOf(t).map((sub) => ({
      name: `${t.plural}/${sub.name}`,
      singularName: '',
      namespaced: t.namespaced,
      ...(sub.kind.group !== t.group || sub.kind.version !== t.version
        ? { group: sub.kind.group, version: sub.kind.version }
        : {}),
      kind: sub.kind.kind,
      verbs: sub.verbs,
    })),
  ]);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(types[0] as ResourceType),
    resources,
  };
}

function discoveryGroup(types: ResourceType[], groupName: string): Record<string, unknown> {
  return {
    metadata: groupName ? { name: groupName } : {},
    versions: versionsOf(types, groupName).map((version) => ({
      version,
      freshness: 'Current',
      resources: types
        .filter((t) => t.group === groupName && t.version === version)
        .map((t) => ({
          resource: t.plural,
          responseKind: { group: '', version: '', kind: t.kind },
          scope: t.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: t.singular,
          verbs: t.verbs ?? [],
          ...(t.shortNames ? { shortNames: t.shortNames } : {}),
          ...(t.categories ? { categories: t.categories } : {}),
          ...(subresourcesOf(t).length > 0
            ? {
                subresources: subresourcesOf(t).map((sub) => ({
                  subresource: sub.name,
                  responseKind: sub.kind,
                  verbs: sub.verbs,
                })),
              }
            : {}),
        })),
    })),
  };
}

/** apidiscovery.k8s.io/v2 APIGroupDiscoveryList for `/api` (core only) or `/apis` (every named group). */
export function aggregatedDiscovery(registry: ResourceRegistry, core: boolean): Record<string, unknown> {
  const types = servedTypes(registry);
  const groups = core ? [''] : groupNames(types);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((g) => discoveryGroup(types, g)),
  };
}

export const serverVersion = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-scalegate',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-12-11T00:00:00Z',
  goVersion: 'go1.23.3',
  compiler: 'gc',
  platform: 'linux/amd64',
};
