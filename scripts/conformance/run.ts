import { setTimeout as delay } from 'node:timers/promises';
import { PrometheusClient } from '../../actions/lib/prometheus/client.js';
import { startPrometheus } from '../../cli/local/prometheus-server.js';
import { type ControlPlaneKind, startCluster } from '../../simulator/cluster.js';
import { clusterScrapeConfigs } from '../../simulator/dataplane/scrape-config.js';
import { kubectlMatrix } from './kubectl-matrix.js';
import { type MixinQuery, mixinQueries } from './mixin-queries.js';
import { type CaseResult, runKubectlMatrix, share, splitArgs } from './run-kubectl.js';
import { daemonSetYaml, statefulSetYaml } from './workloads.js';

/**
 * The conformance run: a local cluster with its controllers, the everyday-kubectl matrix with real kubectl, then a
 * set of workloads of every kind the mixin watches and a real Prometheus scraping the cluster with
 * kube-prometheus-stack's layout, and the upstream queries against it.
 */

export interface QueryResult {
  source: string;
  conforms: boolean;
  series: number;
  error?: string;
}

export interface ConformanceReport {
  kubectl: CaseResult[];
  queries: QueryResult[];
  kubectlShare: number;
  queryShare: number;
}

/**
 * The workloads the queries read: limits, an HPA, a StatefulSet, a DaemonSet, a running Job and a failed one, a
 * crash-looping container, a PDB and a quota (the alerts' series exist only for the states they watch).
 */
const workloads = `
apiVersion: v1
kind: Namespace
metadata: {name: mixin}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: mixin}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 200m, memory: 128Mi}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: mixin}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 4
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]
---
${statefulSetYaml('mixin', 1).trim()}
---
${daemonSetYaml('mixin').trim()}
---
apiVersion: batch/v1
kind: Job
metadata: {name: batch, namespace: mixin}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: step, image: "busybox:1.36", command: [sleep, "600"], resources: {requests: {cpu: 10m}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: crasher, namespace: mixin}
spec:
  replicas: 1
  selector: {matchLabels: {app: crasher}}
  template:
    metadata: {labels: {app: crasher}}
    spec:
      containers: [{name: app, image: "busybox:crashloop", resources: {requests: {cpu: 10m}}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: broken, namespace: mixin}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: step, image: "busybox:crash", resources: {requests: {cpu: 10m}}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: mixin}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: small, namespace: mixin}
spec:
  hard: {pods: "50", requests.cpu: "4"}
`;

async function queryUntilAnswered(
  client: PrometheusClient,
  query: MixinQuery,
  deadline: number,
): Promise<QueryResult> {
  for (;;) {
    try {
      const series = (await client.query(query.expr)).length;
      if (series > 0 || Date.now() > deadline) return { source: query.source, conforms: series > 0, series };
    } catch (error) {
      return { source: query.source, conforms: false, series: 0, error: (error as Error).message };
    }
    await delay(500);
  }
}

export interface ConformanceOptions {
  /** `kubernetes` runs the same checks against the real control plane: the reference the expectations must meet. */
  controlPlane?: ControlPlaneKind;
  kubectlBinary?: string;
}

/** The everyday-kubectl matrix against a fresh local cluster. */
export async function runKubectlConformance({
  controlPlane = 'builtin',
  kubectlBinary = '/usr/bin/kubectl',
}: ConformanceOptions = {}): Promise<CaseResult[]> {
  const cluster = await startCluster({ controlPlane });
  try {
    return await runKubectlMatrix(cluster.kubeconfig, kubectlMatrix, kubectlBinary);
  } finally {
    await cluster.stop();
  }
}

/** The kubernetes-mixin queries against a fresh local cluster running the workloads they watch. */
export async function runQueryConformance({
  controlPlane = 'builtin',
  kubectlBinary = '/usr/bin/kubectl',
}: ConformanceOptions = {}): Promise<QueryResult[]> {
  const cluster = await startCluster({ controlPlane });
  try {
    const run = async (args: string, stdin?: string) => {
      const [result] = await runKubectlMatrix(
        cluster.kubeconfig,
        [{ args, ...(stdin ? { stdin } : {}), expect: /./ }],
        kubectlBinary,
      );
      if (!result?.conforms) throw new Error(`kubectl ${splitArgs(args).join(' ')}: ${result?.output}`);
    };
    await run('apply -f -', workloads);
    await run('rollout status deployment/web -n mixin --timeout=120s');
    await run('rollout status statefulset/db -n mixin --timeout=120s');
    await run('rollout status daemonset/agent -n mixin --timeout=120s');
    const prometheus = await startPrometheus({
      targets: [],
      scrapeConfigs: clusterScrapeConfigs(cluster.metrics, { kubeStateMetrics: cluster.kubeStateMetrics }),
    });
    try {
      await prometheus.waitForSample('kube_pod_info{job="kube-state-metrics"}');
      await prometheus.waitForSample(
        'container_cpu_usage_seconds_total{job="kubelet", metrics_path="/metrics/cadvisor"}',
      );
      const client = new PrometheusClient({ url: prometheus.url });
      try {
        const deadline = Date.now() + 20_000;
        const queries: QueryResult[] = [];
        for (const q of mixinQueries) queries.push(await queryUntilAnswered(client, q, deadline));
        return queries;
      } finally {
        await client.close();
      }
    } finally {
      await prometheus.stop();
    }
  } finally {
    await cluster.stop();
  }
}

export async function runConformance(options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const kubectl = await runKubectlConformance(options);
  const queries = await runQueryConformance(options);
  return { kubectl, queries, kubectlShare: share(kubectl), queryShare: share(queries) };
}
