/** The service's Deployments, one per track, built from the base Deployment with the settings overlaid. */
import type { ServiceSettings } from '../settings/index.js';
import { type DeploymentTrack, managedLabels, podLabels, trackSelector, workloadName } from './labels.js';
import type { KubeObject, RenderContext } from './types.js';

type Json = Record<string, unknown>;

/** Quantities are written as strings, the form Kubernetes itself returns. */
export function quantityMap(values: Record<string, string | number | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
}

function mergeEnv(base: unknown, extra: Record<string, string> | undefined): Json[] | undefined {
  const list = Array.isArray(base) ? (base as Json[]) : [];
  if (!extra) return list.length > 0 ? list : undefined;
  const overridden = new Set(Object.keys(extra));
  return [
    ...list.filter((entry) => !overridden.has(String(entry.name))),
    ...Object.entries(extra).map(([name, value]) => ({ name, value })),
  ];
}

function overlayContainer(container: Json, service: ServiceSettings, image: string): Json {
  const { requests, limits } = service.resources;
  const probes = service.probes ?? {};
  const env = mergeEnv(container.env, service.env);
  const result: Json = {
    ...container,
    image,
    ports: service.ports.map((p) => ({
      name: p.name,
      containerPort: p.targetPort ?? p.port,
      protocol: p.protocol ?? 'TCP',
    })),
    resources: { requests: quantityMap(requests), ...(limits && { limits: quantityMap(limits) }) },
    ...(probes.readiness && { readinessProbe: probes.readiness }),
    ...(probes.liveness && { livenessProbe: probes.liveness }),
    ...(probes.startup && { startupProbe: probes.startup }),
  };
  if (env) result.env = env;
  else delete result.env;
  return result;
}

/** The container the settings describe: the one named like the service, else the first. */
function appContainerIndex(containers: Json[], serviceName: string): number {
  const named = containers.findIndex((c) => c.name === serviceName);
  return Math.max(named, 0);
}

export function renderDeployment(ctx: RenderContext, base: KubeObject, track: DeploymentTrack): KubeObject {
  const { service, autoscaling, capacity } = ctx.env.settings;
  const spec = structuredClone((base.spec ?? {}) as Json);
  const template = (spec.template ?? {}) as Json;
  const templateMeta = (template.metadata ?? {}) as Json;
  const podSpec = (template.spec ?? {}) as Json;
  const containers = Array.isArray(podSpec.containers)
    ? (podSpec.containers as Json[])
    : [{ name: service.name }];
  const appIndex = appContainerIndex(containers, service.name);
  const selector = trackSelector(ctx, track);
  const annotations = { ...(templateMeta.annotations as Record<string, string>), ...service.podAnnotations };
  const spread = capacity?.topologySpreadConstraints?.map((c) => ({
    labelSelector: { matchLabels: selector },
    ...c,
  }));

  // With an autoscaler the replica count is its to own: a rendered count would fight it on every apply.
  if (autoscaling) delete spec.replicas;
  else spec.replicas = service.replicas ?? 1;
  spec.selector = { matchLabels: selector };
  spec.template = {
    ...template,
    metadata: {
      ...templateMeta,
      labels: { ...(templateMeta.labels as Record<string, string>), ...podLabels(ctx, track) },
      ...(Object.keys(annotations).length > 0 && { annotations }),
    },
    spec: {
      ...podSpec,
      containers: containers.map((c, i) => (i === appIndex ? overlayContainer(c, service, ctx.image) : c)),
      ...(spread && { topologySpreadConstraints: spread }),
    },
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: workloadName(service.name, track),
      namespace: service.namespace,
      labels: { ...base.metadata.labels, ...podLabels(ctx, track), ...managedLabels(ctx, track) },
      ...(base.metadata.annotations && { annotations: base.metadata.annotations }),
    },
    spec,
  };
}
