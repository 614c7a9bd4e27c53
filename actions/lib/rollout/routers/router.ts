import type { KubeClient } from '../../kube/client.js';
import { labels, managedByValue, selectorString } from '../../kube/labels.js';
import type { Bounds } from '../weights.js';

export type TrafficMethod = 'replica-ratio' | 'gateway-api' | 'nginx-ingress';

/** Which service's tracks a traffic operation addresses. */
export interface TrafficTarget {
  namespace: string;
  environment: string;
  service: string;
  method: TrafficMethod;
}

/** The tracks' rendered bounds, for methods that split traffic by replica counts. */
export interface TrackBaseline {
  stable?: Bounds;
  canary?: Bounds;
}

/**
 * One way of splitting traffic between the stable and canary tracks (Flagger's router.Interface). Each method is
 * one file in this folder and one line in `routers.ts`; rendering its objects stays in render/traffic.ts.
 */
export interface TrafficRouter {
  /** Sends `weight` percent to the canary; returns the weight achieved (a replica split can only approximate). */
  setWeight(
    client: KubeClient,
    target: TrafficTarget,
    weight: number,
    baseline: TrackBaseline,
  ): Promise<number>;
  /** The weight the cluster sends to the canary now, as far as it can be read. */
  currentWeight(client: KubeClient, target: TrafficTarget): Promise<number | undefined>;
  /** Runs after the stable took the canary's template, before its rollout is awaited. */
  beforePromotedRollout(client: KubeClient, target: TrafficTarget, baseline: TrackBaseline): Promise<void>;
}

export const canaryName = (service: string) => `${service}-canary`;

/** Everything scalegate applied for one environment. */
export function environmentSelector(environment: string): string {
  return selectorString({ [labels.managedBy]: managedByValue, [labels.environment]: environment });
}
