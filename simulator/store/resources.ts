/**
 * The resource types the local cluster serves. The API server builds discovery from this table and routes by it;
 * controllers look types up by kind. Add a row to serve a new type.
 */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** URL segment, e.g. `deployments`. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Subresources served under `<plural>/<name>/<sub>`. */
  subresources: Array<'status' | 'scale'>;
  verbs?: string[];
  /** Defined by a CustomResourceDefinition (read as JSON only, no protobuf). */
  customResource?: boolean;
  /** A CRD version's `additionalPrinterColumns`: the Table columns after NAME (AGE when none is given). */
  printerColumns?: Array<{
    name: string;
    type: string;
    jsonPath: string;
    priority?: number;
    format?: string;
  }>;
  /** Another version of the same stored type, converted on the way in and out (autoscaling/v1 HPAs). */
  storedAs?: { group: string; version: string };
  /** A custom resource version's `openAPIV3Schema`: what its objects keep (simulator/api/field-validation.ts). */
  schema?: Record<string, unknown>;
}

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** Review kinds (SelfSubjectAccessReview...) are only ever created: the answer comes back in the response. */
const createOnly = { verbs: ['create'] };

function type(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<ResourceType> = {},
): ResourceType {
  return {
    group,
    version,
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    subresources: [],
    verbs: allVerbs,
    ...extra,
  };
}

