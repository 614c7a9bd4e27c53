import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PrometheusClient } from '../../actions/lib/prometheus/client.js';
import { parseQuantity } from '../../actions/lib/util/quantity.js';
import { type LocalStack, startLocalStack } from '../../cli/demo/local-stack.js';
import { prometheusAdapterService } from '../../simulator/kubernetes/prometheus-adapter.js';
import { examples } from '../e2e/scenario-support.js';
import { deploymentYaml, kubectl, kubectlUntil } from '../simulator/cluster-kubectl-fixtures.js';
import { keepBusy } from '../simulator/dataplane-fixtures.js';
import { eventually } from '../support/eventually.js';
import { describeProcesses, processesMentioning } from '../support/processes.js';

/**
 * The real sigs.k8s.io/prometheus-adapter on the kubernetes control plane, as a user meets it with real kubectl:
 * started by the local stack after Prometheus with the rule scenario 5's HPA metric needs, registered as the
 * custom.metrics.k8s.io APIServices, and answering the rate Prometheus computes. Fails, never skips, when the
 * binaries are not built.
 */
const namespace = 'adapter';
const metric = 'http_requests_per_second';

interface MetricValueList {
  items: Array<{ describedObject: { name: string }; timestamp: string; value: string }>;
}

describe('prometheus-adapter on the kubernetes control plane', () => {
  let stack: LocalStack;
  let env: NodeJS.ProcessEnv;
  let home: string;
  let adapterPort: number | undefined;

  before(async () => {
    stack = await startLocalStack({
      cluster: { controlPlane: 'kubernetes', nodes: 2 },
      environments: [join(examples, '05-custom-metric/custom-metric.yaml')],
    });
    home = await mkdtemp(join(tmpdir(), 'scalegate-adapter-kubectl-'));
    env = { ...process.env, KUBECONFIG: stack.cluster.kubeconfig, HOME: home };
  });
  after(async () => {
    await stack?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('serves custom.metrics.k8s.io v1beta1 and v1beta2 through its own Service', async () => {
    for (const version of ['v1beta1', 'v1beta2']) {
      const apiService = JSON.parse(
        await kubectlUntil(
          env,
          ['get', 'apiservice', `${version}.custom.metrics.k8s.io`, '-o', 'json'],
          /Available/,
        ),
      );
      assert.equal(apiService.spec.service.name, prometheusAdapterService);
      assert.equal(apiService.spec.service.namespace, 'kube-system');
      const service = JSON.parse(
        (await kubectl(env, ['get', 'service', '-n', 'kube-system', prometheusAdapterService, '-o', 'json']))
          .stdout,
      );
      assert.equal(apiService.spec.service.port, service.spec.ports[0].port);
      adapterPort = apiService.spec.service.port;
    }
    // The external metrics API stays with the node agent's KEDA metrics server.
    const external = await kubectl(env, [
      'get',
      'apiservice',
      'v1beta1.external.metrics.k8s.io',
      '-o',
      'json',
    ]);
    assert.equal(external.code, 0, external.stderr);
    assert.notEqual(JSON.parse(external.stdout).spec.service.name, prometheusAdapterService);
  });

  it('kubectl get --raw answers the per-pod rate that Prometheus computes from http_requests_total', async () => {
    const apply = await kubectl(
      env,
      ['apply', '-n', namespace, '-f', '-'],
      `apiVersion: v1
kind: Namespace
metadata: {name: ${namespace}}
---
${deploymentYaml({ name: 'api', replicas: 2, cpu: '100m', annotations: { 'sim.scalegate.dev/base-latency': '5ms' } })}---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: ${namespace}}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080}]
`,
    );
    assert.equal(apply.code, 0, apply.stderr);
    await kubectlUntil(
      env,
      ['get', 'deployment', 'api', '-n', namespace, '-o', 'jsonpath={.status.readyReplicas}'],
      /^2$/,
      90_000,
    );
    const busy = keepBusy(stack.serviceUrl(namespace, 'api'), 4);
    try {
      // Discovery lists the metric only once the adapter has found its series in Prometheus (the node agent's
      // adapter lists no resources at all).
      await kubectlUntil(
        env,
        ['get', '--raw', '/apis/custom.metrics.k8s.io/v1beta2'],
        new RegExp(`pods/${metric}`),
        60_000,
      );
      const prometheus = new PrometheusClient({ url: stack.prometheus.url });
      const path = `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${namespace}/pods/*/${metric}`;
      // The adapter evaluates its rule at the moment of the request; its answer must equal, to the milli-unit it
      // reports, what Prometheus gives for the same rule's PromQL at some moment of that second.
      const matched = await eventually(
        'an adapter answer equal to the PromQL rate',
        async () => {
          const raw = await kubectl(env, ['get', '--raw', path]);
          if (raw.code !== 0) return undefined;
          const list = JSON.parse(raw.stdout) as MetricValueList;
          if (list.items.length !== 2) return undefined;
          const second = Date.parse(list.items[0]?.timestamp as string) / 1000;
          const moments = Array.from({ length: 31 }, (_, i) => second - 0.5 + i * 0.05);
          const answers = await Promise.all(
            moments.map((t) =>
              prometheus.query(
                `sum(rate(http_requests_total{namespace="${namespace}",pod=~"${list.items.map((i) => i.describedObject.name).join('|')}"}[${4 * stack.prometheus.scrapeIntervalSeconds}s])) by (pod)`,
                new Date(t * 1000),
              ),
            ),
          );
          const allMatch = list.items.every((item) => {
            const milli = Math.round(parseQuantity(item.value) * 1000);
            return (
              milli > 0 &&
              answers.some((samples) =>
                samples.some(
                  (s) =>
                    s.metric.pod === item.describedObject.name && Math.trunc(s.value[1] * 1000) === milli,
                ),
              )
            );
          });
          return allMatch ? list : undefined;
        },
        { timeoutMs: 60_000, everyMs: 500 },
      );
      assert.equal(matched.items.length, 2);
    } finally {
      await busy.stop();
    }
  });

  it('stop ends the adapter: no process of it is left, nothing listens on its port', async () => {
    assert.ok(adapterPort, 'the first test found the adapter port');
    // The adapter's files live in the cluster's folder, beside the kubeconfig; its command line names them.
    const adapterFiles = join(dirname(stack.cluster.kubeconfig), 'prometheus-adapter');
    assert.equal((await processesMentioning(adapterFiles)).length, 1, 'one prometheus-adapter runs');
    await stack.stop();
    assert.deepEqual(describeProcesses(await processesMentioning(adapterFiles)), []);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(adapterPort as number, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    assert.ok(refused, `something still listens on the adapter's port ${adapterPort}`);
  });
});
