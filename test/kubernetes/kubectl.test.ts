import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { widgetCrdYaml } from '../../scripts/conformance/workloads.js';
import { type RunningCluster, startCluster } from '../../simulator/cluster.js';
import { kubernetesVersion } from '../../simulator/kubernetes/components.js';
import { kubectl, kubectlUntil } from '../simulator/cluster-kubectl-fixtures.js';
import { send } from '../simulator/dataplane-fixtures.js';

/**
 * The "done when" list, met as a user meets it: real kubectl 1.32 against `--control-plane kubernetes`
 * (real etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kube-state-metrics, metrics-server), with
 * scalegate's node agent running the pods. Fails, never skips, when the binaries are not built.
 */
const crdAndClusterRole = `${widgetCrdYaml.trim()}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: widget-reader}
rules:
- apiGroups: [example.com]
  resources: [widgets]
  verbs: [get, list, watch]
`;

describe('real kubectl against the kubernetes control plane', () => {
  let cluster: RunningCluster;
  let env: NodeJS.ProcessEnv;
  let home: string;

  before(async () => {
    cluster = await startCluster({ controlPlane: 'kubernetes', profile: 'fast', nodes: 2 });
    home = await mkdtemp(join(tmpdir(), 'scalegate-kube-kubectl-'));
    env = { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: home };
  });
  after(async () => {
    await cluster?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('names the real server version', async () => {
    const version = await kubectl(env, ['version', '-o', 'json']);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(JSON.parse(version.stdout).serverVersion.gitVersion, kubernetesVersion);
  });

  it('creates a namespace and a deployment whose pods the node agent runs', async () => {
    const ns = await kubectl(env, ['create', 'namespace', 'shop']);
    assert.equal(ns.code, 0, ns.stderr);
    assert.match(ns.stdout, /^namespace\/shop created$/m);
    const deploy = await kubectl(env, [
      '-n',
      'shop',
      'create',
      'deployment',
      'web',
      '--image=nginx:1.27',
      '--port=80',
    ]);
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /^deployment\.apps\/web created$/m);
    const rollout = await kubectl(env, [
      '-n',
      'shop',
      'rollout',
      'status',
      'deployment/web',
      '--timeout=120s',
    ]);
    assert.equal(rollout.code, 0, rollout.stderr);
    await kubectlUntil(
      env,
      ['-n', 'shop', 'get', 'pods', '-l', 'app=web'],
      /^web-\S+\s+1\/1\s+Running\s+0\s+/m,
    );
    const nodes = await kubectl(env, ['get', 'nodes']);
    assert.match(nodes.stdout, /^node-1\s+Ready\s+/m);
  });

  it('autoscales the deployment with autoscaling/v1, and metrics-server reads the nodes’ kubelets', async () => {
    const requests = await kubectl(env, [
      '-n',
      'shop',
      'set',
      'resources',
      'deployment/web',
      '--requests=cpu=100m',
    ]);
    assert.equal(requests.code, 0, requests.stderr);
    const autoscale = await kubectl(env, [
      '-n',
      'shop',
      'autoscale',
      'deployment',
      'web',
      '--cpu-percent=50',
      '--min=1',
      '--max=3',
    ]);
    assert.equal(autoscale.code, 0, autoscale.stderr);
    assert.match(autoscale.stdout, /^horizontalpodautoscaler\.autoscaling\/web autoscaled$/m);
    await kubectlUntil(
      env,
      ['-n', 'shop', 'get', 'hpa', 'web'],
      /^web\s+Deployment\/web\s+cpu: \d+%\/50%\s+1\s+3\s+1\s+/m,
      120_000,
    );
    await kubectlUntil(env, ['top', 'nodes'], /^node-1\s+\d+m\s+/m, 120_000);
  });

  it('shows the access log of a pod that served gateway traffic', async () => {
    const expose = await kubectl(env, ['-n', 'shop', 'expose', 'deployment', 'web', '--port=80']);
    assert.equal(expose.code, 0, expose.stderr);
    const reply = await kubectlUntil(
      env,
      ['-n', 'shop', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=web'],
      /^web-\S+\s+IPv4\s+80\s+10\.244\./m,
    );
    assert.ok(reply);
    const served = await send(`${cluster.gateway}/checkout`, { host: 'web.shop.svc' });
    assert.equal(served.status, 200);
    const logs = await kubectl(env, ['-n', 'shop', 'logs', 'deployment/web']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /"GET \/checkout HTTP\/1\.1" 200 /);
  });

  it('explains a field from the real OpenAPI', async () => {
    const explain = await kubectl(env, ['explain', 'deployment.spec.replicas']);
    assert.equal(explain.code, 0, explain.stderr);
    assert.match(explain.stdout, /^FIELD:\s+replicas <integer>/m);
  });

  it('answers auth can-i from real RBAC', async () => {
    const admin = await kubectl(env, ['auth', 'can-i', 'create', 'deployments', '-n', 'shop']);
    assert.equal(admin.stdout.trim(), 'yes');
    const sa = await kubectl(env, [
      'auth',
      'can-i',
      'create',
      'deployments',
      '-n',
      'shop',
      '--as=system:serviceaccount:shop:default',
    ]);
    assert.equal(sa.stdout.trim(), 'no');
    assert.equal(sa.code, 1);
  });

  it('applies a manifest with a CRD and a ClusterRole, then serves the new kind', async () => {
    const applied = await kubectl(env, ['apply', '-f', '-'], crdAndClusterRole);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(
      applied.stdout,
      /^customresourcedefinition\.apiextensions\.k8s\.io\/widgets\.example\.com created$/m,
    );
    assert.match(applied.stdout, /^clusterrole\.rbac\.authorization\.k8s\.io\/widget-reader created$/m);
    const established = await kubectl(env, [
      'wait',
      '--for=condition=Established',
      'crd/widgets.example.com',
      '--timeout=60s',
    ]);
    assert.equal(established.code, 0, established.stderr);
    const widget = await kubectl(
      env,
      ['-n', 'shop', 'apply', '-f', '-'],
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n',
    );
    assert.equal(widget.code, 0, widget.stderr);
    const got = await kubectl(env, ['-n', 'shop', 'get', 'widget', 'w1', '-o', 'jsonpath={.spec.size}']);
    assert.equal(got.stdout, '3');
  });
});
