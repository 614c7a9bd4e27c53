import type { KubernetesObject } from '@kubernetes/client-node';
import { ScalegateError } from '../util/errors.js';
import { clusterScopedKinds, describe, type KubeClient } from './client.js';
import { labels, managedByValue, trackSelector } from './labels.js';
import { type KubeObject, sortObjects } from './object.js';
import { statusCodeOf, statusMessageOf } from './retry.js';

/** Which environment and track an apply covers: prune removes only what this scope applied earlier. */
export interface ApplyScope {
  namespace: string;
  environment: string;
  track: string;
}

export interface ApplyResult {
  applied: string[];
  pruned: string[];
  createdNamespace: boolean;
}

/** Objects that fail validation (locally or in the server's dry run): nothing was applied. */
export class InvalidObjectsError extends ScalegateError {
  constructor(problems: string) {
    super(`nothing applied: ${problems}`, 2);
  }
}

/** Kinds prune looks at even when this render has none of them (a kind dropped from the settings). */
const prunableKinds: [apiVersion: string, kind: string][] = [
  ['apps/v1', 'Deployment'],
  ['v1', 'Service'],
  ['v1', 'ConfigMap'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['policy/v1', 'PodDisruptionBudget'],
  ['networking.k8s.io/v1', 'Ingress'],
  ['gateway.networking.k8s.io/v1', 'HTTPRoute'],
  ['keda.sh/v1alpha1', 'ScaledObject'],
  ['monitoring.coreos.com/v1', 'ServiceMonitor'],
];

const dnsName = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Checks what can be checked without a server; one message per problem. */
export function validateObjects(objects: KubernetesObject[], scope: ApplyScope): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  objects.forEach((obj, index) => {
    const where = `object ${index + 1} (${obj.kind ?? '?'} ${obj.metadata?.name ?? '?'})`;
    if (!obj.apiVersion) problems.push(`${where}: apiVersion: expected a value`);
    if (!obj.kind) problems.push(`${where}: kind: expected a value`);
    const name = obj.metadata?.name;
    if (!name || !dnsName.test(name) || name.length > 253)
      problems.push(`${where}: metadata.name: expected a DNS-1123 name, got '${name ?? ''}'`);
    const ns = obj.metadata?.namespace;
    if (ns && ns !== scope.namespace && !clusterScopedKinds.has(obj.kind ?? ''))
      problems.push(`${where}: metadata.namespace: expected '${scope.namespace}', got '${ns}'`);
    const key = `${obj.apiVersion}/${obj.kind}/${name}`;
    if (seen.has(key)) problems.push(`${where}: rendered twice`);
    seen.add(key);
  });
  return problems;
}

function inScope(obj: KubernetesObject, scope: ApplyScope): KubernetesObject {
  if (clusterScopedKinds.has(obj.kind ?? '')) return obj;
  return { ...obj, metadata: { ...obj.metadata, namespace: scope.namespace } };
}

/** A kind the server does not serve (a CRD not installed) has nothing to prune. */
function isUnservedKind(error: unknown): boolean {
  return statusCodeOf(error) === 404 || /Unrecognized API version and kind/.test(String(error));
}

/** Creates the namespace when missing; true when it did. */
export async function ensureNamespace(client: KubeClient, namespace: string): Promise<boolean> {
  const ref = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
  if (await client.read(ref)) return false;
  try {
    await client.create({
      ...ref,
      metadata: { name: namespace, labels: { [labels.managedBy]: managedByValue } },
    });
    return true;
  } catch (error) {
    if (statusCodeOf(error) === 409) return false;
    throw error;
  }
}

/**
 * Server-side applies `objects` (field manager `scalegate`) into `scope.namespace`: validates locally, creates the
 * namespace when missing, dry-runs every object on the server, and only when all pass applies them in dependency
 * order; then prunes what scalegate applied earlier for this environment and track but no longer renders. Bad input
 * leaves the cluster as it was (a namespace created for the attempt is removed again).
 */
export async function applyObjects(
  client: KubeClient,
  objects: KubernetesObject[],
  scope: ApplyScope,
  options: { prune?: boolean; log?: (line: string) => void } = {},
): Promise<ApplyResult> {
  const log = options.log ?? (() => {});
  const local = validateObjects(objects, scope);
  if (local.length > 0)
    throw new InvalidObjectsError(`${local.length} invalid object(s): ${local.join('; ')}`);
  // Apply order: what others refer to first (namespace policy, config, services), workloads, then autoscalers.
  const ordered = sortObjects(objects.map((o) => inScope(o, scope)) as KubeObject[]) as KubernetesObject[];

  const createdNamespace = await ensureNamespace(client, scope.namespace);
  const rejected: string[] = [];
  for (const obj of ordered) {
    try {
      await client.apply(obj, { dryRun: true });
    } catch (error) {
      const status = statusCodeOf(error);
      const isRejection = (status !== undefined && status < 500) || isUnservedKind(error);
      if (!isRejection) throw error;
      rejected.push(`${describe(obj)}: ${statusMessageOf(error)}`);
    }
  }
  if (rejected.length > 0) {
    if (createdNamespace)
      await client.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: scope.namespace } });
    throw new InvalidObjectsError(`the API server rejected ${rejected.join('; ')}`);
  }

  const applied: string[] = [];
  for (const obj of ordered) {
    await client.apply(obj);
    applied.push(describe(obj));
    log(`applied ${describe(obj)}`);
  }
  const pruned = options.prune === false ? [] : await prune(client, ordered, scope, log);
  return { applied, pruned, createdNamespace };
}

/** Deletes objects labelled for this environment and track (and `shared`, for the stable track) that `rendered` no longer contains. */
export async function prune(
  client: KubeClient,
  rendered: KubernetesObject[],
  scope: ApplyScope,
  log: (line: string) => void = () => {},
): Promise<string[]> {
  const keep = new Set(rendered.map((o) => `${o.kind}/${o.metadata?.name}`));
  const kinds = new Map<string, string>(prunableKinds.map(([v, k]) => [k, v]));
  for (const obj of rendered) if (!clusterScopedKinds.has(obj.kind!)) kinds.set(obj.kind!, obj.apiVersion!);
  // Objects both tracks use (label track=shared) are rendered in full only with the stable track.
  const tracks = scope.track === 'stable' ? ['stable', 'shared'] : [scope.track];
  const pruned: string[] = [];
  for (const [[kind, apiVersion], track] of [...kinds].flatMap((k) => tracks.map((t) => [k, t] as const))) {
    let items: KubernetesObject[];
    try {
      items = (
        await client.list(apiVersion, kind, {
          namespace: scope.namespace,
          labelSelector: trackSelector(scope.environment, track),
        })
      ).items;
    } catch (error) {
      if (isUnservedKind(error)) continue;
      throw error;
    }
    for (const item of items) {
      if (keep.has(`${kind}/${item.metadata?.name}`)) continue;
      const ref = { apiVersion, kind, metadata: { name: item.metadata!.name!, namespace: scope.namespace } };
      await client.delete(ref);
      pruned.push(describe(ref));
      log(`pruned ${describe(ref)}`);
    }
  }
  return pruned;
}
