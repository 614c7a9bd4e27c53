import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonSetYaml, statefulSetYaml } from '../../scripts/conformance/workloads.js';
import type { RunningCluster } from '../../simulator/cluster.js';
import { kubectl, kubectlUntil } from '../simulator/cluster-kubectl-fixtures.js';
import { eventually } from '../support/eventually.js';

/**
 * The differential test's scenario: the same objects applied with real kubectl to a cluster, each step waited on
 * until it settles, then a snapshot of what a user and Prometheus see, normalised so that two clusters can be
 * compared: names made by controllers, uids, timestamps, resourceVersions, IPs and ports out.
 */

export const namespace = 'diff';

export const objects = `
apiVersion: v1
kind: Namespace
metadata: {name: diff}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: diff, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80}]
        resources: {requests: {cpu: 100m, memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: diff}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: diff}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 4
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: huge, namespace: diff}
spec:
  replicas: 1
  selector: {matchLabels: {app: huge}}
  template:
    metadata: {labels: {app: huge}}
    spec:
      containers: [{name: huge, image: nginx:1.27, resources: {requests: {cpu: "64"}}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: diff}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: step, image: "busybox:1.36", command: [echo, done], resources: {requests: {cpu: 10m}}}]
---
${statefulSetYaml(namespace, 2).trim()}
---
${daemonSetYaml(namespace).trim()}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: diff}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
---
# Selects no pod: its NoPods event comes on both, whatever the order in which the controllers see the web pods.
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: idle, namespace: diff}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: none}}
---
apiVersion: v1
kind: Pod
metadata: {name: solo, namespace: diff, labels: {app: solo}}
spec:
  containers: [{name: solo, image: "busybox:1.36", command: [sleep, infinity], resources: {requests: {cpu: 10m}}}]
`;

interface Condition {
  type: string;
  status: string;
  reason?: string;
}

interface Listed {
  kind: string;
  metadata: {
    name: string;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ kind: string; name: string }>;
  };
  status?: Record<string, unknown>;
}