export const builtinResourceTypes: ResourceType[] = [
  type('', 'v1', 'Namespace', 'namespaces', false, { shortNames: ['ns'], subresources: ['status'] }),
  type('', 'v1', 'Node', 'nodes', false, { shortNames: ['no'], subresources: ['status'] }),
  type('', 'v1', 'Pod', 'pods', true, { shortNames: ['po'], categories: ['all'], subresources: ['status'] }),
  type('', 'v1', 'Service', 'services', true, {
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status'],
  }),
  type('', 'v1', 'Endpoints', 'endpoints', true, { shortNames: ['ep'], singular: 'endpoints' }),
  type('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  type('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  type('', 'v1', 'Secret', 'secrets', true),
  type('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
  type('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, {
    shortNames: ['pvc'],
    subresources: ['status'],
  }),
  type('', 'v1', 'PersistentVolume', 'persistentvolumes', false, {
    shortNames: ['pv'],
    subresources: ['status'],
  }),
  type('', 'v1', 'ResourceQuota', 'resourcequotas', true, {
    shortNames: ['quota'],
    subresources: ['status'],
  }),
  type('', 'v1', 'LimitRange', 'limitranges', true, { shortNames: ['limits'] }),
  type('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
  type('apps', 'v1', 'Deployment', 'deployments', true, {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  type('apps', 'v1', 'ReplicaSet', 'replicasets', true, {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  type('apps', 'v1', 'StatefulSet', 'statefulsets', true, {
    shortNames: ['sts'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  type('apps', 'v1', 'DaemonSet', 'daemonsets', true, {
    shortNames: ['ds'],
    categories: ['all'],
    subresources: ['status'],
  }),
  type('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true),
  type('batch', 'v1', 'Job', 'jobs', true, { categories: ['all'], subresources: ['status'] }),
  type('batch', 'v1', 'CronJob', 'cronjobs', true, {
    shortNames: ['cj'],
    categories: ['all'],
    subresources: ['status'],
  }),
  type('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, {
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: ['status'],
  }),
  // After v2: the first version listed is the group's preferred one.
  type('autoscaling', 'v1', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, {
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: ['status'],
    storedAs: { group: 'autoscaling', version: 'v2' },
  }),
  type('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  type('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false, { shortNames: ['pc'] }),
  type('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, {
    shortNames: ['pdb'],
    subresources: ['status'],
  }),
  type('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  type('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  type('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  type('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  type(
    'authorization.k8s.io',
    'v1',
    'SelfSubjectAccessReview',
    'selfsubjectaccessreviews',
    false,
    createOnly,
  ),
  type('authorization.k8s.io', 'v1', 'SubjectAccessReview', 'subjectaccessreviews', false, createOnly),
  type('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', false, createOnly),
  type('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, { shortNames: ['netpol'] }),
  type('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false),
  type('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, { shortNames: ['sc'] }),
  type('apiregistration.k8s.io', 'v1', 'APIService', 'apiservices', false, { subresources: ['status'] }),
  type('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, {
    shortNames: ['crd', 'crds'],
    subresources: ['status'],
  }),
  type('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, {
    shortNames: ['ing'],
    subresources: ['status'],
  }),
  type('gateway.networking.k8s.io', 'v1', 'HTTPRoute', 'httproutes', true, { subresources: ['status'] }),
  type('keda.sh', 'v1alpha1', 'ScaledObject', 'scaledobjects', true, {
    shortNames: ['so'],
    subresources: ['status'],
    // The columns of KEDA's CRD (config/crd/bases/keda.sh_scaledobjects.yaml).
    printerColumns: [
      { name: 'ScaleTargetKind', type: 'string', jsonPath: '.status.scaleTargetKind' },
      { name: 'ScaleTargetName', type: 'string', jsonPath: '.spec.scaleTargetRef.name' },
      { name: 'Min', type: 'integer', jsonPath: '.spec.minReplicaCount' },
      { name: 'Max', type: 'integer', jsonPath: '.spec.maxReplicaCount' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Active', type: 'string', jsonPath: '.status.conditions[?(@.type=="Active")].status' },
      { name: 'Fallback', type: 'string', jsonPath: '.status.conditions[?(@.type=="Fallback")].status' },
      { name: 'Paused', type: 'string', jsonPath: '.status.conditions[?(@.type=="Paused")].status' },
      { name: 'Triggers', type: 'string', jsonPath: '.spec.triggers[*].type' },
      { name: 'Authentications', type: 'string', jsonPath: '.spec.triggers[*].authenticationRef.name' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  }),
  type('monitoring.coreos.com', 'v1', 'ServiceMonitor', 'servicemonitors', true, { shortNames: ['smon'] }),
  type('k6.io', 'v1alpha1', 'TestRun', 'testruns', true, { subresources: ['status'] }),
];

/** Looks resource types up by plural, kind or group/version. */
export class ResourceRegistry {
  private readonly types: ResourceType[];

  constructor(types: ResourceType[] = builtinResourceTypes) {
    this.types = [...types];
  }

  /** The stored types, once each (what controllers, the garbage collector and namespace deletion walk). */
  all(): readonly ResourceType[] {
    return this.types.filter((t) => !t.storedAs);
  }

  /** Every served group/version/kind, including versions converted to a stored one (discovery, OpenAPI). */
  served(): readonly ResourceType[] {
    return this.types;
  }

  /** The stored type behind a served one (itself unless it is a converted version). */
  storage(type: ResourceType): ResourceType {
    const at = type.storedAs;
    return (at && this.byPlural(at.group, at.version, type.plural)) || type;
  }

  add(resourceType: ResourceType): void {
    this.types.push(resourceType);
  }

  remove(resourceType: ResourceType): void {
    const at = this.types.indexOf(resourceType);
    if (at >= 0) this.types.splice(at, 1);
  }

  byPlural(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  /** By `apiVersion` (`apps/v1`, `v1`) and kind, as found in an object. */
  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    return this.types.find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  groupVersions(): Array<{ group: string; version: string }> {
    const seen = new Map<string, { group: string; version: string }>();
    for (const t of this.types) seen.set(`${t.group}/${t.version}`, { group: t.group, version: t.version });
    return [...seen.values()];
  }
}

export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** The key a type is stored under: `apps/deployments`, `/pods`. */
export function resourceKey(t: ResourceType): string {
  return `${t.group}/${t.plural}`;
}
