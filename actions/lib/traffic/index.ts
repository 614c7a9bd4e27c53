/**
 * The traffic routers by method: adding a method is one file in this folder and one line in `trafficRouters`. The
 * settings' `canary.method` and its settings blocks, the rendered split objects and the weight moves all come from here.
 */
import type { z } from 'zod';
import type { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/object.js';
import { gatewayApiRouter } from './gateway-api.js';
import { nginxIngressRouter } from './nginx-ingress.js';
import { replicaRatioRouter } from './replica-ratio.js';
import type { SplitRenderInput, TrackBaseline, TrackTarget, TrafficRouter } from './router.js';
import { smiRouter } from './smi.js';

export { hpaFor, renderedBounds, setTrackBounds, trackBounds } from './bounds.js';
export { canaryName, type SplitRenderInput, type TrackBaseline } from './router.js';

/** The registered methods, in the order the settings list them. */
const trafficRouters = [replicaRatioRouter, gatewayApiRouter, nginxIngressRouter, smiRouter] as const;

type Registered = (typeof trafficRouters)[number];
export type TrafficMethod = Registered['method'];

export const trafficMethods = trafficRouters.map((r) => r.method) as [TrafficMethod, ...TrafficMethod[]];

type SettingsBlock = Exclude<Registered['settings'], undefined>;
/** `canary.<key>` of every method that has settings, each optional (settings semantics require the selected one). */
export type MethodSettingsShape = { [S in SettingsBlock as S['key']]: z.ZodOptional<S['schema']> };
export type MethodSettingsKey = SettingsBlock['key'];

export function methodSettingsShape(): MethodSettingsShape {
  const blocks = trafficRouters.flatMap((r) => (r.settings ? [r.settings] : []));
  return Object.fromEntries(
    blocks.map((s) => [s.key, s.schema.optional().describe(s.description)]),
  ) as MethodSettingsShape;
}

/** Which settings block each method reads, for methods that have one. */
export const methodSettingsKeys: Partial<Record<TrafficMethod, MethodSettingsKey>> = Object.fromEntries(
  trafficRouters.flatMap((r) => (r.settings ? [[r.method, r.settings.key]] : [])),
);

/** Which service's tracks a traffic operation addresses, and by which method. */
export interface TrafficTarget extends TrackTarget {
  method: TrafficMethod;
}

const routers = new Map<string, TrafficRouter>(trafficRouters.map((r) => [r.method, r]));

export function routerFor(target: { method: TrafficMethod }): TrafficRouter {
  return routers.get(target.method)!;
}

/**
 * The traffic-split objects of the canary's method for the rendered tracks, from its settings block (`canary` is
 * the environment's canary settings). None when the method's settings block is missing (settings semantics reject that).
 */
export function renderTrafficSplit(
  input: SplitRenderInput,
  canary: { method: TrafficMethod } & { [K in MethodSettingsKey]?: unknown },
): KubeObject[] {
  const router = routerFor(canary);
  const settings = router.settings ? canary[router.settings.key as MethodSettingsKey] : undefined;
  if (router.settings && settings === undefined) return [];
  return router.render(input, settings);
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
