import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { createPod, createService, type Harness, load, startHarness, types } from './dataplane-fixtures.js';

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the text format: every sample belongs to the family announced by the last TYPE line. */
function parseExposition(text: string): { samples: ParsedSample[]; types: Map<string, string> } {
  const familyTypes = new Map<string, string>();
  const samples: ParsedSample[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        assert.ok(!familyTypes.has(meta[2] as string), `family ${meta[2]} announced twice`);
        familyTypes.set(meta[2] as string, meta[3] as string);
        current = meta[2] as string;
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `malformed line: ${line}`);
    const name = m[1] as string;
    const base = familyTypes.get(current) === 'histogram' ? name.replace(/_(bucket|sum|count)$/, '') : name;
    assert.equal(base, current, `sample ${name} outside its family`);
    const labels: Record<string, string> = {};
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
    const body = m[2] ?? '';
    let keys: string[] = [];
    for (let l = labelPattern.exec(body); l; l = labelPattern.exec(body)) {
      labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
      keys.push(l[1] as string);
      if (labelPattern.lastIndex === body.length) break;
    }
    assert.equal(labelPattern.lastIndex, body.length, `malformed labels: ${line}`);
    assert.deepEqual(keys, [...keys].sort(), `labels not in alphabetical order: ${line}`);
    keys = [];
    samples.push({ name, labels, value: Number(m[3] === '+Inf' ? Number.POSITIVE_INFINITY : m[3]) });
  }
  return { samples, types: familyTypes };
}

function find(samples: ParsedSample[], name: string, labels: Record<string, string>): ParsedSample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

