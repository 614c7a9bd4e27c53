import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { PrometheusClient } from '../../actions/lib/prometheus/client.js';
import { type PrometheusServer, startPrometheus } from '../../cli/local/prometheus-server.js';
import { type RunningCluster, startCluster } from '../../simulator/cluster.js';
import { clusterScrapeConfigs } from '../../simulator/dataplane/scrape-config.js';
import { eventually } from '../support/eventually.js';
import { kubectl } from './cluster-kubectl-fixtures.js';

/**
 * The local cluster's metrics laid out as kube-prometheus-stack scrapes a real cluster: kube-state-metrics'
 * conventions (STABLE help, empty owner labels, the labels allow-list) and each node's kubelet endpoints under
 * `job="kubelet"` with their `metrics_path`, scraped by a real Prometheus with the configuration scalegate writes.
 */
describe('metrics layout of a real cluster', () => {
  let cluster: RunningCluster;
  let prometheus: PrometheusServer;
  let client: PrometheusClient;
  before(async () => {
    cluster = await startCluster();
    const env = { ...process.env, KUBECONFIG: cluster.kubeconfig };
    for (const args of [
      ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2'],
      ['run', 'bare', '--image=busybox:1.36', '--labels=app=bare,tier=tools'],
      ['label', 'node', 'node-1', 'node-role.kubernetes.io/control-plane='],
      ['taint', 'node', 'node-3', 'dedicated=batch:NoSchedule'],
    ]) {
      const result = await kubectl(env, args);
      assert.equal(result.code, 0, result.stderr);
    }
    prometheus = await startPrometheus({ targets: [], scrapeConfigs: clusterScrapeConfigs(cluster.metrics) });
    client = new PrometheusClient({ url: prometheus.url, retries: 0 });
    await prometheus.waitForSample('kube_pod_info{job="kube-state-metrics"}');
  });
  after(async () => {
    await client?.close();
    await prometheus?.stop();
    await cluster?.stop();
  });

  /** Polls a query until it returns `count` series (at least one when not given): targets come in one by one. */
  const series = (expr: string, count?: number) =>
    eventually(
      `${expr} to return ${count ?? 'some'} series`,
      async () => {
        const result = await client.query(expr);
        return (count === undefined ? result.length > 0 : result.length === count) ? result : undefined;
      },
      { timeoutMs: 30_000 },
    );

  it('serves kube-state-metrics with its v2 conventions', async () => {
    const text = await (await fetch(`${cluster.metrics}/metrics/kube-state-metrics`)).text();
    assert.match(text, /^# HELP kube_pod_info \[STABLE\] Information about pod\.$/m);
    assert.match(text, /^# HELP kube_pod_status_reason The pod status reasons$/m);
    assert.match(
      text,
      /^kube_pod_owner\{namespace="default",owner_is_controller="",owner_kind="",owner_name="",pod="bare",uid="[^"]+"\} 1$/m,
    );
    // The allowlist the real kube-state-metrics gets too: pods', workloads' and nodes' labels; namespaces are not in it,
    // so kube_namespace_labels has no series at all, as ksm does for a resource outside the list.
    assert.match(
      text,
      /^kube_pod_labels\{label_app="bare",label_tier="tools",namespace="default",pod="bare",uid="[^"]+"\} 1$/m,
    );
    assert.match(text, /^kube_node_labels\{.*label_kubernetes_io_hostname="node-1",.*node="node-1"\} 1$/m);
    assert.doesNotMatch(text, /^kube_namespace_labels\{/m);
    const owner = await series(
      'kube_replicaset_owner{job="kube-state-metrics", owner_kind="Deployment", owner_name="web"}',
    );
    assert.equal(owner.length, 1);
    assert.equal(
      (await series('kube_node_role{job="kube-state-metrics", role="control-plane"}'))[0]?.metric.node,
      'node-1',
    );
    assert.equal(
      (await series('kube_node_spec_taint{job="kube-state-metrics", key="dedicated"}'))[0]?.metric.effect,
      'NoSchedule',
    );
    assert.equal(
      (
        await series(
          'kube_namespace_status_phase{job="kube-state-metrics", namespace="default", phase="Active"} == 1',
        )
      ).length,
      1,
    );
  });

  it('serves the kubelet endpoints of every node under job="kubelet" with their metrics_path', async () => {
    const nodes = await series(
      'count by (node) (kubelet_node_name{job="kubelet", metrics_path="/metrics"})',
      3,
    );
    assert.deepEqual(nodes.map((s) => s.metric.node).sort(), ['node-1', 'node-2', 'node-3']);
    const cadvisor = await series(
      'container_cpu_usage_seconds_total{job="kubelet", metrics_path="/metrics/cadvisor", container="nginx", namespace="default"}',
      2,
    );
    assert.equal(cadvisor.length, 2);
    for (const s of cadvisor) assert.match(s.metric.instance ?? '', /^\d+\.\d+\.\d+\.\d+:10250$/);
    const resource = await series(
      'node_memory_working_set_bytes{job="kubelet", metrics_path="/metrics/resource"}',
      3,
    );
    assert.equal(resource.length, 3);
    const running = await series('sum(kubelet_running_pods{job="kubelet", metrics_path="/metrics"})');
    assert.ok(Number(running[0]?.value[1]) >= 3);
  });

  it('prints the scrape configs for users with sim up --print-scrape-config', async () => {
    const child = spawn(
      process.execPath,
      ['bin/scalegate.mjs', 'sim', 'up', '--nodes', '1', '--print-scrape-config'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      await eventually('the scrape configs', () => out.includes('job_name: scalegate-pods'), {
        timeoutMs: 30_000,
      });
      const [endpoints, ...rest] = out.split('\n');
      const metrics = JSON.parse(endpoints as string).metrics as string;
      const config = parseYaml(rest.join('\n')) as { scrape_configs: Array<Record<string, unknown>> };
      assert.deepEqual(
        config.scrape_configs.map((c) => c.job_name),
        ['kube-state-metrics', 'kubelet', 'kubelet-cadvisor', 'kubelet-resource', 'scalegate-pods'],
      );
      assert.deepEqual(config.scrape_configs[2]?.relabel_configs, [
        { target_label: 'job', replacement: 'kubelet', action: 'replace' },
      ]);
      const sd = (await (
        await fetch(`${metrics}/sd/kubelet?path=${encodeURIComponent('/metrics/cadvisor')}`)
      ).json()) as Array<{ labels: Record<string, string> }>;
      assert.equal(sd[0]?.labels.metrics_path, '/metrics/cadvisor');
      assert.equal(sd[0]?.labels.__metrics_path__, '/metrics/nodes/node-1/cadvisor');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
