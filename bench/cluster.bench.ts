/**
 * The whole local cluster at 1,000 pods, 100 nodes and 50 HPAs, every default controller running (data plane,
 * deployment, replica set, scheduler, kubelet, GC, endpoints, cluster autoscaler, KEDA, HPA):
 *   - API latency while the controllers work, against `GET /version` on the same server in the same run;
 *   - controller lag: HPA spec change → target scaled (immediate enqueue), first status of 50 new HPAs, against the
 *     HPA sync period; Deployment scale-up → pod Ready, against the kubelet's container start time;
 *   - memory against the process before the cluster started;
 *   - the HPA decision alone (`reconcileHpa`, 20 pods), decisions/s against JSON round-tripping its input.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Client } from 'undici';
import { reconcileHpa } from '../simulator/autoscaling/hpa/reconcile.js';
import type { ReconcileInput } from '../simulator/autoscaling/hpa/types.js';
import { startCluster } from '../simulator/cluster.js';
import type { KubeObject } from '../simulator/store/types.js';
import { eventually } from '../test/support/eventually.js';

const deploymentCount = 50;
const podsPerDeployment = 20;
const nodeCount = 100;
const samples = 200;

const gc = (globalThis as { gc?: () => void }).gc;
const mib = (bytes: number) => bytes / 2 ** 20;
function memory() {
  gc?.();
  const m = process.memoryUsage();
  return { rss: mib(m.rss), heap: mib(m.heapUsed) };
}

/** Milliseconds until `probe` holds, to the 20 ms it is polled at. */
async function until(what: string, probe: () => boolean, timeoutMs = 180_000): Promise<number> {
  const start = performance.now();
  await eventually(what, probe, { timeoutMs, everyMs: 20 });
  return performance.now() - start;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

async function latencies(client: Client, path: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples + 20; i++) {
    const start = performance.now();
    const response = await client.request({ method: 'GET', path });
    await response.body.dump();
    if (response.statusCode >= 400) throw new Error(`${path}: HTTP ${response.statusCode}`);
    if (i >= 20) times.push(performance.now() - start);
  }
  return times;
}

function deployment(i: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `app-${i}`, namespace: 'default' },
    spec: {
      replicas: podsPerDeployment,
      selector: { matchLabels: { app: `app-${i}` } },
      template: {
        metadata: { labels: { app: `app-${i}` } },
        spec: {
          containers: [
            { name: 'app', image: 'app:1', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
          ],
        },
      },
    },
  };
}

function hpa(i: number, min: number): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: `app-${i}`, namespace: 'default' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `app-${i}` },
      minReplicas: min,
      maxReplicas: 40,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
        },
      ],
    },
  };
}

const idleLoop = monitorEventLoopDelay({ resolution: 10 });
idleLoop.enable();
await new Promise((r) => setTimeout(r, 1000));
idleLoop.disable();
const before = memory();