/** Applies the objects, then the rollout to a new template and the scale-down, waiting on each until it settles. */
export async function runScenario(cluster: RunningCluster): Promise<Snapshot> {
  const home = await mkdtemp(join(tmpdir(), 'scalegate-differential-'));
  const env = { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: home };
  const must = async (args: string[], stdin?: string) => {
    const result = await kubectl(env, args, stdin);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const n = ['-n', namespace];
  try {
    await must(['apply', '-f', '-'], objects);
    await must([...n, 'rollout', 'status', 'deployment/web', '--timeout=120s']);
    await must([...n, 'rollout', 'status', 'statefulset/db', '--timeout=120s']);
    await must([...n, 'rollout', 'status', 'daemonset/agent', '--timeout=120s']);
    await must([...n, 'wait', '--for=condition=complete', 'job/once', '--timeout=120s']);
    await must([...n, 'wait', '--for=condition=Ready', 'pod/solo', '--timeout=120s']);
    await kubectlUntil(
      env,
      [...n, 'get', 'pods', '-l', 'app=huge', '-o', 'jsonpath={.items[*].status.conditions[0].reason}'],
      /^Unschedulable$/,
      120_000,
    );
    // A rollout to a new template, by server-side apply over the client-side one (kube-apiserver lets kubectl take
    // over the fields it applied without conflicts), then a scale-down; the HPA keeps `web` at 2 throughout.
    await must(
      ['apply', '--server-side', '-f', '-'],
      objects.replace('image: nginx:1.27\n        ports', 'image: nginx:1.28\n        ports'),
    );
    await must([...n, 'rollout', 'status', 'deployment/web', '--timeout=120s']);
    await must([...n, 'scale', 'statefulset/db', '--replicas=1']);
    await must([...n, 'rollout', 'status', 'statefulset/db', '--timeout=120s']);
    await kubectlUntil(env, [...n, 'get', 'pods', '-l', 'app=db', '-o', 'name'], /^pod\/db-0\n?$/, 120_000);
    // The HPA settles once it reads a metric (ScalingActive with a current CPU value), its downscale stabilization
    // window (30 s in the fast profile) holds only the idle recommendation (AbleToScale turns from
    // ScaleDownStabilized to ReadyForNewScale), and the pods are past the CPU initialization period, so that the
    // idle recommendation (1) is below the minimum (ScalingLimited: TooFewReplicas).
    await kubectlUntil(
      env,
      [
        ...n,
        'get',
        'hpa',
        'web',
        '-o',
        'jsonpath={.status.conditions[?(@.type=="ScalingActive")].reason} {.status.conditions[?(@.type=="AbleToScale")].reason} {.status.conditions[?(@.type=="ScalingLimited")].reason} {.status.currentMetrics[0].resource.current.averageUtilization}',
      ],
      /^ValidMetricFound ReadyForNewScale TooFewReplicas \d+$/,
      150_000,
    );
    await kubectlUntil(
      env,
      [...n, 'get', 'deployment', 'web', '-o', 'jsonpath={.status.replicas} {.status.updatedReplicas}'],
      /^2 2$/,
      120_000,
    );
    return await snapshot(cluster, env);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

export interface Snapshot {
  /** `Kind/name .path` → value, over the objects' status (pods and ReplicaSets named by their owner). */
  status: Map<string, string>;
  /** `Kind Type Reason` of every event in the namespace. */
  events: Set<string>;
  /** `family{label="value",...}` of the kube-state-metrics series of the namespace's objects. */
  metrics: Set<string>;
  /** What kubectl shows of a pod's log (node names out) and of the cluster's StorageClasses. */
  shown: Set<string>;
}

const kinds =
  'deployments,replicasets,pods,services,horizontalpodautoscalers,jobs,statefulsets,poddisruptionbudgets';

async function snapshot(cluster: RunningCluster, env: NodeJS.ProcessEnv): Promise<Snapshot> {
  const { stdout } = await kubectl(env, ['-n', namespace, 'get', kinds, '-o', 'json']);
  const items = (JSON.parse(stdout) as { items: Listed[] }).items;
  const status = new Map<string, string>();
  for (const item of items) {
    const name = stableName(item);
    // Two pods of one owner have the same normalised status; the map keeps one of each.
    flatten(`${item.kind}/${name} .status`, normaliseStatus(item.status ?? {}), status);
  }
  const events = new Set<string>();
  const listed = await kubectl(env, ['-n', namespace, 'get', 'events', '-o', 'json']);
  for (const e of (
    JSON.parse(listed.stdout) as {
      items: Array<{ involvedObject: { kind: string }; type: string; reason: string }>;
    }
  ).items)
    events.add(`${e.involvedObject.kind} ${e.type} ${e.reason}`);
  const ksm = cluster.kubeStateMetrics ?? `${new URL(cluster.metrics).origin}/metrics/kube-state-metrics`;
  const metrics = await eventually(`kube-state-metrics at ${ksm}`, async () => {
    const response = await fetch(ksm);
    return response.ok ? response.text() : undefined;
  });
  const log = await kubectl(env, ['-n', namespace, 'logs', 'pod/solo']);
  const classes = await kubectl(env, ['get', 'storageclasses']);
  const shown = new Set([
    `logs pod/solo: ${log.stdout.replace(/node-\d+/g, 'node-*')}${log.stderr}`,
    `get storageclasses: ${classes.stdout
      .trimEnd()
      .replace(/\s+\S+$/, '')
      .replace(/\s+/g, ' ')}${classes.stderr}`,
  ]);
  return { status, events, metrics: normaliseSeries(metrics), shown };
}

/**
 * A pod or ReplicaSet made by a controller is named by its owner (a ReplicaSet also by its revision, so the old and
 * the new one stay apart); a StatefulSet's pods keep their ordinal.
 */
function stableName(item: Listed): string {
  const owner = item.metadata.ownerReferences?.[0];
  if (!owner || (item.kind === 'Pod' && owner.kind === 'StatefulSet')) return item.metadata.name;
  if (item.kind === 'ReplicaSet')
    return `${owner.name}-<revision ${item.metadata.annotations?.['deployment.kubernetes.io/revision']}>`;
  if (owner.kind === 'ReplicaSet') return `${owner.name.replace(/-[a-z0-9]+$/, '')}-<hash>-<id>`;
  return `${owner.name}-<id>`;
}

/** Values that differ from one run to the next on any cluster. */
const volatileKeys = new Set([
  'lastTransitionTime',
  'lastUpdateTime',
  'lastProbeTime',
  'lastScaleTime',
  'startTime',
  'startedAt',
  'finishedAt',
  'completionTime',
  'containerID',
  'imageID',
  'hostIP',
  'hostIPs',
  'podIP',
  'podIPs',
  'message',
  'collisionCount',
  'currentRevision',
  'updateRevision',
  'uncountedTerminatedPods',
]);

function normaliseStatus(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    if (key === 'conditions')
      return Object.fromEntries(
        (value as Condition[]).map((c) => [c.type, `${c.status}${c.reason ? ` ${c.reason}` : ''}`]),
      );
    return value.map((v) => normaliseStatus(v));
  }
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !volatileKeys.has(k))
        .map(([k, v]) => [k, normaliseStatus(v, k)]),
    );
  // Measured utilisation depends on the moment it was read.
  if (key === 'averageUtilization' || key === 'averageValue') return '<measured>';
  return value;
}

