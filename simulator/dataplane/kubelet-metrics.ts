import { runtimesOn } from './container-metrics.js';
import type { DataPlane } from './data-plane.js';
import type { MetricFamily, Sample } from './exposition.js';
import { family } from './ksm-common.js';

/**
 * A node's kubelet endpoints besides cAdvisor: `/metrics/resource` (what metrics-server reads: node, pod and
 * container CPU and memory) and `/metrics` (the kubelet's own: node name, running pods and containers).
 */

export function resourceFamilies(plane: DataPlane, node: string): MetricFamily[] {
  const nodeCpu: Sample[] = [];
  const nodeMemory: Sample[] = [];
  const podCpu: Sample[] = [];
  const podMemory: Sample[] = [];
  const containerCpu: Sample[] = [];
  const containerMemory: Sample[] = [];
  let cpuTotal = 0;
  let memoryTotal = 0;
  for (const { pod, model } of runtimesOn(plane, node)) {
    const labels = { namespace: pod.metadata.namespace ?? '', pod: pod.metadata.name ?? '' };
    const cpu = model.cumulativeCpuSeconds();
    const memory = model.memoryBytes();
    model.containers.forEach((c, i) => {
      containerCpu.push({ labels: { ...labels, container: c.name }, value: cpu[i] ?? 0 });
      containerMemory.push({ labels: { ...labels, container: c.name }, value: memory[i] ?? 0 });
    });
    const podCpuSeconds = cpu.reduce((a, b) => a + b, 0);
    const podMemoryBytes = memory.reduce((a, b) => a + b, 0);
    podCpu.push({ labels, value: podCpuSeconds });
    podMemory.push({ labels, value: podMemoryBytes });
    cpuTotal += podCpuSeconds;
    memoryTotal += podMemoryBytes;
  }
  nodeCpu.push({ labels: {}, value: cpuTotal });
  nodeMemory.push({ labels: {}, value: memoryTotal });
  return [
    family(
      'container_cpu_usage_seconds_total',
      'counter',
      '[STABLE] Cumulative cpu time consumed by the container in core-seconds',
      containerCpu,
    ),
    family(
      'container_memory_working_set_bytes',
      'gauge',
      '[STABLE] Current working set of the container in bytes',
      containerMemory,
    ),
    family(
      'node_cpu_usage_seconds_total',
      'counter',
      '[STABLE] Cumulative cpu time consumed by the node in core-seconds',
      nodeCpu,
    ),
    family(
      'node_memory_working_set_bytes',
      'gauge',
      '[STABLE] Current working set of the node in bytes',
      nodeMemory,
    ),
    family(
      'pod_cpu_usage_seconds_total',
      'counter',
      '[STABLE] Cumulative cpu time consumed by the pod in core-seconds',
      podCpu,
    ),
    family(
      'pod_memory_working_set_bytes',
      'gauge',
      '[STABLE] Current working set of the pod in bytes',
      podMemory,
    ),
    family(
      'scrape_error',
      'gauge',
      '[ALPHA] 1 if there was an error while getting container metrics, 0 otherwise',
      [{ labels: {}, value: 0 }],
    ),
  ];
}

export function kubeletFamilies(plane: DataPlane, node: string): MetricFamily[] {
  const runtimes = runtimesOn(plane, node);
  const containers = runtimes.reduce((n, r) => n + r.model.containers.length, 0);
  return [
    family('kubelet_node_name', 'gauge', "[ALPHA] The node's name. The count is always 1.", [
      { labels: { node }, value: 1 },
    ]),
    family('kubelet_running_pods', 'gauge', '[ALPHA] Number of pods that have a running pod sandbox', [
      { labels: {}, value: runtimes.length },
    ]),
    family('kubelet_running_containers', 'gauge', '[ALPHA] Number of containers currently running', [
      { labels: { container_state: 'running' }, value: containers },
    ]),
  ];
}