const cluster = await startCluster({ profile: 'fast', nodes: nodeCount, nodeCpu: '16', nodeMemory: '64Gi' });
const { store, registry, context } = cluster;
const type = (apiVersion: string, kind: string) => registry.byKind(apiVersion, kind)!;
const deployments = type('apps/v1', 'Deployment');
const hpas = type('autoscaling/v2', 'HorizontalPodAutoscaler');
const pods = type('v1', 'Pod');
const readyPods = () =>
  store
    .list(pods, { namespace: 'default' })
    .items.filter((p) =>
      p.status?.conditions?.some(
        (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
      ),
    ).length;

try {
  for (let i = 0; i < deploymentCount; i++) store.create(deployments, deployment(i));
  const podsReadyMs = await until(
    '1,000 pods Ready',
    () => readyPods() >= deploymentCount * podsPerDeployment,
  );

  // 50 HPAs holding their targets at 20 (min 20): every one is reconciled each sync, none changes the pod count.
  const hpasCreated = performance.now();
  const firstStatus: number[] = [];
  for (let i = 0; i < deploymentCount; i++) store.create(hpas, hpa(i, podsPerDeployment));
  await until('50 HPA statuses', () => {
    for (let i = firstStatus.length; i < deploymentCount; i++) {
      if (!store.get(hpas, 'default', `app-${i}`).status?.conditions) break;
      firstStatus.push(performance.now() - hpasCreated);
    }
    return firstStatus.length === deploymentCount;
  });

  const steadyLoop = monitorEventLoopDelay({ resolution: 10 });
  steadyLoop.enable();
  const client = new Client(cluster.apiServer);
  const version = await latencies(client, '/version');
  const rows: Array<[string, number[]]> = [
    ['GET deployment', await latencies(client, '/apis/apps/v1/namespaces/default/deployments/app-7')],
    [
      'LIST pods, labelSelector (20 of 1,000)',
      await latencies(client, '/api/v1/namespaces/default/pods?labelSelector=app%3Dapp-7'),
    ],
    [
      'LIST HPAs (50)',
      await latencies(client, '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers'),
    ],
    ['LIST nodes (100)', await latencies(client, '/api/v1/nodes')],
  ];
  await client.close();
  steadyLoop.disable();

  // HPA lag: a spec change is reconciled at once (min 20 → 21 scales the target).
  const target = hpa(3, podsPerDeployment + 1);
  const current = store.get(hpas, 'default', 'app-3');
  const changed = performance.now();
  store.update(hpas, { ...current, spec: target.spec });
  await until(
    'HPA scale-up',
    () => store.get(deployments, 'default', 'app-3').spec.replicas === podsPerDeployment + 1,
  );
  const hpaLagMs = performance.now() - changed;
  const scaleReadyMs = await until('21st pod Ready', () => {
    const d = store.get(deployments, 'default', 'app-3');
    return d.status?.readyReplicas === podsPerDeployment + 1;
  });
  const during = memory();

  // The decision alone, as `scalegate hpa reconcile` runs it: 20 pods, CPU utilization.
  const now = new Date().toISOString();
  const decisionInput: ReconcileInput = {
    hpa: hpa(0, 1) as unknown as ReconcileInput['hpa'],
    scale: { specReplicas: 20, statusReplicas: 20 },
    pods: Array.from({ length: 20 }, (_, i) => ({
      metadata: { name: `p-${i}` },
      spec: { containers: [{ name: 'app', resources: { requests: { cpu: '100m' } } }] },
      status: {
        phase: 'Running',
        startTime: '2020-01-01T00:00:00Z',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2020-01-01T00:00:05Z' }],
      },
    })),
    metrics: {
      timestamp: now,
      windowSeconds: 15,
      resource: Object.fromEntries(
        Array.from({ length: 20 }, (_, i) => [`p-${i}`, { app: { cpu: `${60 + i}m` } }]),
      ),
    },
    history: null,
    now,
  };
  const rate = (fn: () => void) => {
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < 1000) {
      fn();
      n++;
    }
    return n / ((performance.now() - start) / 1000);
  };
  const decisions = rate(() => reconcileHpa(decisionInput));
  const roundTrips = rate(() => JSON.parse(JSON.stringify(decisionInput)));

  const ms = (n: number) => n.toFixed(1);
  const versionP99 = percentile(version, 0.99);
  const syncMs = context.profile.hpaSyncSeconds * 1000;
  const kubeletStartMs = context.profile.containerStartSeconds * 1000;
  console.log(`## Local cluster at 1,000 pods, ${nodeCount} nodes and ${deploymentCount} HPAs\n`);
  console.log(
    `All default controllers running (profile fast). ${deploymentCount} Deployments × ${podsPerDeployment} pods reached Ready in ${ms(podsReadyMs / 1000)} s.\n`,
  );
  console.log(
    `API latency while the controllers work, ${samples} sequential requests each. Reference: \`GET /version\` on the same server (p50 ${ms(percentile(version, 0.5))} ms, p99 ${ms(versionP99)} ms).\n`,
  );
  console.log('| request | p50 ms | p99 ms | p99 / reference p99 |');
  console.log('|---|---|---|---|');
  for (const [name, times] of rows) {
    const p99 = percentile(times, 0.99);
    console.log(
      `| ${name} | ${ms(percentile(times, 0.5))} | ${ms(p99)} | ${(p99 / versionP99).toFixed(1)}× |`,
    );
  }
  console.log('\n| controller lag | measured | reference | ratio |');
  console.log('|---|---|---|---|');
  console.log(
    `| HPA spec change → target scaled | ${ms(hpaLagMs)} ms | HPA sync period ${syncMs} ms | ${(hpaLagMs / syncMs).toFixed(2)}× |`,
  );
  console.log(
    `| 50 new HPAs → first status, p50 / p99 | ${ms(percentile(firstStatus, 0.5))} / ${ms(percentile(firstStatus, 0.99))} ms | HPA sync period ${syncMs} ms | ${(percentile(firstStatus, 0.99) / syncMs).toFixed(2)}× |`,
  );
  console.log(
    `| Deployment 20 → 21 → new pod Ready | ${ms(scaleReadyMs)} ms | container start ${kubeletStartMs} ms (image on every node by then) | ${(scaleReadyMs / kubeletStartMs).toFixed(1)}× |`,
  );
  console.log(
    `| event-loop delay p99 while serving | ${ms(steadyLoop.percentile(99) / 1e6)} ms | idle process ${ms(idleLoop.percentile(99) / 1e6)} ms | ${(steadyLoop.percentile(99) / idleLoop.percentile(99)).toFixed(1)}× |`,
  );
  console.log('\n| memory | before the cluster | with the cluster | ratio |');
  console.log('|---|---|---|---|');
  console.log(
    `| RSS | ${ms(before.rss)} MiB | ${ms(during.rss)} MiB | ${(during.rss / before.rss).toFixed(1)}× |`,
  );
  console.log(
    `| heap used | ${ms(before.heap)} MiB | ${ms(during.heap)} MiB | ${(during.heap / before.heap).toFixed(1)}× |`,
  );
  console.log(
    `\nHPA decision (\`reconcileHpa\`, 20 pods, CPU utilization): ${Math.round(decisions).toLocaleString('en-US')} decisions/s, ${(decisions / roundTrips).toFixed(2)}× the rate of a JSON round trip of its input; 50 HPAs cost ${ms((deploymentCount / decisions) * 1000)} ms of CPU per sync.`,
  );
} finally {
  await cluster.stop();
}