function flatten(prefix: string, value: unknown, into: Map<string, string>): void {
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) into.set(prefix, Array.isArray(value) ? '[]' : '{}');
    for (const [k, v] of entries)
      flatten(Array.isArray(value) ? `${prefix}[${k}]` : `${prefix}.${k}`, v, into);
    return;
  }
  into.set(prefix, JSON.stringify(value));
}

/** Families of the kinds the scenario creates. */
const families =
  /^kube_(pod|deployment|replicaset|service|horizontalpodautoscaler|job|statefulset|daemonset|poddisruptionbudget|endpoint)_/;

/**
 * Label values that name what a controller or the cluster chose: uids, IPs, nodes, and the template hashes (the
 * real controllers hash the Go struct's printed form, which the built-in ones do not reproduce).
 */
const volatileLabels = new Set([
  'uid',
  'label_pod_template_hash',
  'label_controller_revision_hash',
  'label_controller_uid',
  'label_batch_kubernetes_io_controller_uid',
  'revision',
  'pod_ip',
  'host_ip',
  'ip',
  'node',
  'cluster_ip',
  'container_id',
  'image_id',
  'created_by_name',
  'internal_ip',
  'address',
  'port_number',
]);

/**
 * The series as `family{labels}`, and for each family that has one, `# family [STABLE]` or `# family` after its HELP
 * text's stability prefix.
 */
function normaliseSeries(text: string): Set<string> {
  const series = new Set<string>();
  const stable = new Map<string, boolean>();
  for (const line of text.split('\n')) {
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    if (help) stable.set(help[1] as string, (help[2] as string).startsWith('[STABLE] '));
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} \S+$/.exec(line);
    if (!m || !families.test(m[1] as string)) continue;
    const labels: Array<[string, string]> = [];
    for (const l of (m[2] as string).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels.push([l[1] as string, l[2] as string]);
    if (!labels.some(([k, v]) => k === 'namespace' && v === namespace)) continue;
    const shown = labels
      .map(([k, v]) => {
        if (volatileLabels.has(k)) return `${k}=*`;
        // Names made by controllers: web-<hash>, web-<hash>-<id>, once-<id>, agent-<id>.
        return `${k}="${v.replace(/^(web|huge)-[a-z0-9]{8,10}(-[a-z0-9]{5})?$/, '$1-*').replace(/^(once|agent)-[a-z0-9]{5}$/, '$1-*')}"`;
      })
      .sort()
      .join(',');
    series.add(`${m[1]}{${shown}}`);
    series.add(`# ${m[1]}${stable.get(m[1] as string) ? ' [STABLE]' : ''}`);
  }
  return series;
}
