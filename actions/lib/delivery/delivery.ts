/**
 * How rendered objects reach the cluster (in the manner of Flagger's providers.Interface): applied by scalegate, or
 * committed for Argo CD or Flux to sync. One file per mode in this folder and one line in `index.ts`; the rollout
 * lifecycle (stable, canary, promote, rollback) calls only this interface.
 */
import type { KubernetesObject, V1Deployment, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { ApplyResult } from '../kube/apply.js';
import type { KubeClient } from '../kube/client.js';
import type { ClusterSettings } from '../settings/index.js';
import { canaryName } from '../traffic/index.js';

export type DeliveryMode = NonNullable<ClusterSettings['delivery']>['mode'];

export type DeliveryTrack = 'stable' | 'canary';

/** Where a delivery acts: the rollout context held under its Lease (its client refuses writes once the Lease is lost). */
export interface DeliveryScope {
  client: KubeClient;
  target: { namespace: string; environment: string; service: string };
  /** Time limit of each wait for a track to run its revision. */
  rolloutTimeoutMs: number;
  signal: AbortSignal;
  log: (line: string) => void;
}

/** The Deployment of a track. */
export function trackDeployment(scope: DeliveryScope, track: DeliveryTrack): string {
  return track === 'stable' ? scope.target.service : canaryName(scope.target.service);
}

/** What a delivery is made from, once per session. */
export interface DeliveryOptions {
  environment: string;
  settings: ClusterSettings['delivery'];
  processEnv: NodeJS.ProcessEnv;
  /** The run's link and commit, written into commit messages and awaited on the pod template. */
  run: { runUrl?: string; gitSha?: string };
  /** The stable track rendered with `image`, traced: what a promotion, or the rollback of one, delivers. */
  renderStable(image: string): Promise<KubernetesObject[]>;
  log: (line: string) => void;
}

/** The stable as it was before a promotion began: what a rollback of that promotion restores. */
export interface StableRecord {
  image: string;
  template: V1PodTemplateSpec;
  /** Its Deployment's `scalegate.dev/` annotations. */
  annotations: Record<string, string>;
}

/** What a promotion hands the stable: the canary's revision (its Deployment while it still exists). */
export interface Promotion {
  image: string;
  stable: V1Deployment;
  canary?: V1Deployment;
}

export interface Delivery {
  /** Puts a track's objects in place: applied (with prune), or committed for the sync tool. Does not wait. */
  deliver(
    scope: DeliveryScope,
    track: DeliveryTrack,
    objects: KubernetesObject[],
    image: string,
  ): Promise<ApplyResult>;
  /** Waits until the track's Deployment runs `image` and its rollout is complete. */
  awaitTrack(scope: DeliveryScope, track: DeliveryTrack, image: string): Promise<void>;
  /** Promote: the stable takes the canary's revision. Does not wait (see awaitTrack). */
  promoteStable(scope: DeliveryScope, promotion: Promotion): Promise<void>;
  /** Rollback of a promotion stopped midway: the stable takes back `previous`. Does not wait (see awaitTrack). */
  restoreStable(scope: DeliveryScope, previous: StableRecord): Promise<void>;
  /** Stops delivering the canary track (before its workload is deleted, so a sync tool does not bring it back). */
  retireCanary(scope: DeliveryScope): Promise<void>;
}
