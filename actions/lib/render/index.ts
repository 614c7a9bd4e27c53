/**
 * Renders an environment: base manifests + settings → the Kubernetes objects of the requested tracks, validated,
 * in a deterministic order, as multi-document YAML with a content digest.
 */

import { sortObjects } from '../kube/object.js';
import { imageVersion, type LoadedEnvironment, parseImageReference } from '../settings/index.js';
import { renderTrafficSplit } from '../traffic/index.js';
import { ScalegateError, SettingsError, UsageError } from '../util/errors.js';
import { formatFieldPath } from '../util/yaml-source.js';
import { renderAutoscaler } from './autoscaling.js';
import { type BaseManifests, type BaseObject, readBaseManifests } from './base.js';
import { renderCapacity } from './capacity.js';
import { type DeploymentTrack, managedLabels } from './labels.js';
import { renderServiceMonitor } from './monitoring.js';
import { settingsOrigin } from './origin.js';
import { sha256, toDocuments } from './output.js';
import { renderSharedService, renderTrackService } from './services.js';
import type { KubeObject, RenderContext, RenderTrack } from './types.js';
import { validationProblem } from './validate.js';
import { renderDeployment } from './workload.js';

export { parseCanaryWeight, parseFormat, parseTrack } from './inputs.js';
export { type OutputFormat, toJsonList, writeObjectFiles } from './output.js';
export type { KubeObject, ObjectTrack, RenderTrack } from './types.js';

export interface RenderOptions {
  /** Image for the rendered tracks instead of the settings' service.image. */
  image?: string;
  track?: RenderTrack;
  /** Canary share of traffic in the traffic-split objects, 0..100 (default 0: the canary starts without traffic). */
  canaryWeight?: number;
  /** Folder against which file names in messages are shown (default process.cwd()). */
  cwd?: string;
}

export interface RenderResult {
  objects: KubeObject[];
  /** Multi-document YAML of `objects`. */
  documents: string;
  /** `sha256:<hex>` of `documents`. */
  digest: string;
}

/** Cluster-scoped kinds that base manifests may contain; every other kind gets the environment's namespace. */
const clusterScopedKinds = new Set([
  'Namespace',
  'PriorityClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'IngressClass',
  'CustomResourceDefinition',
]);

function renderContext(env: LoadedEnvironment, options: RenderOptions): RenderContext {
  const image = options.image ?? env.settings.service.image;
  const reference = parseImageReference(image);
  if (typeof reference === 'string') throw new UsageError(`--image: ${reference} (got '${image}')`);
  const canaryWeight = options.canaryWeight ?? 0;
  if (!(Number.isInteger(canaryWeight) && canaryWeight >= 0 && canaryWeight <= 100))
    throw new UsageError(`canary weight: expected an integer 0..100 (got ${canaryWeight})`);
  return { env, image, version: imageVersion(reference), canaryWeight };
}

function deploymentTracks(env: LoadedEnvironment, track: RenderTrack): Set<DeploymentTrack> {
  if (track === 'stable') return new Set(['stable']);
  if (!env.settings.canary) {
    if (track === 'all') return new Set(['stable']);
    throw new ScalegateError(
      `environment '${env.name}' has no canary settings: there is no canary track to render`,
      2,
    );
  }
  return new Set(track === 'all' ? ['stable', 'canary'] : ['canary']);
}

function copyExtra(ctx: RenderContext, extra: KubeObject): KubeObject {
  const copy = structuredClone(extra);
  copy.metadata.labels = { ...copy.metadata.labels, ...managedLabels(ctx, 'shared') };
  if (clusterScopedKinds.has(copy.kind)) delete copy.metadata.namespace;
  else copy.metadata.namespace = ctx.env.settings.service.namespace;
  return copy;
}

/** The canary method's split objects (HTTPRoute, Ingresses, ...), rendered by its router. */
function trafficSplit(ctx: RenderContext, tracks: ReadonlySet<DeploymentTrack>): KubeObject[] {
  const { service, canary } = ctx.env.settings;
  if (!canary) return [];
  const input = {
    service: service.name,
    port: service.ports[0]!.port,
    canaryWeight: ctx.canaryWeight,
    tracks,
    metadata: (name: string, track: 'shared' | 'canary', annotations?: Record<string, string>) => ({
      name,
      namespace: service.namespace,
      labels: { app: service.name, ...managedLabels(ctx, track) },
      ...(annotations && { annotations }),
    }),
  };
  return renderTrafficSplit(input, canary);
}

interface Rendered {
  object: KubeObject;
  /** The base manifest it came from, to place validation errors. */
  source?: BaseObject;
}

function renderAll(ctx: RenderContext, base: BaseManifests, tracks: Set<DeploymentTrack>): Rendered[] {
  const rendered: Rendered[] = [];
  const add = (object: KubeObject | undefined, source?: BaseObject) => {
    if (object) rendered.push({ object, ...(source && { source }) });
  };
  if (tracks.has('stable')) {
    for (const object of renderCapacity(ctx)) add(object);
    add(renderSharedService(ctx, base.service?.object), base.service);
    add(renderServiceMonitor(ctx, base.serviceMonitor?.object), base.serviceMonitor);
    for (const extra of base.extras) add(copyExtra(ctx, extra.object), extra);
  }
  for (const track of tracks) {
    add(renderDeployment(ctx, base.deployment.object, track), base.deployment);
    add(renderTrackService(ctx, track));
    add(renderAutoscaler(ctx, track));
  }
  for (const object of trafficSplit(ctx, tracks)) add(object);
  return rendered;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? 'nothing');
}

/** The first invalid object fails the render, reported where its bad field was written. */
function validateAll(ctx: RenderContext, rendered: Rendered[]): void {
  for (const { object, source } of rendered) {
    const problem = validationProblem(object);
    if (problem === undefined) continue;
    const value = problem.path.reduce<unknown>(
      (v, part) => (v as Record<string | number, unknown> | undefined)?.[part],
      object,
    );
    const detail = `${problem.reason} (got ${describe(value)}) in the rendered ${object.kind} ${object.metadata.name}`;
    const origin = settingsOrigin(object, problem.path);
    if (origin) throw new SettingsError(ctx.env.locate(origin), formatFieldPath(origin), detail);
    throw new SettingsError(
      source?.locate(problem.path) ?? ctx.env.locate([]),
      formatFieldPath(problem.path),
      detail,
    );
  }
}

export async function renderEnvironment(
  env: LoadedEnvironment,
  options: RenderOptions = {},
): Promise<RenderResult> {
  const ctx = renderContext(env, options);
  const tracks = deploymentTracks(env, options.track ?? 'all');
  const base = await readBaseManifests(env, options.cwd ?? process.cwd());
  const rendered = renderAll(ctx, base, tracks);
  validateAll(ctx, rendered);
  const objects = sortObjects(rendered.map((r) => r.object));
  const documents = toDocuments(objects);
  return { objects, documents, digest: sha256(documents) };
}
