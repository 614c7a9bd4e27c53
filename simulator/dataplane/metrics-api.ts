import type { MetricsApiProvider } from '../api/metrics-api.js';
import type { KubeletStatsSource, WorkloadMetricsSource } from '../services.js';
import type { DataPlane } from './data-plane.js';

/**
 * What metrics-server would serve: windowed usage per pod and node (`workload-metrics` service) and the
 * metrics.k8s.io/v1beta1 PodMetrics / NodeMetrics objects behind `kubectl top` (`metrics-api` service).
 */

export type PodMetrics = {
  kind: 'PodMetrics';
  apiVersion: 'metrics.k8s.io/v1beta1';
  metadata: { name: string; namespace: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  containers: Array<{ name: string; usage: { cpu: string; memory: string } }>;
};

export type NodeMetrics = {
  kind: 'NodeMetrics';
  apiVersion: 'metrics.k8s.io/v1beta1';
  metadata: { name: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  usage: { cpu: string; memory: string };
};

const requestRateMetrics = new Set(['http_requests_per_second', 'http_requests_total_per_second']);

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metrics-server's quantity forms: CPU in nanocores ("12500000n"), memory in KiB ("65536Ki"). */
export function formatCpuUsage(millis: number): string {
  return `${Math.round(millis * 1e6)}n`;
}

export function formatMemoryUsage(bytes: number): string {
  return `${Math.round(bytes / 1024)}Ki`;
}

export class WorkloadMetrics implements WorkloadMetricsSource, KubeletStatsSource, MetricsApiProvider {
  constructor(
    private readonly plane: DataPlane,
    private readonly windowSeconds: number,
  ) {}

  podUsage(namespace: string, pod: string) {
    const runtime = this.plane.runtime(namespace, pod);
    const usage = runtime?.model.usage(this.windowSeconds * 1000);
    if (!runtime || !usage) return undefined;
    const containers: Record<string, { cpuMillis: number; memoryBytes: number }> = {};
    runtime.model.containers.forEach((c, i) => {
      containers[c.name] = {
        cpuMillis: (usage.cpuCores[i] ?? 0) * 1000,
        memoryBytes: usage.memoryBytes[i] ?? 0,
      };
    });
    return { timestamp: usage.timestamp, windowSeconds: this.windowSeconds, containers };
  }

  podCustomMetric(namespace: string, pod: string, metric: string): number | undefined {
    if (!requestRateMetrics.has(metric)) return undefined;
    return this.plane.runtime(namespace, pod)?.model.usage(this.windowSeconds * 1000)?.requestsPerSecond;
  }

  containerCounters(namespace: string, pod: string) {
    const model = this.plane.runtime(namespace, pod)?.model;
    if (!model) return undefined;
    const cpu = model.cumulativeCpuSeconds();
    const memory = model.memoryBytes();
    return model.containers.map((c, i) => ({
      name: c.name,
      cpuSeconds: cpu[i] ?? 0,
      memoryBytes: memory[i] ?? 0,
    }));
  }

  nodeUsage(node: string) {
    if (!this.plane.view.get('nodes', undefined, node)) return undefined;
    let timestamp = 0;
    let cpuMillis = 0;
    let memoryBytes = 0;
    for (const runtime of this.plane.allRuntimes()) {
      if (runtime.pod.spec?.nodeName !== node) continue;
      const usage = this.podUsage(
        runtime.pod.metadata.namespace as string,
        runtime.pod.metadata.name as string,
      );
      if (!usage) continue;
      timestamp = Math.max(timestamp, usage.timestamp);
      for (const c of Object.values(usage.containers)) {
        cpuMillis += c.cpuMillis;
        memoryBytes += c.memoryBytes;
      }
    }
    return { timestamp: timestamp || Date.now(), windowSeconds: this.windowSeconds, cpuMillis, memoryBytes };
  }

  listPodMetrics(namespace?: string): PodMetrics[] {
    const now = rfc3339(Date.now());
    const out: PodMetrics[] = [];
    for (const pod of this.plane.view.list('pods', namespace)) {
      const { name, namespace: ns, labels } = pod.metadata;
      const usage = this.podUsage(ns as string, name as string);
      if (!usage) continue;
      out.push({
        kind: 'PodMetrics',
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: {
          name: name as string,
          namespace: ns as string,
          creationTimestamp: now,
          ...(labels ? { labels } : {}),
        },
        timestamp: rfc3339(usage.timestamp),
        window: `${usage.windowSeconds}s`,
        containers: Object.entries(usage.containers).map(([container, u]) => ({
          name: container,
          usage: { cpu: formatCpuUsage(u.cpuMillis), memory: formatMemoryUsage(u.memoryBytes) },
        })),
      });
    }
    return out;
  }

  listNodeMetrics(): NodeMetrics[] {
    const now = rfc3339(Date.now());
    return this.plane.view.list('nodes').flatMap((node) => {
      const { name, labels } = node.metadata;
      const usage = this.nodeUsage(name as string);
      if (!usage) return [];
      return [
        {
          kind: 'NodeMetrics' as const,
          apiVersion: 'metrics.k8s.io/v1beta1' as const,
          metadata: { name: name as string, creationTimestamp: now, ...(labels ? { labels } : {}) },
          timestamp: rfc3339(usage.timestamp),
          window: `${usage.windowSeconds}s`,
          usage: { cpu: formatCpuUsage(usage.cpuMillis), memory: formatMemoryUsage(usage.memoryBytes) },
        },
      ];
    });
  }
}
