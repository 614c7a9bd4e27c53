/**
 * Three Services per environment: `<svc>` selects both tracks (a replica-ratio canary splits traffic by pod
 * count through it), `<svc>-stable` and `<svc>-canary` select one track each (the backends of HTTPRoute weights
 * and NGINX canary Ingresses). Only `<svc>` keeps the base Service's type; the track Services are ClusterIP.
 */
import { type DeploymentTrack, managedLabels, trackSelector } from './labels.js';
import type { KubeObject, RenderContext } from './types.js';

function servicePorts(ctx: RenderContext) {
  return ctx.env.settings.service.ports.map((p) => ({
    name: p.name,
    port: p.port,
    targetPort: p.name,
    protocol: p.protocol ?? 'TCP',
  }));
}

/** The Service spanning both tracks, named like the service. */
export function renderSharedService(ctx: RenderContext, base: KubeObject | undefined): KubeObject {
  const { service } = ctx.env.settings;
  const {
    selector: _selector,
    ports: _ports,
    clusterIP: _clusterIP,
    ...baseSpec
  } = (base?.spec ?? {}) as Record<string, unknown>;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: service.name,
      namespace: service.namespace,
      labels: { ...base?.metadata.labels, app: service.name, ...managedLabels(ctx, 'shared') },
      ...(base?.metadata.annotations && { annotations: base.metadata.annotations }),
    },
    spec: { type: 'ClusterIP', ...baseSpec, selector: { app: service.name }, ports: servicePorts(ctx) },
  };
}

/** `<svc>-stable` or `<svc>-canary`: the pods of one track. */
export function renderTrackService(ctx: RenderContext, track: DeploymentTrack): KubeObject {
  const { service } = ctx.env.settings;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: `${service.name}-${track}`,
      namespace: service.namespace,
      labels: { app: service.name, track, ...managedLabels(ctx, track) },
    },
    spec: { type: 'ClusterIP', selector: trackSelector(ctx, track), ports: servicePorts(ctx) },
  };
}
