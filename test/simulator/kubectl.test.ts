import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningCluster, startCluster } from '../../simulator/cluster.js';
import type { ObjectStore } from '../../simulator/store/store.js';
import { eventually } from '../support/eventually.js';
import { startNodeProgram } from '../support/node-program.js';
import { deploymentManifest } from './api-fixtures.js';
import { type KubectlResult, kubectl } from './cluster-kubectl-fixtures.js';

/** Real kubectl 1.32 against the local cluster's API server (no controllers: tests write status themselves). */

const manifests = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "nginx:1.27", resources: {requests: {cpu: 100m, memory: 64Mi}}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 6
`;

describe('kubectl 1.32 against the local cluster', () => {
  let cluster: RunningCluster<ObjectStore>;
  let env: NodeJS.ProcessEnv;
  let home: string;
  before(async () => {
    cluster = await startCluster({ controllers: [] });
    home = await mkdtemp(join(tmpdir(), 'scalegate-kubectl-'));
    env = { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: home };
  });
  after(async () => {
    await cluster.stop();
    await rm(home, { recursive: true, force: true });
  });

  const deployments = () => cluster.registry.byKind('apps/v1', 'Deployment')!;
  const setStatus = (name: string, status: Record<string, unknown>) => {
    const current = cluster.store.get(deployments(), 'default', name);
    cluster.store.update(
      deployments(),
      { ...current, status: { observedGeneration: current.metadata.generation, ...status } },
      { subresource: 'status' },
    );
  };

  it('applies server-side, lists with the server columns, and reports conflicts', async () => {
    const applied = await kubectl(env, ['apply', '--server-side', '-f', '-'], manifests);
    assert.equal(applied.code, 0, applied.stderr);
    assert.deepEqual(applied.stdout.trim().split('\n'), [
      'deployment.apps/web serverside-applied',
      'service/web serverside-applied',
      'horizontalpodautoscaler.autoscaling/web serverside-applied',
    ]);
    const nodes = await kubectl(env, ['get', 'nodes']);
    assert.match(nodes.stdout, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n/);
    assert.equal(nodes.stdout.match(/\bReady\b/g)?.length, 3);
    const get = await kubectl(env, ['get', 'deploy,svc,hpa']);
    assert.match(
      get.stdout,
      /NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\ndeployment\.apps\/web\s+0\/2\s+0\s+0\s+/,
    );
    assert.match(get.stdout, /service\/web\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP/);
    assert.match(
      get.stdout,
      /horizontalpodautoscaler\.autoscaling\/web\s+Deployment\/web\s+cpu: <unknown>\/80%\s+2\s+6\s+0/,
    );
    const conflict = await kubectl(
      env,
      ['apply', '--server-side', '--field-manager=other', '-f', '-'],
      manifests.replace('replicas: 2', 'replicas: 3'),
    );
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas/);
    const forced = await kubectl(
      env,
      ['apply', '--server-side', '--force-conflicts', '--field-manager=other', '-f', '-'],
      manifests.replace('replicas: 2', 'replicas: 3'),
    );
    assert.equal(forced.code, 0, forced.stderr);
    const invalid = await kubectl(
      env,
      ['apply', '--server-side', '--force-conflicts', '--field-manager=other', '-f', '-'],
      manifests.replace('replicas: 2', 'replicas: 3').replace('maxReplicas: 6', 'maxReplicas: 1'),
    );
    assert.notEqual(invalid.code, 0);
    assert.match(
      invalid.stderr,
      /The HorizontalPodAutoscaler "web" is invalid: spec\.maxReplicas: Invalid value: 1: must be greater than or equal to `minReplicas`/,
    );
  });

  it('scales, describes with events, and lists events', async () => {
    const scaled = await kubectl(env, ['scale', 'deployment/web', '--replicas=4']);
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.equal(cluster.store.get(deployments(), 'default', 'web').spec.replicas, 4);
    const web = cluster.store.get(deployments(), 'default', 'web');
    cluster.context.recordEvent(
      web,
      'Normal',
      'ScalingReplicaSet',
      'Scaled up replica set web-5d9c7b8f6 from 2 to 4',
      'deployment-controller',
    );
    const described = await kubectl(env, ['describe', 'deployment', 'web']);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /^Name:\s+web$/m);
    assert.match(described.stdout, /Replicas:\s+4 desired/);
    assert.match(
      described.stdout,
      /Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set web-5d9c7b8f6 from 2 to 4/,
    );
    const events = await kubectl(env, ['get', 'events']);
    assert.match(events.stdout, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
    assert.match(events.stdout, /Normal\s+ScalingReplicaSet\s+deployment\/web\s+Scaled up replica set/);
  });

  it('follows rollout status and wait --for=condition as the deployment status progresses', async () => {
    // Both commands list, then watch: the status changes once both watch, so each sees every step of the progress.
    let watches = 0;
    const watch = cluster.store.watch.bind(cluster.store);
    cluster.store.watch = ((...args: Parameters<typeof watch>) => {
      watches++;
      return watch(...args);
    }) as typeof cluster.store.watch;
    const rollout = kubectl(env, ['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const waiting = kubectl(env, ['wait', '--for=condition=Available', 'deployment/web', '--timeout=60s']);
    await eventually('kubectl rollout status and kubectl wait to watch the deployment', () => watches >= 2);
    cluster.store.watch = watch;
    setStatus('web', { replicas: 4, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
    setStatus('web', {
      replicas: 4,
      updatedReplicas: 4,
      readyReplicas: 4,
      availableReplicas: 4,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: 'ReplicaSet "web-1" has successfully progressed.',
        },
      ],
    });
    const [status, wait] = await Promise.all([rollout, waiting]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /deployment "web" successfully rolled out/);
    assert.equal(wait.code, 0, wait.stderr);
    assert.match(wait.stdout, /deployment\.apps\/web condition met/);
    const stuck = cluster.store.get(deployments(), 'default', 'web');
    cluster.store.update(deployments(), {
      ...stuck,
      spec: {
        ...stuck.spec,
        template: { ...stuck.spec.template, spec: { containers: [{ name: 'web', image: 'nginx:broken' }] } },
      },
    });
    setStatus('web', {
      replicas: 5,
      updatedReplicas: 1,
      availableReplicas: 4,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "web-2" has timed out progressing.',
        },
      ],
    });
    const failed = await kubectl(env, ['rollout', 'status', 'deployment/web', '--timeout=30s']);
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /deployment "web" exceeded its progress deadline/);
  });

  it('shows kubectl top from the metrics.k8s.io provider', async () => {
    const absent = await kubectl(env, ['top', 'nodes']);
    assert.notEqual(absent.code, 0);
    const now = new Date().toISOString();
    cluster.context.services.metricsApi = {
      listPodMetrics: (namespace?: string) =>
        namespace === undefined || namespace === 'default'
          ? [
              {
                kind: 'PodMetrics',
                apiVersion: 'metrics.k8s.io/v1beta1',
                metadata: {
                  name: 'web-1',
                  namespace: 'default',
                  creationTimestamp: now,
                  labels: { app: 'web' },
                },
                timestamp: now,
                window: '15s',
                containers: [{ name: 'web', usage: { cpu: '250000000n', memory: '65536Ki' } }],
              },
            ]
          : [],
      listNodeMetrics: () =>
        ['node-1', 'node-2', 'node-3'].map((name) => ({
          kind: 'NodeMetrics',
          apiVersion: 'metrics.k8s.io/v1beta1',
          metadata: { name, creationTimestamp: now },
          timestamp: now,
          window: '15s',
          usage: { cpu: '500m', memory: '2Gi' },
        })),
    };
    const pods = await kubectl(env, ['top', 'pods']);
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\nweb-1\s+250m\s+64Mi/);
    const byLabel = await kubectl(env, ['top', 'pods', '-l', 'app=other']);
    assert.doesNotMatch(byLabel.stdout, /web-1/);
    const nodes = await kubectl(env, ['top', 'nodes']);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stdout, /node-1\s+500m\s+25%\s+2048Mi\s+25%/);
  });

  it('streams changes to kubectl get -w as table rows', async () => {
    const configmaps = cluster.registry.byKind('v1', 'ConfigMap')!;
    const created = cluster.store.create(configmaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'watched', namespace: 'default' },
      data: { a: '1' },
    });
    const watcher = spawn('kubectl', ['get', 'configmaps', '-w', '--output-watch-events'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    watcher.stdout.on('data', (d) => {
      out += d;
    });
    try {
      await eventually('the ADDED row', () => /ADDED\s+watched\s+1\s/.test(out));
      assert.match(out, /EVENT\s+NAME\s+DATA\s+AGE/);
      cluster.store.update(configmaps, { ...created, data: { a: '1', b: '2' } });
      await eventually('the MODIFIED row', () => /MODIFIED\s+watched\s+2\s/.test(out));
    } finally {
      watcher.kill('SIGTERM');
    }
  });

  it('deletes and waits until objects are gone', async () => {
    const deleted = await kubectl(env, ['delete', 'deployment/web', 'service/web', 'hpa/web']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(deleted.stdout.trim().split('\n'), [
      'deployment.apps "web" deleted',
      'service "web" deleted',
      'horizontalpodautoscaler.autoscaling "web" deleted',
    ]);
    const get = await kubectl(env, ['get', 'deploy', 'web']);
    assert.notEqual(get.code, 0);
    assert.match(get.stderr, /Error from server \(NotFound\): deployments\.apps "web" not found/);
    const pods = await kubectl(env, ['get', 'pods']);
    assert.match(pods.stderr, /No resources found in default namespace/);
    const created = await kubectl(env, ['create', '-f', '-'], JSON.stringify(deploymentManifest('tmp')));
    assert.equal(created.code, 0, created.stderr);
    const all = await kubectl(env, ['delete', 'deployments', '--all']);
    assert.match(all.stdout, /deployment\.apps "tmp" deleted/);
  });
});

describe('scalegate sim up', () => {
  let child: ChildProcess | undefined;
  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints the endpoints, serves kubectl, and exits 0 on SIGTERM', async () => {
    const program = startNodeProgram([
      'bin/scalegate.mjs',
      'sim',
      'up',
      '--nodes',
      '1',
      '--node-group',
      'pool:2:4:5',
      '--profile',
      'realistic',
    ]);
    child = program.child;
    const endpoints = await program.firstJsonLine<Record<'kubeconfig', string>>('sim up', 30_000);
    assert.deepEqual(Object.keys(endpoints).sort(), ['apiServer', 'gateway', 'kubeconfig', 'metrics']);
    const home = await mkdtemp(join(tmpdir(), 'scalegate-kubectl-'));
    const nodes = await kubectl({ ...process.env, KUBECONFIG: endpoints.kubeconfig, HOME: home }, [
      'get',
      'nodes',
      '-L',
      'scalegate.dev/node-group',
      '--no-headers',
    ]);
    await rm(home, { recursive: true, force: true });
    assert.deepEqual(
      nodes.stdout
        .trim()
        .split('\n')
        .map((l) =>
          l
            .split(/\s+/)
            .filter((_, i) => i === 0 || i === 5)
            .join(' ')
            .trim(),
        ),
      ['node-1', 'pool-1 pool', 'pool-2 pool'],
    );
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('rejects a malformed node group with a one-line usage error', async () => {
    const result = await new Promise<KubectlResult>((resolve) => {
      execFile(
        process.execPath,
        ['bin/scalegate.mjs', 'sim', 'up', '--node-group', 'pool:3:1'],
        (error, stdout, stderr) => {
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
        },
      );
    });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "scalegate sim up: --node-group must be name:min:max:provisionSeconds (e.g. pool:1:5:10), got 'pool:3:1'\n",
    );
  });
});
