import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningCluster, startCluster } from '../../simulator/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectl, kubectlUntil } from './cluster-kubectl-fixtures.js';

/**
 * Real kubectl 1.32 against the local cluster with its controllers, on what a real cluster does beyond the
 * everyday matrix (scripts/conformance): RBAC decisions for impersonated users, autoscaling/v1 round trips, custom
 * resources coming and going with their CRD, followed logs, drains held by a PodDisruptionBudget, and the
 * service a NodePort and an unnamed port make.
 */

const widgetCrd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
`;

describe('kubectl against the local cluster as against a real one', () => {
  let cluster: RunningCluster;
  let env: NodeJS.ProcessEnv;
  let home: string;
  before(async () => {
    cluster = await startCluster();
    home = await mkdtemp(join(tmpdir(), 'scalegate-kubectl-real-'));
    env = { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: home };
  });
  after(async () => {
    await cluster.stop();
    await rm(home, { recursive: true, force: true });
  });

  const ok = async (args: string[], stdin?: string) => {
    const result = await kubectl(env, args, stdin);
    assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  it('gives every namespace its default ServiceAccount and judges impersonated users by RBAC', async () => {
    await ok(['create', 'namespace', 'team']);
    await kubectlUntil(env, ['get', 'serviceaccount', 'default', '-n', 'team'], /^default\s+0\s+/m);
    await ok(['create', 'serviceaccount', 'robot', '-n', 'team']);
    await ok(['create', 'role', 'reader', '-n', 'team', '--verb=get,list', '--resource=pods']);
    await ok([
      'create',
      'rolebinding',
      'reader',
      '-n',
      'team',
      '--role=reader',
      '--serviceaccount=team:robot',
    ]);
    const as = '--as=system:serviceaccount:team:robot';
    assert.equal((await ok(['auth', 'can-i', 'list', 'pods', '-n', 'team', as])).trim(), 'yes');
    const denied = await kubectl(env, ['auth', 'can-i', 'delete', 'pods', '-n', 'team', as]);
    assert.equal(denied.code, 1);
    assert.equal(denied.stdout.trim(), 'no');
    assert.equal((await ok(['auth', 'can-i', '*', '*'])).trim(), 'yes');
    assert.match(await ok(['auth', 'whoami']), /Username\s+kubernetes-admin/);
    const token = (await ok(['create', 'token', 'robot', '-n', 'team'])).trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
    assert.equal(claims.sub, 'system:serviceaccount:team:robot');
  });

  it('converts autoscaling/v1 HPAs to and from v2 as kube-apiserver does', async () => {
    await ok(['create', 'deployment', 'api', '--image=nginx:1.27', '-n', 'team']);
    assert.match(
      await ok(['autoscale', 'deployment', 'api', '-n', 'team', '--min=2', '--max=5', '--cpu-percent=60']),
      /horizontalpodautoscaler\.autoscaling\/api autoscaled/,
    );
    const v2 = JSON.parse(
      await ok(['get', 'horizontalpodautoscalers.v2.autoscaling', 'api', '-n', 'team', '-o', 'json']),
    );
    assert.equal(v2.apiVersion, 'autoscaling/v2');
    assert.deepEqual(v2.spec.metrics, [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
      },
    ]);
    const v1 = JSON.parse(
      await ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'api', '-n', 'team', '-o', 'json']),
    );
    assert.equal(v1.apiVersion, 'autoscaling/v1');
    assert.equal(v1.spec.targetCPUUtilizationPercentage, 60);
    v1.spec.targetCPUUtilizationPercentage = 70;
    delete v1.metadata.resourceVersion;
    await ok(['replace', '-f', '-'], JSON.stringify(v1));
    const after = JSON.parse(await ok(['get', 'hpa', 'api', '-n', 'team', '-o', 'json']));
    assert.equal(after.spec.metrics[0].resource.target.averageUtilization, 70);
  });

  it('serves custom resources while their CRD exists, with its printer columns', async () => {
    await ok(['apply', '-f', '-'], widgetCrd);
    await ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=60s']);
    await ok(
      ['apply', '-f', '-'],
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: team}\nspec: {size: 3}\n',
    );
    assert.match(await ok(['get', 'widgets', '-n', 'team']), /^NAME\s+SIZE\s+READY\n(w1\s+3)\s*$/m);
    assert.match(await ok(['get', 'apiservices', 'v1.example.com']), /^v1\.example\.com\s+Local\s+True\s+/m);
    await ok(['delete', 'crd', 'widgets.example.com']);
    await eventually(
      'the widgets type to be gone',
      async () => {
        const raw = await kubectl(env, ['get', '--raw', '/apis/example.com/v1/namespaces/team/widgets']);
        return raw.code !== 0 && /NotFound/.test(raw.stderr) ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.match(
      await ok(['api-resources', '--api-group=example.com']),
      /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND\n?$/,
    );
  });

  it('explains fields and refuses removed API versions exactly as a real server', async () => {
    assert.match(await ok(['explain', 'deployment.spec.replicas']), /FIELD: replicas <integer>/);
    const removed = await kubectl(
      env,
      ['apply', '-f', '-'],
      'apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: old}\n',
    );
    assert.equal(removed.code, 1);
    assert.match(
      removed.stderr,
      /no matches for kind "Ingress" in version "extensions\/v1beta1"\nensure CRDs are installed first/,
    );
  });

  it('follows pod logs as the gateway serves requests, and names what the cluster cannot stream', async () => {
    await ok(['create', 'deployment', 'web', '--image=nginx:1.27', '--port=80', '-n', 'team']);
    await ok(['expose', 'deployment', 'web', '--port=80', '-n', 'team']);
    await ok(['rollout', 'status', 'deployment/web', '-n', 'team', '--timeout=90s']);
    const follower = spawn('/usr/bin/kubectl', ['logs', '-f', 'deployment/web', '-n', 'team'], { env });
    let followed = '';
    follower.stdout.on('data', (chunk: Buffer) => {
      followed += chunk.toString();
    });
    try {
      await eventually(
        'the start-up line',
        async () => (/started on node-/.test(followed) ? true : undefined),
        { timeoutMs: 30_000 },
      );
      const reply = await fetch(`${cluster.gateway}/team/web/checkout`, {
        headers: { 'user-agent': 'k6/0.50' },
      });
      assert.equal(reply.status, 200);
      await eventually(
        'the access line',
        async () => (/"GET \S*\/checkout HTTP\/1\.1" 200 /.test(followed) ? true : undefined),
        { timeoutMs: 30_000 },
      );
    } finally {
      follower.kill();
    }
    const exec = await kubectl(env, ['exec', 'deployment/web', '-n', 'team', '--', 'ls']);
    assert.equal(exec.code, 1);
    assert.match(
      exec.stderr,
      /Error from server \(BadRequest\): cannot exec into pod "web-[a-z0-9-]+": the scalegate local cluster simulates containers/,
    );
  });

  it('holds a drain on a PodDisruptionBudget until the budget allows the eviction', async () => {
    const pod = JSON.parse(await ok(['get', 'pods', '-n', 'team', '-l', 'app=web', '-o', 'json'])).items[0];
    await ok([
      'create',
      'poddisruptionbudget',
      'web',
      '-n',
      'team',
      '--selector=app=web',
      '--min-available=1',
    ]);
    await kubectlUntil(env, ['get', 'pdb', 'web', '-n', 'team'], /^web\s+1\s+N\/A\s+0\s+/m);
    const held = await kubectl(env, ['drain', pod.spec.nodeName, '--ignore-daemonsets', '--timeout=5s']);
    assert.notEqual(held.code, 0);
    assert.match(held.stderr, /Cannot evict pod as it would violate the pod's disruption budget/);
    await ok(['scale', 'deployment', 'web', '-n', 'team', '--replicas=2']);
    await kubectlUntil(env, ['get', 'pdb', 'web', '-n', 'team'], /^web\s+1\s+N\/A\s+1\s+/m);
    assert.match(await ok(['drain', pod.spec.nodeName, '--ignore-daemonsets', '--timeout=60s']), /drained/);
    await ok(['uncordon', pod.spec.nodeName]);
  });

  it('allocates NodePorts and describes a Service with an unnamed port', async () => {
    await ok(['create', 'service', 'nodeport', 'edge', '-n', 'team', '--tcp=80:80']);
    const port = JSON.parse(await ok(['get', 'service', 'edge', '-n', 'team', '-o', 'json'])).spec.ports[0]
      .nodePort;
    assert.ok(port >= 30000 && port <= 32767, `nodePort ${port}`);
    const slice = JSON.parse(
      await ok(['get', 'endpointslices', '-n', 'team', '-l', 'kubernetes.io/service-name=web', '-o', 'json']),
    );
    assert.equal(slice.items[0].ports[0].name, '');
    assert.match(
      await ok(['describe', 'service', 'web', '-n', 'team']),
      /Endpoints:\s+\d+\.\d+\.\d+\.\d+:80/,
    );
  });

  it('rolls back to the old ReplicaSet', async () => {
    await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.28', '-n', 'team']);
    await ok(['rollout', 'status', 'deployment/web', '-n', 'team', '--timeout=90s']);
    await ok(['rollout', 'undo', 'deployment/web', '-n', 'team']);
    await ok(['rollout', 'status', 'deployment/web', '-n', 'team', '--timeout=90s']);
    const sets = JSON.parse(await ok(['get', 'rs', '-n', 'team', '-l', 'app=web', '-o', 'json'])).items;
    assert.equal(sets.length, 2);
    const current = sets.find((rs: { spec: { replicas: number } }) => rs.spec.replicas > 0);
    assert.equal(current.spec.template.spec.containers[0].image, 'nginx:1.27');
    assert.equal(current.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  });
});
