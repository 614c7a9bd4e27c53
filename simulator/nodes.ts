import { createHash } from 'node:crypto';
import type { KubeObject } from './store/types.js';

/** The label that names a node's node group (the cluster-autoscaler's unit of scaling). */
export const nodeGroupLabel = 'scalegate.dev/node-group';
export const zoneLabel = 'topology.kubernetes.io/zone';
export const hostnameLabel = 'kubernetes.io/hostname';

export interface NodeSpecOptions {
  name: string;
  /** Quantities as a Node reports them: cpu "2", memory "8Gi". */
  cpu: string;
  memory: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }>;
  group?: string;
}

function internalIp(name: string): string {
  const digest = createHash('sha256').update(name).digest();
  return `10.0.${digest[0]}.${((digest[1] as number) % 253) + 1}`;
}

/**
 * A v1 Node as a kubelet registers it: capacity and allocatable, the Ready condition and the pressure conditions,
 * addresses, nodeInfo, and the well-known labels (hostname, os, arch, plus the node group's when given).
 */
export function nodeObject(options: NodeSpecOptions): KubeObject {
  const capacity = {
    cpu: options.cpu,
    memory: options.memory,
    pods: String(options.pods ?? 110),
    'ephemeral-storage': '100Gi',
  };
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
  const uuid = createHash('sha256').update(`node/${options.name}`).digest('hex');
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: options.name,
      labels: {
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        [hostnameLabel]: options.name,
        ...(options.group ? { [nodeGroupLabel]: options.group } : {}),
        ...(options.labels ?? {}),
      },
    },
    spec: { ...(options.taints?.length ? { taints: options.taints } : {}) },
    status: {
      capacity,
      allocatable: { ...capacity },
      conditions: [
        condition(
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: internalIp(options.name) },
        { type: 'Hostname', address: options.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: uuid.slice(0, 32),
        systemUUID: `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-${uuid.slice(12, 16)}-${uuid.slice(16, 20)}-${uuid.slice(20, 32)}`,
        bootID: uuid.slice(32, 64),
        kernelVersion: '6.1.0-scalegate',
        osImage: 'scalegate simulated node',
        containerRuntimeVersion: 'containerd://1.7.24',
        kubeletVersion: 'v1.32.0',
        kubeProxyVersion: 'v1.32.0',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

/** A node group the cluster-autoscaler may resize, with the shape of the nodes it adds. */
export interface NodeGroupSpec {
  name: string;
  min: number;
  max: number;
  /** Time from the cloud provider's "create instance" to the node registering. */
  provisionSeconds: number;
  cpu: string;
  memory: string;
}

const zones = ['a', 'b', 'c'];

/** The node groups of a cluster's options, each with the node shape the cluster uses. */
export function nodeGroupSpecs(options: {
  nodeCpu?: string;
  nodeMemory?: string;
  nodeGroups?: Array<{ name: string; min: number; max: number; provisionSeconds: number }>;
}): NodeGroupSpec[] {
  return (options.nodeGroups ?? []).map((g) => ({
    ...g,
    cpu: options.nodeCpu ?? '2',
    memory: options.nodeMemory ?? '8Gi',
  }));
}

/** The Nodes a cluster starts with: `nodes` outside any group (default 3), then each group's minimum, zones a/b/c round-robin. */
export function initialNodes(
  options: { nodes?: number; nodeCpu?: string; nodeMemory?: string },
  groups: NodeGroupSpec[],
): KubeObject[] {
  const cpu = options.nodeCpu ?? '2';
  const memory = options.nodeMemory ?? '8Gi';
  const out: KubeObject[] = [];
  for (let i = 0; i < (options.nodes ?? 3); i++) {
    out.push(
      nodeObject({
        name: `node-${i + 1}`,
        cpu,
        memory,
        labels: { [zoneLabel]: zones[i % zones.length] as string },
      }),
    );
  }
  for (const g of groups) {
    for (let i = 0; i < g.min; i++) {
      out.push(
        nodeObject({
          name: `${g.name}-${i + 1}`,
          cpu: g.cpu,
          memory: g.memory,
          group: g.name,
          labels: { [zoneLabel]: zones[i % zones.length] as string },
        }),
      );
    }
  }
  return out;
}
