import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type PrometheusServer, startPrometheus } from '../../cli/local/prometheus-server.js';
import { type RunningCluster, startCluster } from '../../simulator/cluster.js';
import { clusterScrapeConfigs } from '../../simulator/dataplane/scrape-config.js';
import { kubectl, kubectlUntil } from './cluster-kubectl-fixtures.js';

/**
 * KEDA as kubectl sees it on a real cluster: the ScaledObject's printer columns, and the trigger's value served by
 * external.metrics.k8s.io over REST (what the HPA controller, and `kubectl get --raw`, read).
 */
describe('KEDA ScaledObjects through kubectl', () => {
  let cluster: RunningCluster;
  let prometheus: PrometheusServer;
  let env: NodeJS.ProcessEnv;
  let home: string;
  before(async () => {
    cluster = await startCluster();
    prometheus = await startPrometheus({ targets: [], scrapeConfigs: clusterScrapeConfigs(cluster.metrics) });
    await prometheus.waitForSample('kube_node_info{job="kube-state-metrics"}');
    home = await mkdtemp(join(tmpdir(), 'scalegate-keda-kubectl-'));
    env = { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: home };
  });
  after(async () => {
    await prometheus?.stop();
    await cluster?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('prints the columns of KEDA CRD and serves the trigger value as an external metric', async () => {
    const created = await kubectl(env, ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2']);
    assert.equal(created.code, 0, created.stderr);
    const applied = await kubectl(
      env,
      ['apply', '-f', '-'],
      `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {name: web}
  pollingInterval: 1
  minReplicaCount: 2
  maxReplicaCount: 6
  triggers:
  - type: prometheus
    metadata:
      serverAddress: ${prometheus.url}
      query: 'count(kube_node_info{job="kube-state-metrics"})'
      threshold: '100'
`,
    );
    assert.equal(applied.code, 0, applied.stderr);
    const table = await kubectlUntil(env, ['get', 'scaledobject', 'web'], /\bTrue\b/);
    assert.match(
      table,
      /^NAME\s+SCALETARGETKIND\s+SCALETARGETNAME\s+MIN\s+MAX\s+READY\s+ACTIVE\s+FALLBACK\s+PAUSED\s+TRIGGERS\s+AUTHENTICATIONS\s+AGE\nweb\s+apps\/v1\.Deployment\s+web\s+2\s+6\s+True\s+True\s+False\s+False\s+prometheus\s+\S+$/m,
    );
    const raw = await kubectlUntil(
      env,
      [
        'get',
        '--raw',
        '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-prometheus?labelSelector=scaledobject.keda.sh%2Fname%3Dweb',
      ],
      /"value":"3"/,
    );
    const list = JSON.parse(raw);
    assert.equal(list.kind, 'ExternalMetricValueList');
    assert.equal(list.items[0].metricName, 's0-prometheus');
    const groups = await kubectl(env, ['api-versions']);
    assert.match(groups.stdout, /^external\.metrics\.k8s\.io\/v1beta1$/m);
  });
});
