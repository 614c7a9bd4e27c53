/**
 * Names and labels of rendered objects. Pods carry `app`, `track` and `version`; every object scalegate renders
 * also carries the managed-by, environment and track labels that rollout and prune select on.
 */
import { labels, managedByValue } from '../kube/labels.js';
import type { ObjectTrack, RenderContext } from './types.js';

export type DeploymentTrack = 'stable' | 'canary';

/** `web` for the stable track, `web-canary` for the canary. */
export function workloadName(service: string, track: DeploymentTrack): string {
  return track === 'stable' ? service : `${service}-canary`;
}

/** Labels identifying an object as rendered by scalegate for an environment and track. */
export function managedLabels(ctx: RenderContext, track: ObjectTrack): Record<string, string> {
  return { [labels.managedBy]: managedByValue, [labels.environment]: ctx.env.name, [labels.track]: track };
}

/** The labels a track's pods carry; Deployments select on app and track. */
export function podLabels(ctx: RenderContext, track: DeploymentTrack): Record<string, string> {
  return { app: ctx.env.settings.service.name, track, version: ctx.version };
}

export function trackSelector(ctx: RenderContext, track: DeploymentTrack): Record<string, string> {
  return { app: ctx.env.settings.service.name, track };
}
