/**
 * The traffic-split object of the canary method. gateway-api: one HTTPRoute whose backendRefs weigh
 * `<svc>-stable` against `<svc>-canary`. nginx-ingress: an Ingress for `<svc>-stable` plus a canary Ingress for
 * `<svc>-canary` carrying the canary-weight annotation. replica-ratio: nothing (the `<svc>` Service spans both
 * tracks). Without the canary track rendered, all traffic goes to stable.
 */
import type { CanarySettings } from '../settings/index.js';
import { type DeploymentTrack, managedLabels } from './labels.js';
import type { KubeObject, ObjectTrack, RenderContext } from './types.js';

export const nginxCanaryAnnotations = {
  canary: 'nginx.ingress.kubernetes.io/canary',
  weight: 'nginx.ingress.kubernetes.io/canary-weight',
} as const;

function meta(ctx: RenderContext, name: string, track: ObjectTrack, annotations?: Record<string, string>) {
  const { service } = ctx.env.settings;
  return {
    name,
    namespace: service.namespace,
    labels: { app: service.name, ...managedLabels(ctx, track) },
    ...(annotations && { annotations }),
  };
}

function backendPort(ctx: RenderContext): number {
  return ctx.env.settings.service.ports[0]!.port;
}

function httpRoute(
  ctx: RenderContext,
  settings: NonNullable<CanarySettings['gatewayApi']>,
  withCanary: boolean,
) {
  const name = ctx.env.settings.service.name;
  const port = backendPort(ctx);
  const canaryWeight = withCanary ? ctx.canaryWeight : 0;
  const backendRefs = [
    { name: `${name}-stable`, port, weight: 100 - canaryWeight },
    ...(withCanary ? [{ name: `${name}-canary`, port, weight: canaryWeight }] : []),
  ];
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: meta(ctx, name, 'shared'),
    spec: {
      parentRefs: settings.parentRefs,
      ...(settings.hostnames && { hostnames: settings.hostnames }),
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: settings.path ?? '/' } }], backendRefs }],
    },
  };
}

function ingress(
  ctx: RenderContext,
  settings: NonNullable<CanarySettings['nginxIngress']>,
  track: DeploymentTrack,
): KubeObject {
  const name = ctx.env.settings.service.name;
  const annotations =
    track === 'canary'
      ? { [nginxCanaryAnnotations.canary]: 'true', [nginxCanaryAnnotations.weight]: String(ctx.canaryWeight) }
      : undefined;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: meta(
      ctx,
      track === 'canary' ? `${name}-canary` : name,
      track === 'canary' ? 'canary' : 'shared',
      annotations,
    ),
    spec: {
      ingressClassName: settings.ingressClassName ?? 'nginx',
      rules: [
        {
          host: settings.host,
          http: {
            paths: [
              {
                path: settings.path ?? '/',
                pathType: 'Prefix',
                backend: { service: { name: `${name}-${track}`, port: { number: backendPort(ctx) } } },
              },
            ],
          },
        },
      ],
    },
  };
}

/**
 * Traffic-split objects for the tracks being rendered. The HTTPRoute is rendered with the stable track (all
 * traffic to stable) and with the canary track (weighted), since moving weight is part of deploying a canary.
 */
export function renderTrafficSplit(ctx: RenderContext, tracks: ReadonlySet<DeploymentTrack>): KubeObject[] {
  const canary = ctx.env.settings.canary;
  if (!canary) return [];
  const withCanary = tracks.has('canary');
  if (canary.method === 'gateway-api' && canary.gatewayApi)
    return [httpRoute(ctx, canary.gatewayApi, withCanary)];
  if (canary.method === 'nginx-ingress' && canary.nginxIngress) {
    return [...tracks].sort().map((track) => ingress(ctx, canary.nginxIngress!, track));
  }
  return [];
}
