import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningCluster, startCluster } from '../../simulator/cluster.js';
import { goDuration } from '../../simulator/go-duration.js';
import { kubectl } from './cluster-kubectl-fixtures.js';

/** kubectl 1.32's generators send protobuf bodies; the local API server reads them as a real one does. */

/** A length-delimited protobuf field (wire type 2) with a one-byte length. */
function field(number: number, bytes: Buffer): Buffer {
  assert.ok(bytes.length < 128);
  return Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
}

describe('kubectl protobuf request bodies', () => {
  let cluster: RunningCluster;
  let env: NodeJS.ProcessEnv;
  let home: string;
  before(async () => {
    cluster = await startCluster({ controllers: [] });
    home = await mkdtemp(join(tmpdir(), 'scalegate-kubectl-pb-'));
    env = { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: home };
  });
  after(async () => {
    await cluster.stop();
    await rm(home, { recursive: true, force: true });
  });

  const stored = (apiVersion: string, kind: string, name: string, namespace?: string) =>
    cluster.store.get(cluster.registry.byKind(apiVersion, kind)!, namespace, name);

  it('creates what the generators send, with the fields JSON would carry and no zero-valued extras', async () => {
    const commands = [
      ['create', 'namespace', 'shop'],
      ['create', 'deployment', 'web', '-n', 'shop', '--image=nginx:1.27', '--replicas=0', '--port=8080'],
      ['create', 'configmap', 'settings', '-n', 'shop', '--from-literal=mode=fast'],
      ['create', 'secret', 'generic', 'token', '-n', 'shop', '--from-literal=key=s3cr3t'],
      ['create', 'serviceaccount', 'robot', '-n', 'shop'],
      ['create', 'job', 'once', '-n', 'shop', '--image=busybox'],
      ['create', 'role', 'reader', '-n', 'shop', '--verb=get,list', '--resource=pods'],
      ['create', 'rolebinding', 'reader', '-n', 'shop', '--role=reader', '--serviceaccount=shop:robot'],
      ['expose', 'deployment', 'web', '-n', 'shop', '--port=80', '--target-port=8080'],
      ['run', 'probe', '-n', 'shop', '--image=busybox', '--restart=Never', '--', 'sleep', '30'],
      ['create', 'poddisruptionbudget', 'web', '-n', 'shop', '--selector=app=web', '--min-available=1'],
      ['create', 'quota', 'small', '-n', 'shop', '--hard=pods=10'],
      ['create', 'ingress', 'web', '-n', 'shop', '--rule=web.local/=web:80'],
    ];
    for (const args of commands) {
      const result = await kubectl(env, args);
      assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
    }
    const web = stored('apps/v1', 'Deployment', 'web', 'shop');
    assert.equal(web.spec.replicas, 0, 'a pointer field keeps its zero');
    assert.equal('paused' in web.spec, false, 'an omitempty non-pointer zero is absent');
    assert.equal('minReadySeconds' in web.spec, false);
    assert.deepEqual(web.spec.template.spec.containers[0].ports, [{ containerPort: 8080, protocol: 'TCP' }]);
    assert.deepEqual(web.spec.strategy.rollingUpdate, { maxSurge: '25%', maxUnavailable: '25%' });
    assert.equal('creationTimestamp' in web.spec.template.metadata, false);
    assert.deepEqual(stored('v1', 'Secret', 'token', 'shop').data, {
      key: Buffer.from('s3cr3t').toString('base64'),
    });
    const service = stored('v1', 'Service', 'web', 'shop');
    assert.deepEqual(service.spec.ports[0], { port: 80, protocol: 'TCP', targetPort: 8080 });
    assert.deepEqual(stored('v1', 'Pod', 'probe', 'shop').spec.containers[0].args, ['sleep', '30']);
    assert.deepEqual(stored('rbac.authorization.k8s.io/v1', 'RoleBinding', 'reader', 'shop').subjects, [
      { kind: 'ServiceAccount', name: 'robot', namespace: 'shop' },
    ]);
    assert.equal(stored('policy/v1', 'PodDisruptionBudget', 'web', 'shop').spec.minAvailable, 1);
    assert.deepEqual(stored('v1', 'ResourceQuota', 'small', 'shop').spec.hard, { pods: '10' });
    assert.deepEqual(
      stored('networking.k8s.io/v1', 'Ingress', 'web', 'shop').spec.rules[0],
      {
        host: 'web.local',
        http: {
          paths: [
            { path: '/', pathType: 'Exact', backend: { service: { name: 'web', port: { number: 80 } } } },
          ],
        },
      },
      'an embedded struct (IngressRuleValue) is inlined as JSON inlines it',
    );
    const yaml = await kubectl(env, ['get', 'deployment', 'web', '-n', 'shop', '-o', 'yaml']);
    assert.doesNotMatch(yaml.stdout, /hostPort|stdin|generation: 0/);
  });

  it('answers 415 with the real message for a kind a real server reads as JSON only', async () => {
    const typeMeta = Buffer.concat([
      field(1, Buffer.from('keda.sh/v1alpha1')),
      field(2, Buffer.from('ScaledObject')),
    ]);
    const body = Buffer.concat([
      Buffer.from('k8s\0', 'latin1'),
      field(1, typeMeta),
      field(2, Buffer.alloc(0)),
    ]);
    const response = await fetch(
      `${cluster.apiServer}/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' },
        body,
      },
    );
    assert.equal(response.status, 415);
    const status = (await response.json()) as { reason: string; message: string };
    assert.equal(status.reason, 'UnsupportedMediaType');
    assert.equal(
      status.message,
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
    );
  });

  it("formats durations as Go's time.Duration does", () => {
    assert.equal(goDuration(0), '0s');
    assert.equal(goDuration(90), '1m30s');
    assert.equal(goDuration(3600), '1h0m0s');
    assert.equal(goDuration(1.5), '1.5s');
    assert.equal(goDuration(0.5), '500ms');
  });
});
