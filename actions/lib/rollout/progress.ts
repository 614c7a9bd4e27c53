import type { V1ConfigMap, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/client.js';
import { labels, managedByValue } from '../kube/labels.js';
import type { Bounds } from '../traffic/weights.js';
import { ScalegateError } from '../util/errors.js';
import { ExitCode } from '../util/exit-codes.js';

/** Where a canary stands. `ready` = every step passed, waiting for promote. */
export type Phase = 'canary' | 'ready' | 'promoting' | 'promoted' | 'rolling-back' | 'rolled-back' | 'failed';

/** A step's recorded outcome. */
export interface StepRecord {
  step: number;
  weight: number;
  verdict: 'pass' | 'fail' | 'inconclusive' | 'none';
  summary: string;
  finishedAt: string;
}

/**
 * Everything a re-run needs to resume: recorded in the cluster (ConfigMap `scalegate-<svc>-progress`), never only
 * in the runner's memory, so a crashed or cancelled run can be finished or rolled back by the next one.
 */
export interface Progress {
  phase: Phase;
  environment: string;
  /** The canary's image and render digest: a deploy of the same revision resumes, another starts over. */
  image: string;
  revision: string;
  /** Index of the next step to run. */
  step: number;
  weight: number;
  /** When the pause of the current step started (a resumed pause waits only the rest). */
  pauseStartedAt?: string;
  /** The step index an approval was given for (`scalegate promote --approve`). */
  approvedStep?: number;
  /** The digest of the image the canary's pods run: promote can be told which one it must be. */
  digest?: string;
  /** HPA bounds as rendered (from the settings, never read back from a half-moved cluster), restored by promote and rollback. */
  baseline?: { stable?: Bounds; canary?: Bounds };
  /** The stable track as it was before promote changed it: what rolling back a partial promotion restores. */
  previousStable?: { image: string; template: V1PodTemplateSpec; annotations: Record<string, string> };
  /** The run that deployed (or last resumed) the canary. */
  runId: string;
  steps: StepRecord[];
  message: string;
  updatedAt: string;
}

export function progressName(service: string): string {
  return `scalegate-${service}-progress`;
}

function ref(namespace: string, service: string) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: progressName(service), namespace } };
}

export function parseProgress(configMap: V1ConfigMap | undefined): Progress | undefined {
  const text = configMap?.data?.progress;
  if (!text) return undefined;
  const progress = JSON.parse(text) as Progress;
  const approved = configMap?.data?.approvedStep;
  if (approved !== undefined && approved !== '') progress.approvedStep = Number(approved);
  return progress;
}

export async function readProgress(
  client: KubeClient,
  namespace: string,
  service: string,
): Promise<Progress | undefined> {
  return parseProgress(await client.read<V1ConfigMap>(ref(namespace, service)));
}

/**
 * Read-modify-write of the progress record (409 re-reads). The approval lives in its own key so that
 * `promote --approve` and a running canary never overwrite each other's fields.
 */
export async function updateProgress(
  client: KubeClient,
  namespace: string,
  service: string,
  change: (current: Progress | undefined) => Progress,
): Promise<Progress> {
  let written: Progress | undefined;
  await client.update<V1ConfigMap>(ref(namespace, service), (current) => {
    const next = { ...change(parseProgress(current)), updatedAt: new Date().toISOString() };
    delete next.approvedStep;
    written = next;
    const base: V1ConfigMap = current ?? { ...ref(namespace, service), data: {} };
    return {
      ...base,
      metadata: {
        ...base.metadata,
        name: progressName(service),
        namespace,
        labels: {
          ...base.metadata?.labels,
          [labels.managedBy]: managedByValue,
          [labels.environment]: next.environment,
          [labels.component]: 'progress',
        },
      },
      data: { ...base.data, progress: JSON.stringify(next, null, 2) },
    };
  });
  return written!;
}

/** Records an approval of the pause at `step` (what `scalegate promote --approve` does). */
export async function approveStep(client: KubeClient, namespace: string, service: string): Promise<Progress> {
  let progress: Progress | undefined;
  await client.update<V1ConfigMap>(ref(namespace, service), (current) => {
    progress = parseProgress(current);
    if (!current || !progress) return undefined;
    return { ...current, data: { ...current.data, approvedStep: String(progress.step) } };
  });
  if (!progress)
    throw new ScalegateError(`no canary of ${service} in ${namespace} to approve`, ExitCode.failed);
  return { ...progress, approvedStep: progress.step };
}
