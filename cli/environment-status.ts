/** `scalegate status`: what the cluster runs for an environment, read from the API server, and its text form. */
import type { V1Deployment, V1Lease } from '@kubernetes/client-node';
import type { KubeClient } from '../actions/lib/kube/client.js';
import { currentHolder } from '../actions/lib/kube/lease.js';
import { podProblems, summarizeProblems } from '../actions/lib/kube/pod-diagnosis.js';
import { deploymentPods } from '../actions/lib/kube/rollout-status.js';
import { leaseName } from '../actions/lib/rollout/context.js';
import { type Progress, readProgress } from '../actions/lib/rollout/progress.js';
import { canaryName, currentWeight, hpaFor, type TrafficTarget } from '../actions/lib/traffic/index.js';

export interface TrackStatus {
  track: 'stable' | 'canary';
  deployment: string;
  image: string;
  replicas: { desired: number; ready: number; updated: number; available: number };
  hpa?: {
    name: string;
    min: number;
    max: number;
    current: number;
    desired: number;
    /** Conditions that are not fine: AbleToScale False, ScalingActive False, ScalingLimited True. */
    notes: string[];
  };
  pendingPods: { name: string; reason: string }[];
  problems: string;
}

export interface EnvironmentStatus {
  namespace: string;
  service: string;
  method: string;
  /** Percent of traffic the canary receives (undefined when it cannot be read). */
  canaryWeight?: number;
  tracks: TrackStatus[];
  progress?: Progress;
  leaseHolder?: string;
}

async function trackStatus(
  client: KubeClient,
  namespace: string,
  track: 'stable' | 'canary',
  name: string,
): Promise<TrackStatus | undefined> {
  const deployment = await client.read<V1Deployment>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
  });
  if (!deployment) return undefined;
  const pods = await deploymentPods(client, deployment);
  const pending = pods.filter((p) => p.status?.phase === 'Pending' && !p.metadata?.deletionTimestamp);
  const hpa = await hpaFor(client, namespace, name);
  const s = deployment.status ?? {};
  const notes = (hpa?.status?.conditions ?? [])
    .filter((c) => (c.type === 'ScalingLimited' ? c.status === 'True' : c.status === 'False'))
    .map((c) => `${c.type}=${c.status} (${c.reason})`);
  return {
    track,
    deployment: name,
    image: deployment.spec?.template?.spec?.containers?.map((c) => c.image).join(', ') ?? '',
    replicas: {
      desired: deployment.spec?.replicas ?? 1,
      ready: s.readyReplicas ?? 0,
      updated: s.updatedReplicas ?? 0,
      available: s.availableReplicas ?? 0,
    },
    ...(hpa?.spec
      ? {
          hpa: {
            name: hpa.metadata!.name!,
            min: hpa.spec.minReplicas ?? 1,
            max: hpa.spec.maxReplicas,
            current: hpa.status?.currentReplicas ?? 0,
            desired: hpa.status?.desiredReplicas ?? 0,
            notes,
          },
        }
      : {}),
    pendingPods: pending.map((p) => ({
      name: p.metadata!.name!,
      reason: podProblems(p)[0]?.reason ?? 'Pending',
    })),
    problems: summarizeProblems(pods.flatMap(podProblems)),
  };
}

/** What `scalegate status` shows: both tracks, traffic weight, autoscalers, pending pods, canary progress, lease. */
export async function environmentStatus(
  client: KubeClient,
  target: TrafficTarget,
): Promise<EnvironmentStatus> {
  const { namespace, service } = target;
  const tracks = (
    await Promise.all([
      trackStatus(client, namespace, 'stable', service),
      trackStatus(client, namespace, 'canary', canaryName(service)),
    ])
  ).filter((t): t is TrackStatus => t !== undefined);
  const lease = await client.read<V1Lease>({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: leaseName(target), namespace },
  });
  const progress = await readProgress(client, namespace, service);
  const weight = tracks.some((t) => t.track === 'canary') ? await currentWeight(client, target) : 0;
  const holder = currentHolder(lease, Date.now());
  return {
    namespace,
    service,
    method: target.method,
    ...(weight !== undefined ? { canaryWeight: weight } : {}),
    tracks,
    ...(progress ? { progress } : {}),
    ...(holder ? { leaseHolder: holder } : {}),
  };
}

/** The status as aligned text lines. */
export function formatStatus(status: EnvironmentStatus): string {
  const lines = [
    `${status.namespace}/${status.service}  method ${status.method}  canary weight ${status.canaryWeight ?? '?'}%`,
  ];
  const rows = [['TRACK', 'DEPLOYMENT', 'IMAGE', 'READY', 'UPDATED', 'HPA (min/max cur→desired)', 'PENDING']];
  for (const t of status.tracks) {
    const hpa = t.hpa ? `${t.hpa.min}/${t.hpa.max} ${t.hpa.current}→${t.hpa.desired}` : '-';
    rows.push([
      t.track,
      t.deployment,
      t.image,
      `${t.replicas.ready}/${t.replicas.desired}`,
      String(t.replicas.updated),
      hpa,
      String(t.pendingPods.length),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows)
    lines.push(
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
  for (const t of status.tracks) {
    for (const note of t.hpa?.notes ?? []) lines.push(`${t.track} hpa: ${note}`);
    if (t.problems) lines.push(`${t.track} pods: ${t.problems}`);
  }
  const p = status.progress;
  if (p) lines.push(`progress: ${p.phase}, step ${p.step}, image ${p.image}: ${p.message}`);
  if (status.leaseHolder) lines.push(`lease held by ${status.leaseHolder}`);
  return `${lines.join('\n')}\n`;
}
