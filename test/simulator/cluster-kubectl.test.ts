import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningCluster, startCluster } from '../../simulator/cluster.js';
import { deploymentYaml, kubectl, kubectlUntil, webManifests } from './cluster-kubectl-fixtures.js';
import { keepBusy, send } from './dataplane-fixtures.js';

/**
 * The whole local cluster (default controllers, `fast` profile) met the way a user meets it: real kubectl 1.32 with
 * the written kubeconfig, and real HTTP load to the gateway. Nothing here reads or writes the store directly.
 */
describe('the local cluster through kubectl and the gateway', () => {
  let cluster: RunningCluster;
  let env: NodeJS.ProcessEnv;
  let home: string;
  const staticNodes = 2;

  before(async () => {
    cluster = await startCluster({
      profile: 'fast',
      nodes: staticNodes,
      nodeCpu: '2',
      nodeMemory: '8Gi',
      nodeGroups: [{ name: 'pool', min: 0, max: 2, provisionSeconds: 2 }],
    });
    home = await mkdtemp(join(tmpdir(), 'scalegate-cluster-kubectl-'));
    env = { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: home };
  });
  after(async () => {
    await cluster.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('rolls out an applied Deployment, Service and HPA until Available and Running', async () => {
    const applied = await kubectl(env, ['apply', '--server-side', '-f', '-'], webManifests);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /horizontalpodautoscaler\.autoscaling\/web serverside-applied/);
    const rollout = await kubectl(env, ['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal(rollout.code, 0, rollout.stderr);
    assert.match(rollout.stdout, /deployment "web" successfully rolled out/);
    const available = await kubectl(env, [
      'wait',
      '--for=condition=Available',
      'deployment/web',
      '--timeout=60s',
    ]);
    assert.equal(available.code, 0, available.stderr);
    assert.match(available.stdout, /deployment\.apps\/web condition met/);
    const pods = await kubectl(env, ['get', 'pods', '-l', 'app=web']);
    assert.match(pods.stdout, /^web-[a-z0-9]+-[a-z0-9]+\s+1\/1\s+Running\s+0\s+/m);
  });

  it('scales the Deployment out under real HTTP load to the gateway', async () => {
    const byHost = await send(`${cluster.gateway}/`, { host: 'web.default.svc' });
    assert.equal(byHost.status, 200);
    assert.match(byHost.pod ?? '', /^web-/);
    const traffic = keepBusy(`${cluster.gateway}/default/web/`, 8);
    try {
      const top = await kubectlUntil(env, ['top', 'pods', '-l', 'app=web'], /^web-\S+\s+[1-9]\d*m\s+/m);
      assert.match(top, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
      await kubectlUntil(
        env,
        ['get', 'hpa', 'web'],
        /^web\s+Deployment\/web\s+cpu: \d+%\/50%\s+1\s+4\s+[2-4]\s+/m,
      );
    } finally {
      await traffic.stop();
    }
    const events = await kubectl(env, [
      'get',
      'events',
      '--field-selector',
      'involvedObject.kind=HorizontalPodAutoscaler',
    ]);
    assert.match(
      events.stdout,
      /Normal\s+SuccessfulRescale\s+horizontalpodautoscaler\/web\s+New size: [2-4]; reason: cpu resource utilization \(percentage of request\) above target/,
    );
  });

  it('keeps a pod that fits no node Pending with the scheduler reason', async () => {
    const applied = await kubectl(
      env,
      ['apply', '--server-side', '-f', '-'],
      deploymentYaml({ name: 'huge', cpu: '3' }),
    );
    assert.equal(applied.code, 0, applied.stderr);
    await kubectlUntil(env, ['get', 'pods', '-l', 'app=huge'], /^huge-\S+\s+0\/1\s+Pending\s+0\s+/m);
    const described = await kubectlUntil(
      env,
      ['describe', 'pod', '-l', 'app=huge'],
      /Warning\s+FailedScheduling\s+/,
    );
    assert.match(
      described,
      new RegExp(
        `FailedScheduling\\s+.*0/${staticNodes} nodes are available: ${staticNodes} Insufficient cpu\\.`,
      ),
    );
    assert.match(described, /PodScheduled\s+False/);
  });

  it('fails the rollout of an image that cannot be pulled at its progress deadline', async () => {
    const applied = await kubectl(
      env,
      ['apply', '--server-side', '-f', '-'],
      deploymentYaml({
        name: 'broken',
        cpu: '50m',
        image: 'shop/web:pull-error',
        progressDeadlineSeconds: 5,
      }),
    );
    assert.equal(applied.code, 0, applied.stderr);
    const rollout = await kubectl(env, ['rollout', 'status', 'deployment/broken', '--timeout=60s']);
    assert.notEqual(rollout.code, 0);
    assert.match(rollout.stderr, /deployment "broken" exceeded its progress deadline/);
    const pods = await kubectl(env, ['get', 'pods', '-l', 'app=broken']);
    assert.match(pods.stdout, /^broken-\S+\s+0\/1\s+(ErrImagePull|ImagePullBackOff)\s+/m);
  });

  it('garbage-collects the ReplicaSets and pods of a deleted Deployment', async () => {
    const applied = await kubectl(
      env,
      ['apply', '--server-side', '-f', '-'],
      deploymentYaml({ name: 'x', replicas: 2, cpu: '50m' }),
    );
    assert.equal(applied.code, 0, applied.stderr);
    const rollout = await kubectl(env, ['rollout', 'status', 'deployment/x', '--timeout=60s']);
    assert.equal(rollout.code, 0, rollout.stderr);
    const before = await kubectl(env, ['get', 'rs,pods', '-l', 'app=x']);
    assert.match(before.stdout, /replicaset\.apps\/x-\S+\s+2\s+2\s+2\s+/);
    const scaled = await kubectl(env, ['scale', 'deployment/x', '--replicas=0']);
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.match(scaled.stdout, /deployment\.apps\/x scaled/);
    const deleted = await kubectl(env, ['delete', 'deployment', 'x']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /deployment\.apps "x" deleted/);
    await kubectlUntil(env, ['get', 'rs,pods', '-l', 'app=x'], /^$/);
    const gone = await kubectl(env, ['get', 'rs,pods', '-l', 'app=x']);
    assert.match(gone.stderr, /No resources found in default namespace\./);
  });

  it('adds a node from the node group for a pod that fits no existing node', async () => {
    const nodes = await kubectl(env, ['get', 'nodes']);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stdout, /^node-1\s+Ready\s+/m);
    assert.match(nodes.stdout, /^node-2\s+Ready\s+/m);
    assert.doesNotMatch(nodes.stdout, /^pool-/m);
    // One 1200m pod per 2-CPU node; the third fits none of them but fits a fresh pool node.
    const applied = await kubectl(
      env,
      ['apply', '--server-side', '-f', '-'],
      deploymentYaml({ name: 'batch', replicas: staticNodes + 1, cpu: '1200m' }),
    );
    assert.equal(applied.code, 0, applied.stderr);
    await kubectlUntil(env, ['get', 'nodes'], /^pool-\S+\s+Ready\s+/m);
    const rollout = await kubectl(env, ['rollout', 'status', 'deployment/batch', '--timeout=60s']);
    assert.equal(rollout.code, 0, rollout.stderr);
    const wide = await kubectl(env, ['get', 'pods', '-l', 'app=batch', '-o', 'wide']);
    assert.equal(wide.stdout.match(/\s1\/1\s+Running\s+/g)?.length, staticNodes + 1, wide.stdout);
    assert.match(wide.stdout, /Running\s+.*\spool-\S+\s/);
    const events = await kubectl(env, ['get', 'events', '--field-selector', 'reason=TriggeredScaleUp']);
    assert.match(
      events.stdout,
      /Normal\s+TriggeredScaleUp\s+pod\/batch-\S+\s+pod triggered scale-up: \[\{pool 0->1 \(max: 2\)\}\]/,
    );
  });
});
