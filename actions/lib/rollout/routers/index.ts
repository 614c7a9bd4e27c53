/** The traffic routers by method: adding a method is one file in this folder and one line here. */
import type { KubeClient } from '../../kube/client.js';
import { gatewayApiRouter } from './gateway-api.js';
import { nginxIngressRouter } from './nginx-ingress.js';
import { replicaRatioRouter } from './replica-ratio.js';
import type { TrackBaseline, TrafficMethod, TrafficRouter, TrafficTarget } from './router.js';

export { hpaFor, renderedBounds, setTrackBounds, trackBounds } from './bounds.js';
export { canaryName, type TrackBaseline, type TrafficMethod, type TrafficTarget } from './router.js';

const routers: Record<TrafficMethod, TrafficRouter> = {
  'replica-ratio': replicaRatioRouter,
  'gateway-api': gatewayApiRouter,
  'nginx-ingress': nginxIngressRouter,
};

export function routerFor(target: TrafficTarget): TrafficRouter {
  return routers[target.method];
}

/**
 * Sends `weight` percent of the traffic to the canary by the environment's method; returns the weight achieved
 * (replica-ratio can only approximate it). `baseline` holds the tracks' rendered bounds for replica-ratio.
 */
export function setWeight(
  client: KubeClient,
  target: TrafficTarget,
  weight: number,
  baseline: TrackBaseline,
): Promise<number> {
  return routerFor(target).setWeight(client, target, weight, baseline);
}

/** The weight the cluster currently sends to the canary, as far as it can be read. */
export function currentWeight(client: KubeClient, target: TrafficTarget): Promise<number | undefined> {
  return routerFor(target).currentWeight(client, target);
}
