/**
 * One way of splitting traffic between the stable and canary tracks (Flagger's router.Interface): the method's own
 * settings, the objects it renders, and how it moves, reads and hands back the weight in the cluster. Each method
 * is one file in this folder and one line in `index.ts`.
 */
import type { z } from 'zod';
import type { KubeClient } from '../kube/client.js';
import { labels, managedByValue, selectorString } from '../kube/labels.js';
import type { KubeObject } from '../kube/object.js';
import type { Bounds } from './weights.js';

/** Which service's tracks a traffic operation addresses. */
export interface TrackTarget {
  namespace: string;
  environment: string;
  service: string;
}

/** The tracks' rendered bounds, for methods that split traffic by replica counts. */
export interface TrackBaseline {
  stable?: Bounds;
  canary?: Bounds;
}

/** What a router renders its objects from. */
export interface SplitRenderInput {
  /** The service's name: the tracks' Services are `<service>-stable` and `<service>-canary`. */
  service: string;
  /** The port the track Services serve on. */
  port: number;
  /** Percent of the traffic the canary gets, 0..100. */
  canaryWeight: number;
  /** The tracks being rendered: without the canary track, all traffic goes to stable. */
  tracks: ReadonlySet<'stable' | 'canary'>;
  /** Name, namespace and scalegate labels for an object shared by both tracks or belonging to the canary. */
  metadata(
    name: string,
    track: 'shared' | 'canary',
    annotations?: Record<string, string>,
  ): KubeObject['metadata'];
}

/** A method's settings block, `canary.<key>` in the environment's settings. */
export interface MethodSettings<Key extends string, Schema extends z.ZodType> {
  key: Key;
  schema: Schema;
  /** Shown in the settings' JSON Schema. */
  description: string;
}

export interface TrafficRouter<
  Method extends string = string,
  Settings extends MethodSettings<string, z.ZodType> | undefined =
    | MethodSettings<string, z.ZodType>
    | undefined,
> {
  /** The name `canary.method` selects it by. */
  method: Method;
  settings: Settings;
  /** The traffic-split objects of the rendered tracks, from the method's settings block. */
  render(
    input: SplitRenderInput,
    settings: Settings extends MethodSettings<string, infer S> ? z.infer<S> : undefined,
  ): KubeObject[];
  /** Sends `weight` percent to the canary; returns the weight achieved (a replica split can only approximate). */
  setWeight(
    client: KubeClient,
    target: TrackTarget,
    weight: number,
    baseline: TrackBaseline,
  ): Promise<number>;
  /** The weight the cluster sends to the canary now, as far as it can be read. */
  currentWeight(client: KubeClient, target: TrackTarget): Promise<number | undefined>;
  /** Runs after the stable took the canary's template, before its rollout is awaited. */
  beforePromotedRollout(client: KubeClient, target: TrackTarget, baseline: TrackBaseline): Promise<void>;
}

/** Keeps a router's method name and settings key as literal types, so the settings schema can be built from them. */
export function defineRouter<
  const Method extends string,
  const Settings extends MethodSettings<string, z.ZodType> | undefined,
>(router: TrafficRouter<Method, Settings>): TrafficRouter<Method, Settings> {
  return router;
}

export const canaryName = (service: string) => `${service}-canary`;

/** Everything scalegate applied for one environment. */
export function environmentSelector(environment: string): string {
  return selectorString({ [labels.managedBy]: managedByValue, [labels.environment]: environment });
}
