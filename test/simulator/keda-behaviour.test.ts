import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type PrometheusServer, startPrometheus } from '../../cli/local/prometheus-server.js';
import { type RunningCluster, startCluster } from '../../simulator/cluster.js';
import { kubectl, kubectlUntil } from './cluster-kubectl-fixtures.js';

/**
 * KEDA's own scaling decisions as KEDA makes them, driven with kubectl: the pause annotations (the HPA goes, the
 * target is held at paused-replicas, Paused is True), idleReplicaCount while no trigger is active, and
 * initialCooldownPeriod holding the first scale-in. The trigger queries a real Prometheus (`vector(...)`).
 */

function scaledObject(prometheus: string, query: string, extra: string): string {
  return `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {name: web}
  pollingInterval: 1
  cooldownPeriod: 1
  minReplicaCount: 2
  maxReplicaCount: 6
${extra}
  triggers:
  - type: prometheus
    metadata: {serverAddress: "${prometheus}", query: "${query}", threshold: "100", activationThreshold: "1"}
`;
}

describe('KEDA scaling decisions', () => {
  let cluster: RunningCluster;
  let prometheus: PrometheusServer;
  let env: NodeJS.ProcessEnv;
  let home: string;
  before(async () => {
    cluster = await startCluster();
    prometheus = await startPrometheus({ targets: [] });
    home = await mkdtemp(join(tmpdir(), 'scalegate-keda-behaviour-'));
    env = { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: home };
    const created = await kubectl(env, ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3']);
    assert.equal(created.code, 0, created.stderr);
  });
  after(async () => {
    await prometheus?.stop();
    await cluster?.stop();
    await rm(home, { recursive: true, force: true });
  });

  const replicas = ['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}'];

  it('holds the first scale-in for initialCooldownPeriod, then idles at idleReplicaCount', async () => {
    const apply = await kubectl(
      env,
      ['apply', '-f', '-'],
      scaledObject(prometheus.url, 'vector(0)', '  idleReplicaCount: 0\n  initialCooldownPeriod: 4'),
    );
    assert.equal(apply.code, 0, apply.stderr);
    await kubectlUntil(
      env,
      ['get', 'scaledobject', 'web', '-o', 'jsonpath={.status.conditions[?(@.type=="Active")].status}'],
      /^False$/,
    );
    const soon = await kubectl(env, replicas);
    assert.equal(soon.stdout, '3', 'not scaled in before initialCooldownPeriod');
    await kubectlUntil(env, replicas, /^0$/);
    const events = await kubectl(env, [
      'get',
      'events',
      '--field-selector=reason=KEDAScaleTargetDeactivated',
    ]);
    assert.match(events.stdout, /Deactivated apps\/v1\.Deployment default\/web from 3 to 0/);
  });

  it('activates from the idle count to minReplicaCount', async () => {
    const apply = await kubectl(
      env,
      ['apply', '-f', '-'],
      scaledObject(prometheus.url, 'vector(5)', '  idleReplicaCount: 0'),
    );
    assert.equal(apply.code, 0, apply.stderr);
    await kubectlUntil(env, replicas, /^2$/);
    await kubectlUntil(
      env,
      ['get', 'events', '--field-selector=reason=KEDAScaleTargetActivated'],
      /Scaled apps\/v1\.Deployment default\/web from 0 to 2, triggered by s0-prometheus/,
    );
  });

  it('pauses at paused-replicas: the HPA goes, Paused is True; unpausing brings the HPA back', async () => {
    const annotate = await kubectl(env, [
      'annotate',
      'scaledobject',
      'web',
      'autoscaling.keda.sh/paused-replicas=4',
    ]);
    assert.equal(annotate.code, 0, annotate.stderr);
    await kubectlUntil(env, replicas, /^4$/);
    await kubectlUntil(
      env,
      ['get', 'scaledobject', 'web'],
      /\bweb\s+apps\/v1\.Deployment\s+web\s+2\s+6\s+True\s+\S+\s+False\s+True\s+prometheus\b/,
    );
    const status = JSON.parse(
      (await kubectl(env, ['get', 'scaledobject', 'web', '-o', 'json'])).stdout,
    ).status;
    assert.equal(status.pausedReplicaCount, 4);
    const hpa = await kubectl(env, ['get', 'hpa', 'keda-hpa-web']);
    assert.notEqual(hpa.code, 0);
    assert.match(hpa.stderr, /horizontalpodautoscalers\.autoscaling "keda-hpa-web" not found/);
    const unpause = await kubectl(env, [
      'annotate',
      'scaledobject',
      'web',
      'autoscaling.keda.sh/paused-replicas-',
    ]);
    assert.equal(unpause.code, 0, unpause.stderr);
    await kubectlUntil(
      env,
      ['get', 'hpa', 'keda-hpa-web', '-o', 'name'],
      /horizontalpodautoscaler\.autoscaling\/keda-hpa-web/,
    );
    await kubectlUntil(
      env,
      ['get', 'scaledobject', 'web', '-o', 'jsonpath={.status.conditions[?(@.type=="Paused")].reason}'],
      /^ScaledObjectUnpaused$/,
    );
  });
});
