import type { DataPlane } from './data-plane.js';
import type { MetricFamily, Sample } from './exposition.js';
import { family } from './ksm-common.js';
import { containerStatus, podContainers, qosClass, trackOf, versionOf } from './pod-facts.js';

/**
 * What the kubelet's cAdvisor endpoint and the pods' own /metrics would expose: per-container CPU and memory
 * (plus the pod-level cgroup series with container="", as the kubelet reports them) and the app's HTTP metrics.
 */

function podCgroup(runtimeQos: string, uid: string): string {
  const qos = runtimeQos === 'Guaranteed' ? '' : `/${runtimeQos.toLowerCase()}`;
  return `/kubepods${qos}/pod${uid}`;
}

/** The pods' runtimes, all of them or those on one node (what that node's kubelet reports). */
export function runtimesOn(plane: DataPlane, node?: string) {
  return plane.allRuntimes().filter(({ pod }) => node === undefined || pod.spec?.nodeName === node);
}

export function containerFamilies(plane: DataPlane, node?: string): MetricFamily[] {
  const cpu: Sample[] = [];
  const memory: Sample[] = [];
  for (const { pod, model } of runtimesOn(plane, node)) {
    const namespace = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    const cgroup = podCgroup(qosClass(pod), pod.metadata.uid ?? '');
    const cpuSeconds = model.cumulativeCpuSeconds();
    const memoryBytes = model.memoryBytes();
    const specs = podContainers(pod);
    model.containers.forEach((c, i) => {
      const status = containerStatus(pod, c.name);
      const runtimeId = status?.containerID?.replace(/^[a-z]+:\/\//, '') || `${name}-${c.name}`;
      const labels = {
        container: c.name,
        id: `${cgroup}/${runtimeId}`,
        image: status?.image ?? specs[i]?.image ?? '',
        name: runtimeId,
        namespace,
        pod: name,
      };
      cpu.push({ labels: { ...labels, cpu: 'total' }, value: cpuSeconds[i] ?? 0 });
      memory.push({ labels, value: memoryBytes[i] ?? 0 });
    });
    const podLabels = { container: '', id: cgroup, image: '', name: '', namespace, pod: name };
    cpu.push({ labels: { ...podLabels, cpu: 'total' }, value: cpuSeconds.reduce((a, b) => a + b, 0) });
    memory.push({ labels: podLabels, value: memoryBytes.reduce((a, b) => a + b, 0) });
  }
  return [
    family('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.', cpu),
    family('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.', memory),
  ];
}

export function httpFamilies(plane: DataPlane): MetricFamily[] {
  const requests: Sample[] = [];
  const durations: Sample[] = [];
  for (const { pod, model } of plane.allRuntimes()) {
    for (const s of model.http.all()) {
      const labels = {
        code: s.code,
        namespace: pod.metadata.namespace ?? '',
        pod: pod.metadata.name ?? '',
        service: s.service,
        track: trackOf(pod),
        version: versionOf(pod),
      };
      requests.push({ labels, value: s.count });
      s.bounds.forEach((bound, i) => {
        durations.push({
          suffix: '_bucket',
          labels: { ...labels, le: String(bound) },
          value: s.buckets[i] ?? 0,
        });
      });
      durations.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: s.count });
      durations.push({ suffix: '_sum', labels, value: s.sum });
      durations.push({ suffix: '_count', labels, value: s.count });
    }
  }
  return [
    family('http_requests_total', 'counter', 'HTTP requests served by the pod.', requests),
    family(
      'http_request_duration_seconds',
      'histogram',
      'HTTP request latency as seen by the pod, in seconds.',
      durations,
    ),
  ];
}
