import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { containerLog } from '../api/pod-log.js';
import type { Controller, ControllerContext } from '../controllers/controller.js';
import { type CoreTypes, coreTypes, isType } from '../controllers/objects.js';
import { type MetricFamily, renderExposition, contentType as textFormat } from '../dataplane/exposition.js';
import { family } from '../dataplane/ksm-common.js';
import type { KubeletStatsSource } from '../services.js';
import type { KubeObject } from '../store/types.js';

/**
 * metrics-server drops a reading of zero CPU or memory as incomplete; a real cgroup is never empty, so an idle one
 * reports this floor (one microsecond of CPU, one byte of memory), which changes no rate it computes.
 */
const idleCpuSeconds = 1e-6;
const idleMemoryBytes = 1;

/** Where a node's kubelet API is reachable: 127.0.0.1 (published as the node's ExternalIP) and its own port. */
export const kubeletAddress = '127.0.0.1';

/**
 * The kubelet API of every simulated node, one HTTPS listener per node on 127.0.0.1: `/metrics/resource` (what
 * metrics-server scrapes), `/containerLogs/<ns>/<pod>/<container>` (what `kubectl logs` reaches through
 * kube-apiserver) and `/healthz`. When a Node appears, its listener starts and the Node's status is updated with
 * the ExternalIP and the kubelet port, as a kubelet publishes them when it registers.
 */
export class KubeletEndpoints implements Controller {
  readonly name = 'kubelet-endpoints';
  private context!: ControllerContext;
  private types!: CoreTypes;
  private readonly servers = new Map<string, { server: Server; port: number }>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly tls: { cert: string; key: string }) {}

  start(context: ControllerContext): void {
    this.context = context;
    this.types = coreTypes(context.registry);
    this.unsubscribe = context.store.subscribe((event) => {
      if (!isType(event.resource, this.types.nodes)) return;
      if (event.type === 'DELETED') this.close(event.object.metadata.name as string);
      else void this.serve(event.object);
    });
    for (const node of context.store.list(this.types.nodes).items) void this.serve(node);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.servers.keys()].map((name) => this.close(name)));
  }

  private async serve(node: KubeObject): Promise<void> {
    const name = node.metadata.name as string;
    let entry = this.servers.get(name);
    if (!entry) {
      const server = createServer(this.tls, (req, res) => {
        const url = new URL(req.url ?? '/', 'https://kubelet');
        const answer = this.answer(name, url);
        res.writeHead(answer.status, { 'content-type': answer.type });
        res.end(answer.body);
      });
      const pending = { server, port: 0 };
      this.servers.set(name, pending);
      await new Promise<void>((resolve) => server.listen(0, kubeletAddress, resolve));
      pending.port = (server.address() as AddressInfo).port;
      entry = pending;
    }
    if (entry.port === 0) return;
    const published = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    const addresses: Array<{ type: string; address: string }> = node.status?.addresses ?? [];
    if (published === entry.port && addresses.some((a) => a.type === 'ExternalIP')) return;
    const current = this.context.store.tryGet(this.types.nodes, undefined, name);
    if (!current) return;
    this.context.store.update(
      this.types.nodes,
      {
        ...current,
        status: {
          ...current.status,
          addresses: [
            ...addresses.filter((a) => a.type !== 'ExternalIP'),
            { type: 'ExternalIP', address: kubeletAddress },
          ],
          daemonEndpoints: { kubeletEndpoint: { Port: entry.port } },
        },
      },
      { subresource: 'status' },
    );
  }

  private async close(name: string): Promise<void> {
    const entry = this.servers.get(name);
    if (!entry) return;
    this.servers.delete(name);
    entry.server.closeAllConnections();
    await new Promise((resolve) => entry.server.close(resolve));
  }

  private answer(node: string, url: URL): { status: number; type: string; body: string } {
    if (url.pathname === '/healthz') return { status: 200, type: 'text/plain', body: 'ok' };
    if (url.pathname === '/metrics/resource')
      return { status: 200, type: textFormat, body: renderExposition(this.resourceMetrics(node)) };
    const logs = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (logs) {
      const [, namespace, pod, container] = logs.map(decodeURIComponent) as [string, string, string, string];
      const object = this.context.store.tryGet(this.types.pods, namespace, pod);
      if (object?.spec?.nodeName !== node)
        return { status: 404, type: 'text/plain', body: `pod ${namespace}/${pod} is not on node ${node}\n` };
      try {
        const { text } = containerLog(
          object,
          container,
          this.context.services.podLogs,
          url.searchParams,
          this.context.store.clock.now(),
        );
        return { status: 200, type: 'text/plain', body: text };
      } catch (error) {
        // A container that has not started, or one the pod does not have: the kubelet's 400 with its reason.
        return { status: 400, type: 'text/plain', body: `${(error as Error).message}\n` };
      }
    }
    return { status: 404, type: 'text/plain', body: '404 page not found\n' };
  }

  private stats(): KubeletStatsSource | undefined {
    return this.context.services.kubeletStats;
  }

  private resourceMetrics(node: string): MetricFamily[] {
    const counters = this.stats();
    const containerCpu: MetricFamily['samples'] = [];
    const containerMemory: MetricFamily['samples'] = [];
    const started: MetricFamily['samples'] = [];
    let nodeCpu = idleCpuSeconds;
    let nodeMemory = idleMemoryBytes;
    for (const pod of this.context.store.list(this.types.pods).items) {
      if (pod.spec?.nodeName !== node) continue;
      const namespace = pod.metadata.namespace as string;
      const name = pod.metadata.name as string;
      const statuses: Array<{ name: string; state?: { running?: { startedAt?: string } } }> =
        pod.status?.containerStatuses ?? [];
      for (const c of counters?.containerCounters(namespace, name) ?? []) {
        const startedAt = statuses.find((s) => s.name === c.name)?.state?.running?.startedAt;
        if (!startedAt) continue;
        const labels = { container: c.name, namespace, pod: name };
        containerCpu.push({ labels, value: c.cpuSeconds + idleCpuSeconds });
        containerMemory.push({ labels, value: Math.max(idleMemoryBytes, c.memoryBytes) });
        started.push({ labels, value: Date.parse(startedAt) / 1000 });
        nodeCpu += c.cpuSeconds;
        nodeMemory += c.memoryBytes;
      }
    }
    return [
      family(
        'node_cpu_usage_seconds_total',
        'counter',
        'Cumulative cpu time consumed by the node in core-seconds',
        [{ labels: {}, value: nodeCpu }],
      ),
      family('node_memory_working_set_bytes', 'gauge', 'Current working set of the node in bytes', [
        { labels: {}, value: nodeMemory },
      ]),
      family(
        'container_cpu_usage_seconds_total',
        'counter',
        'Cumulative cpu time consumed by the container in core-seconds',
        containerCpu,
      ),
      family(
        'container_memory_working_set_bytes',
        'gauge',
        'Current working set of the container in bytes',
        containerMemory,
      ),
      family(
        'container_start_time_seconds',
        'gauge',
        'Start time of the container since unix epoch in seconds',
        started,
      ),
    ];
  }
}
