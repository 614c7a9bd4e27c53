import type { ResourceType } from '../store/resources.js';
import type { KubeObject } from '../store/types.js';
import { defaultLimitRange } from './limit-ranger.js';

/**
 * Defaulting as kube-apiserver applies it on create and update (`pkg/apis/<group>/v1/defaults.go`), for the fields the
 * rest of the local cluster and kubectl's output rely on.
 */

// biome-ignore lint/suspicious/noExplicitAny: defaulting walks untyped JSON of many kinds.
type Json = any;

function imagePullPolicy(image: string | undefined): string {
  const ref = image ?? '';
  const tag = ref.includes('@') ? 'digest' : /:[^/]+$/.exec(ref)?.[0]?.slice(1);
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(container: Json): void {
  container.terminationMessagePath ??= '/dev/termination-log';
  container.terminationMessagePolicy ??= 'File';
  container.imagePullPolicy ??= imagePullPolicy(container.image);
  container.resources ??= {};
  const limits = container.resources.limits;
  // A limit without a request means request = limit (SetDefaults_Pod).
  if (limits) container.resources.requests = { ...limits, ...(container.resources.requests ?? {}) };
  for (const port of container.ports ?? []) port.protocol ??= 'TCP';
  for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
    if (!probe) continue;
    probe.timeoutSeconds ??= 1;
    probe.periodSeconds ??= 10;
    probe.successThreshold ??= 1;
    probe.failureThreshold ??= 3;
  }
}

export function defaultPodSpec(spec: Json): void {
  if (!spec) return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) defaultContainer(c);
}

function defaultTemplate(template: Json): void {
  if (!template) return;
  // A zero time is no time: `creationTimestamp: null` (kubectl rollout undo sends it) must not make a new template.
  if (template.metadata?.creationTimestamp === null) delete template.metadata.creationTimestamp;
  template.spec ??= {};
  defaultPodSpec(template.spec);
}

function defaultDeployment(spec: Json): void {
  spec.replicas ??= 1;
  spec.strategy ??= {};
  spec.strategy.type ??= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultTemplate(spec.template);
}

function defaultService(spec: Json, allocateIp: () => string, allocateNodePort?: () => number): void {
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type !== 'ExternalName') {
    if (!spec.clusterIP) spec.clusterIP = allocateIp();
    spec.clusterIPs ??= [spec.clusterIP];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  const nodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  for (const port of spec.ports ?? []) {
    port.protocol ??= 'TCP';
    port.targetPort ??= port.port;
    if (nodePorts && !port.nodePort && allocateNodePort) port.nodePort = allocateNodePort();
  }
}

function defaultJob(spec: Json): void {
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  defaultTemplate(spec.template);
}

function defaultCronJob(spec: Json): void {
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  spec.jobTemplate ??= {};
  spec.jobTemplate.spec ??= {};
  defaultTemplate(spec.jobTemplate.spec.template);
}

function defaultStatefulSet(spec: Json): void {
  spec.replicas ??= 1;
  spec.podManagementPolicy ??= 'OrderedReady';
  spec.updateStrategy ??= { type: 'RollingUpdate' };
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    spec.updateStrategy.rollingUpdate.partition ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
  defaultTemplate(spec.template);
}

function defaultDaemonSet(spec: Json): void {
  spec.updateStrategy ??= { type: 'RollingUpdate' };
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
    spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate(spec.template);
}

function defaultHpa(spec: Json): void {
  spec.minReplicas ??= 1;
  if (!spec.metrics || spec.metrics.length === 0) {
    spec.metrics = [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ];
  }
  const behavior = spec.behavior;
  if (!behavior) return;
  behavior.scaleUp ??= {};
  behavior.scaleUp.stabilizationWindowSeconds ??= 0;
  behavior.scaleUp.selectPolicy ??= 'Max';
  behavior.scaleUp.policies ??= [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ];
  behavior.scaleDown ??= {};
  behavior.scaleDown.selectPolicy ??= 'Max';
  behavior.scaleDown.policies ??= [{ type: 'Percent', value: 100, periodSeconds: 15 }];
}

function qosClass(spec: Json): string {
  const containers: Json[] = spec?.containers ?? [];
  const resources = containers.map((c) => c.resources ?? {});
  const any = resources.some(
    (r) => Object.keys(r.requests ?? {}).length + Object.keys(r.limits ?? {}).length > 0,
  );
  if (!any) return 'BestEffort';
  const guaranteed = resources.every(
    (r) =>
      ['cpu', 'memory'].every((k) => r.limits?.[k] !== undefined) &&
      ['cpu', 'memory'].every((k) => String(r.requests?.[k] ?? r.limits?.[k]) === String(r.limits?.[k])),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Fills the defaults of an object about to be stored; the allocators hand out Service cluster IPs and node ports. */
export function applyDefaults(
  type: ResourceType,
  object: KubeObject,
  allocateIp: () => string,
  allocateNodePort?: () => number,
): void {
  const key = `${type.group}/${type.kind}`;
  const withSpec = [
    '/Pod',
    'apps/Deployment',
    'apps/ReplicaSet',
    '/Service',
    'autoscaling/HorizontalPodAutoscaler',
  ];
  if (withSpec.includes(key)) object.spec ??= {};
  const spec = object.spec;
  switch (key) {
    case '/Pod':
      defaultPodSpec(spec);
      spec.priority ??= 0;
      break;
    case 'apps/Deployment':
      defaultDeployment(spec);
      break;
    case 'apps/ReplicaSet':
      spec.replicas ??= 1;
      defaultTemplate(spec.template);
      break;
    case 'batch/Job':
      if (spec) defaultJob(spec);
      break;
    case 'batch/CronJob':
      if (spec) defaultCronJob(spec);
      break;
    case 'apps/StatefulSet':
      if (spec) defaultStatefulSet(spec);
      break;
    case 'apps/DaemonSet':
      if (spec) defaultDaemonSet(spec);
      break;
    case '/Service':
      defaultService(spec, allocateIp, allocateNodePort);
      break;
    case 'autoscaling/HorizontalPodAutoscaler':
      defaultHpa(spec);
      break;
    case '/Namespace':
      object.spec ??= { finalizers: ['kubernetes'] };
      object.status ??= { phase: 'Active' };
      break;
    case '/Secret':
      object.type ??= 'Opaque';
      break;
    case '/LimitRange':
      defaultLimitRange(object.spec);
      break;
  }
}

/**
 * The status a new object starts with: kube-apiserver drops a client's status on create for types with a status
 * subresource (nodes and namespaces keep theirs); a new pod is Pending with its QoS class, a new Service has an
 * empty load-balancer status.
 */
export function initialStatus(type: ResourceType, object: KubeObject): void {
  if (type.group === '' && type.kind === 'Pod') {
    object.status = { phase: 'Pending', qosClass: qosClass(object.spec) };
    return;
  }
  if (type.group === '' && type.kind === 'Service') {
    object.status = { loadBalancer: {} };
    return;
  }
  if (type.group === '' && (type.kind === 'Node' || type.kind === 'Namespace')) return;
  if (type.subresources.includes('status')) delete object.status;
}