describe('metrics endpoint', () => {
  let h: Harness;
  let text: string;
  let parsed: ReturnType<typeof parseExposition>;
  let webUid: string;
  let pendingUid: string;

  before(async () => {
    h = await startHarness();
    const { store } = h;
    store.create(types.nodes, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1', labels: { 'node.kubernetes.io/instance-type': 'sim-4' } },
      spec: { providerID: 'scalegate://pool-a/node-1' },
      status: {
        capacity: { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' },
        allocatable: { cpu: '3500m', memory: '15Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True' }],
        nodeInfo: { kubeletVersion: 'v1.34.0', osImage: 'Debian "bookworm"\\sim', kernelVersion: '6.1.0' },
        addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
      },
    });
    const deployment = store.create(types.deployments, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        replicas: 4,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      },
    });
    store.update(
      types.deployments,
      {
        ...deployment,
        status: {
          replicas: 4,
          readyReplicas: 3,
          availableReplicas: 3,
          unavailableReplicas: 1,
          updatedReplicas: 4,
          observedGeneration: 1,
          conditions: [
            { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' },
            { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
            { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' },
          ],
        },
      },
      { subresource: 'status' },
    );
    const hpa = store.create(types.hpas, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
          },
          {
            type: 'Pods',
            pods: {
              metric: { name: 'http_requests_per_second' },
              target: { type: 'AverageValue', averageValue: '10' },
            },
          },
          {
            type: 'External',
            external: { metric: { name: 'queue_depth' }, target: { type: 'Value', value: '500m' } },
          },
          {
            type: 'ContainerResource',
            containerResource: {
              name: 'memory',
              container: 'app',
              target: { type: 'AverageValue', averageValue: '64Mi' },
            },
          },
        ],
      },
    });
    store.update(
      types.hpas,
      {
        ...hpa,
        status: {
          currentReplicas: 4,
          desiredReplicas: 6,
          currentMetrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', current: { averageUtilization: 120, averageValue: '120m' } },
            },
          ],
          conditions: [
            { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale' },
            { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' },
            { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange' },
          ],
        },
      },
      { subresource: 'status' },
    );
    const web = createPod(store, 'web-0', {
      labels: { app: 'web', 'app.kubernetes.io/name': 'web', track: 'stable', version: 'v1' },
      annotations: { 'sim.scalegate.dev/cpu-per-request': '1ms', 'sim.scalegate.dev/base-latency': '2ms' },
      memoryLimit: '256Mi',
    });
    webUid = web.metadata.uid as string;
    store.update(types.pods, {
      ...web,
      metadata: {
        ...web.metadata,
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'u1', controller: true },
        ],
      },
    });
    const pending = store.create(types.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pending-0', namespace: 'shop' },
      spec: {
        containers: [
          { name: 'app', image: 'shop/web:1.0', resources: { requests: { cpu: '2', memory: '1Gi' } } },
        ],
      },
    });
    pendingUid = pending.metadata.uid as string;
    store.update(
      types.pods,
      {
        ...pending,
        status: {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/1 nodes are available: 1 Insufficient cpu.',
            },
          ],
        },
      },
      { subresource: 'status' },
    );
    createService(store, 'web', { app: 'web' });
    await load(`${h.gatewayUrl}/shop/web/`, 30, 3);
    text = await (await fetch(h.metricsUrl)).text();
    parsed = parseExposition(text);
  });
  after(() => h.close());

  it('serves the text format with families announced once and labels in order', async () => {
    const res = await fetch(h.metricsUrl);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal((await fetch(h.metricsUrl.replace('/metrics', '/other'))).status, 404);
    assert.equal(parsed.types.get('kube_pod_container_status_restarts_total'), 'counter');
    assert.equal(parsed.types.get('container_cpu_usage_seconds_total'), 'counter');
    assert.equal(parsed.types.get('http_request_duration_seconds'), 'histogram');
    assert.equal(parsed.types.get('kube_pod_status_phase'), 'gauge');
  });

  it('passes promtool check metrics', () => {
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });

  it('names HPA series as kube-state-metrics does', () => {
    const hpa = { horizontalpodautoscaler: 'web', namespace: 'shop' };
    const line = (s: string) => assert.ok(text.includes(`\n${s}\n`), `missing: ${s}`);
    line(
      'kube_horizontalpodautoscaler_spec_target_metric{container="",horizontalpodautoscaler="web",metric_name="cpu",metric_target_type="utilization",namespace="shop"} 80',
    );
    line(
      'kube_horizontalpodautoscaler_spec_target_metric{container="",horizontalpodautoscaler="web",metric_name="http_requests_per_second",metric_target_type="average",namespace="shop"} 10',
    );
    line(
      'kube_horizontalpodautoscaler_spec_target_metric{container="",horizontalpodautoscaler="web",metric_name="queue_depth",metric_target_type="value",namespace="shop"} 0.5',
    );
    line(
      'kube_horizontalpodautoscaler_spec_target_metric{container="app",horizontalpodautoscaler="web",metric_name="memory",metric_target_type="average",namespace="shop"} 67108864',
    );
    line(
      'kube_horizontalpodautoscaler_status_target_metric{container="",horizontalpodautoscaler="web",metric_name="cpu",metric_target_type="average",namespace="shop"} 0.12',
    );
    line(
      'kube_horizontalpodautoscaler_status_condition{condition="AbleToScale",horizontalpodautoscaler="web",namespace="shop",status="true"} 1',
    );
    line(
      'kube_horizontalpodautoscaler_status_condition{condition="ScalingLimited",horizontalpodautoscaler="web",namespace="shop",status="false"} 1',
    );
    line(
      'kube_horizontalpodautoscaler_info{horizontalpodautoscaler="web",namespace="shop",scaletargetref_api_version="apps/v1",scaletargetref_kind="Deployment",scaletargetref_name="web"} 1',
    );
    assert.equal(find(parsed.samples, 'kube_horizontalpodautoscaler_spec_min_replicas', hpa)[0]?.value, 1);
    assert.equal(find(parsed.samples, 'kube_horizontalpodautoscaler_spec_max_replicas', hpa)[0]?.value, 10);
    assert.equal(
      find(parsed.samples, 'kube_horizontalpodautoscaler_status_desired_replicas', hpa)[0]?.value,
      6,
    );
    assert.equal(
      find(parsed.samples, 'kube_horizontalpodautoscaler_status_current_replicas', hpa)[0]?.value,
      4,
    );
    assert.equal(find(parsed.samples, 'kube_horizontalpodautoscaler_metadata_generation', hpa)[0]?.value, 1);
    assert.equal(find(parsed.samples, 'kube_horizontalpodautoscaler_status_condition', hpa).length, 9);
  });

  it('names pod series as kube-state-metrics does', () => {
    const pending = { namespace: 'shop', pod: 'pending-0', uid: pendingUid };
    const phases = find(parsed.samples, 'kube_pod_status_phase', pending);
    assert.deepEqual(Object.fromEntries(phases.map((s) => [s.labels.phase, s.value])), {
      Pending: 1,
      Succeeded: 0,
      Failed: 0,
      Unknown: 0,
      Running: 0,
    });
    assert.ok(
      text.includes(
        `kube_pod_status_phase{namespace="shop",phase="Pending",pod="pending-0",uid="${pendingUid}"} 1\n`,
      ),
    );
    assert.ok(
      text.includes(
        `kube_pod_status_scheduled{condition="false",namespace="shop",pod="pending-0",uid="${pendingUid}"} 1\n`,
      ),
    );
    assert.ok(
      text.includes(
        `kube_pod_status_unschedulable{namespace="shop",pod="pending-0",uid="${pendingUid}"} 1\n`,
      ),
    );
    assert.equal(find(parsed.samples, 'kube_pod_status_unschedulable', { pod: 'web-0' }).length, 0);
    assert.ok(
      text.includes(
        `kube_pod_container_resource_requests{container="app",namespace="shop",node="",pod="pending-0",resource="memory",uid="${pendingUid}",unit="byte"} 1073741824\n`,
      ),
    );
    const web = { namespace: 'shop', pod: 'web-0', uid: webUid };
    assert.equal(find(parsed.samples, 'kube_pod_status_ready', { ...web, condition: 'true' })[0]?.value, 1);
    assert.equal(find(parsed.samples, 'kube_pod_status_scheduled_time', web).length, 1);
    assert.equal(find(parsed.samples, 'kube_pod_start_time', web).length, 1);
    const created = find(parsed.samples, 'kube_pod_created', web)[0]?.value ?? 0;
    assert.ok(Math.abs(created - Date.now() / 1000) < 120, `kube_pod_created ${created}`);
    assert.deepEqual(find(parsed.samples, 'kube_pod_owner', web)[0]?.labels, {
      ...web,
      owner_is_controller: 'true',
      owner_kind: 'ReplicaSet',
      owner_name: 'web-abc',
    });
    assert.deepEqual(find(parsed.samples, 'kube_pod_owner', pending)[0]?.labels, {
      ...pending,
      // ksm v2: a bare pod's owner labels are empty, not v1's "<none>".
      owner_is_controller: '',
      owner_kind: '',
      owner_name: '',
    });
    assert.deepEqual(find(parsed.samples, 'kube_pod_info', web)[0]?.labels, {
      ...web,
      created_by_kind: 'ReplicaSet',
      created_by_name: 'web-abc',
      host_ip: '10.0.0.1',
      host_network: 'false',
      node: 'node-1',
      pod_ip: '10.1.0.1',
      priority_class: '',
    });
    assert.equal(find(parsed.samples, 'kube_pod_labels', web)[0]?.labels.label_app_kubernetes_io_name, 'web');
    assert.equal(
      find(parsed.samples, 'kube_pod_container_resource_limits', {
        ...web,
        resource: 'memory',
        unit: 'byte',
      })[0]?.value,
      268435456,
    );
    assert.equal(
      find(parsed.samples, 'kube_pod_container_status_restarts_total', { ...web, container: 'app' })[0]
        ?.value,
      0,
    );
  });

  it('names deployment and node series as kube-state-metrics does', () => {
    const d = { deployment: 'web', namespace: 'shop' };
    for (const [name, value] of [
      ['kube_deployment_spec_replicas', 4],
      ['kube_deployment_status_replicas', 4],
      ['kube_deployment_status_replicas_ready', 3],
      ['kube_deployment_status_replicas_available', 3],
      ['kube_deployment_status_replicas_unavailable', 1],
      ['kube_deployment_status_replicas_updated', 4],
      ['kube_deployment_status_observed_generation', 1],
      ['kube_deployment_metadata_generation', 1],
      ['kube_deployment_spec_strategy_rollingupdate_max_surge', 1],
      ['kube_deployment_spec_strategy_rollingupdate_max_unavailable', 1],
    ] as const) {
      assert.equal(find(parsed.samples, name, d)[0]?.value, value, name);
    }
    assert.ok(
      text.includes(
        'kube_deployment_status_condition{condition="Progressing",deployment="web",namespace="shop",reason="NewReplicaSetAvailable",status="true"} 1\n',
      ),
    );
    assert.ok(
      text.includes(
        'kube_deployment_status_condition{condition="ReplicaFailure",deployment="web",namespace="shop",reason="unknown",status="true"} 1\n',
      ),
    );
    assert.ok(text.includes('kube_node_status_allocatable{node="node-1",resource="cpu",unit="core"} 3.5\n'));
    assert.ok(
      text.includes('kube_node_status_allocatable{node="node-1",resource="pods",unit="integer"} 110\n'),
    );
    assert.ok(
      text.includes(
        'kube_node_status_capacity{node="node-1",resource="ephemeral_storage",unit="byte"} 107374182400\n',
      ),
    );
    assert.ok(text.includes('kube_node_status_condition{condition="Ready",node="node-1",status="true"} 1\n'));
    assert.ok(text.includes('kube_node_spec_unschedulable{node="node-1"} 0\n'));
    const info = find(parsed.samples, 'kube_node_info', { node: 'node-1' })[0];
    assert.equal(info?.labels.os_image, 'Debian "bookworm"\\sim');
    assert.equal(info?.labels.kubeproxy_version, 'deprecated');
    assert.equal(info?.labels.provider_id, 'scalegate://pool-a/node-1');
  });

  it('exposes cAdvisor CPU and memory and the app’s HTTP metrics per pod', () => {
    const cpu = find(parsed.samples, 'container_cpu_usage_seconds_total', {
      pod: 'web-0',
      container: 'app',
    })[0];
    assert.deepEqual(cpu?.labels, {
      container: 'app',
      cpu: 'total',
      id: `/kubepods/burstable/pod${webUid}/web-0-0001`,
      image: 'shop/web:1.0',
      name: 'web-0-0001',
      namespace: 'shop',
      pod: 'web-0',
    });
    assert.ok((cpu?.value ?? 0) >= 0.029, `30 requests × 1 ms of CPU, got ${cpu?.value}`);
    assert.equal(
      find(parsed.samples, 'container_cpu_usage_seconds_total', { pod: 'web-0', container: '' }).length,
      1,
    );
    const memory = find(parsed.samples, 'container_memory_working_set_bytes', {
      pod: 'web-0',
      container: 'app',
    })[0];
    assert.equal(memory?.value, 32 * 2 ** 20);
    const app = {
      code: '200',
      namespace: 'shop',
      pod: 'web-0',
      service: 'web',
      track: 'stable',
      version: 'v1',
    };
    assert.deepEqual(find(parsed.samples, 'http_requests_total', {})[0]?.labels, app);
    assert.equal(find(parsed.samples, 'http_requests_total', app)[0]?.value, 30);
    const buckets = find(parsed.samples, 'http_request_duration_seconds_bucket', app);
    assert.deepEqual(
      buckets.map((b) => b.labels.le),
      ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'],
    );
    assert.ok(buckets.every((b, i) => i === 0 || b.value >= (buckets[i - 1]?.value ?? 0)));
    assert.equal(buckets.at(-1)?.value, 30);
    assert.equal(find(parsed.samples, 'http_request_duration_seconds_count', app)[0]?.value, 30);
    assert.ok((find(parsed.samples, 'http_request_duration_seconds_sum', app)[0]?.value ?? 0) >= 30 * 0.003);
  });

  it('drops every series of a deleted pod', async () => {
    h.store.remove(types.pods, 'shop', 'web-0');
    const after = await (await fetch(h.metricsUrl)).text();
    assert.ok(!after.includes('pod="web-0"'));
    assert.ok(after.includes('pod="pending-0"'));
  });
});
