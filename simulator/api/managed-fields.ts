import { canonicalJson } from '../controllers/objects.js';
import { ApiError } from '../store/errors.js';
import type { KubeObject } from '../store/types.js';
import { isObject, listMergeKey } from './patch.js';

/**
 * Field ownership as kube-apiserver tracks it in metadata.managedFields (FieldsV1): server-side apply with
 * conflicts and force, and ownership moving to whoever last updated a field. A path is a list of FieldsV1 keys
 * (`f:spec`, `k:{"name":"web"}`, `v:"x"`); list items of associative lists are owned as items too (`.`).
 */

type Path = string[];

/** Which part of an object a request owns: status only, everything but status (status subresource types), or all. */
export type FieldScope = 'main' | 'status' | 'all';
const itemMarker = Symbol('list item');

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** metadata fields the server owns; they are never part of anyone's field set. */
const serverMetadata = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

const keyOf = (path: Path) => JSON.stringify(path);

function collect(value: unknown, path: Path, field: string, out: Map<string, unknown>): void {
  if (isObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) collect(v, [...path, `f:${k}`], k, out);
    return;
  }
  if (Array.isArray(value) && value.length > 0) {
    if (field === 'finalizers') {
      for (const v of value) out.set(keyOf([...path, `v:${JSON.stringify(v)}`]), v);
      return;
    }
    const key = listMergeKey(field, value);
    if (key && value.every((item) => isObject(item) && item[key] !== undefined)) {
      for (const item of value as Record<string, unknown>[]) {
        const itemPath = [...path, `k:${JSON.stringify({ [key]: item[key] })}`];
        out.set(keyOf(itemPath), itemMarker);
        collect(item, itemPath, '', out);
      }
      return;
    }
  }
  out.set(keyOf(path), value);
}

/**
 * Every owned leaf of an object (and every associative-list item), with its value. `scope` picks the part a
 * request may touch: the status subresource owns only status; the main resource everything else.
 */
export function fieldValues(object: KubeObject, scope: FieldScope): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(object)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'status' ? scope === 'main' : scope === 'status') continue;
    if (k === 'metadata' && isObject(v)) {
      for (const [mk, mv] of Object.entries(v)) {
        if (!serverMetadata.has(mk)) collect(mv, ['f:metadata', `f:${mk}`], mk, out);
      }
      continue;
    }
    collect(v, [`f:${k}`], k, out);
  }
  return out;
}

function toFieldsV1(paths: Iterable<string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const key of paths) {
    const path = JSON.parse(key) as Path;
    let node = root;
    for (const element of path) {
      node[element] ??= {};
      node = node[element] as Record<string, unknown>;
    }
    if (path[path.length - 1]?.startsWith('k:')) node['.'] = {};
  }
  return root;
}

function fromFieldsV1(tree: Record<string, unknown>, path: Path, out: Set<string>): void {
  for (const [element, child] of Object.entries(tree)) {
    if (element === '.') {
      out.add(keyOf(path));
      continue;
    }
    const childPath = [...path, element];
    if (isObject(child) && Object.keys(child).length > 0) fromFieldsV1(child, childPath, out);
    else out.add(keyOf(childPath));
  }
}

interface OwnedEntry {
  entry: ManagedFieldsEntry;
  paths: Set<string>;
}

function readEntries(object: KubeObject | undefined): OwnedEntry[] {
  const raw = (object?.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  return raw.map((entry) => {
    const paths = new Set<string>();
    fromFieldsV1(entry.fieldsV1 ?? {}, [], paths);
    return { entry, paths };
  });
}

function writeEntries(entries: OwnedEntry[]): ManagedFieldsEntry[] {
  return entries
    .filter((e) => e.paths.size > 0)
    .map((e) => ({ ...e.entry, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(e.paths) }));
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface ManagerIdentity {
  manager: string;
  apiVersion: string;
  subresource?: string;
  time: string;
}

function findEntry(entries: OwnedEntry[], who: ManagerIdentity, operation: 'Apply' | 'Update'): OwnedEntry {
  let found = entries.find(
    (e) =>
      e.entry.manager === who.manager &&
      e.entry.operation === operation &&
      (e.entry.subresource ?? '') === (who.subresource ?? ''),
  );
  if (!found) {
    found = {
      entry: {
        manager: who.manager,
        operation,
        apiVersion: who.apiVersion,
        time: who.time,
        fieldsType: 'FieldsV1',
        fieldsV1: {},
        ...(who.subresource ? { subresource: who.subresource } : {}),
      },
      paths: new Set(),
    };
    entries.push(found);
  }
  found.entry = { ...found.entry, apiVersion: who.apiVersion, time: who.time };
  return found;
}

/**
 * Records an update (create, PUT, or a non-apply patch): the fields it changed become the updater's and leave every
 * other manager. Sets `next.metadata.managedFields`; leaves them as they were when nothing changed.
 */
export function trackUpdate(
  previous: KubeObject | undefined,
  next: KubeObject,
  who: ManagerIdentity,
  scope: FieldScope,
): void {
  const entries = readEntries(previous);
  const before = previous ? fieldValues(previous, scope) : new Map<string, unknown>();
  const after = fieldValues(next, scope);
  const changed = [...after]
    .filter(([k, v]) => !before.has(k) || !sameValue(before.get(k), v))
    .map(([k]) => k);
  const removed = [...before.keys()].filter((k) => !after.has(k));
  if (changed.length === 0 && removed.length === 0) {
    next.metadata.managedFields = previous?.metadata.managedFields;
    if (next.metadata.managedFields === undefined) delete next.metadata.managedFields;
    return;
  }
  for (const e of entries) for (const k of [...changed, ...removed]) e.paths.delete(k);
  const mine = findEntry(entries, who, 'Update');
  for (const k of changed) mine.paths.add(k);
  next.metadata.managedFields = writeEntries(entries);
}

/** `.spec.template.spec.containers[name="web"].image`, as structured-merge-diff prints a path. */
export function formatPath(key: string): string {
  return (JSON.parse(key) as Path)
    .map((element) => {
      const body = element.slice(2);
      if (element.startsWith('f:')) return `.${body}`;
      if (element.startsWith('v:')) return `[=${body}]`;
      const fields = JSON.parse(body) as Record<string, unknown>;
      return `[${Object.entries(fields)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

function describeManager(entry: ManagedFieldsEntry): string {
  let text = JSON.stringify(entry.manager);
  if (entry.subresource) text += ` with subresource ${JSON.stringify(entry.subresource)}`;
  if (entry.operation === 'Update') text += ` using ${entry.apiVersion}`;
  return text;
}

function conflictError(conflicts: Array<{ entry: ManagedFieldsEntry; path: string }>): ApiError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describeManager(c.entry)}`,
    field: formatPath(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    const c = conflicts[0] as { entry: ManagedFieldsEntry; path: string };
    message = `Apply failed with 1 conflict: conflict with ${describeManager(c.entry)}: ${formatPath(c.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const who = describeManager(c.entry);
      byManager.set(who, [...(byManager.get(who) ?? []), formatPath(c.path)]);
    }
    const lines = [...byManager.keys()]
      .sort()
      .flatMap((who) => [`conflicts with ${who}:`, ...(byManager.get(who) ?? []).map((p) => `- ${p}`)]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

function step(container: unknown, element: string): unknown {
  const body = element.slice(2);
  if (element.startsWith('f:')) return isObject(container) ? container[body] : undefined;
  if (!Array.isArray(container)) return undefined;
  if (element.startsWith('v:')) return container.find((v) => sameValue(v, JSON.parse(body)));
  const fields = JSON.parse(body) as Record<string, unknown>;
  return container.find((item) => isObject(item) && Object.entries(fields).every(([k, v]) => item[k] === v));
}

function removePath(object: KubeObject, key: string): void {
  const path = JSON.parse(key) as Path;
  let container: unknown = object;
  for (const element of path.slice(0, -1)) container = step(container, element);
  const last = path[path.length - 1] as string;
  if (last.startsWith('f:')) {
    if (isObject(container)) delete container[last.slice(2)];
  } else if (Array.isArray(container)) {
    const item = step(container, last);
    const index = container.indexOf(item);
    if (index >= 0) container.splice(index, 1);
  }
}

/** Structured merge: maps merge, associative lists merge item by item, sets union, anything else is replaced. */
export function structuredMerge(live: unknown, applied: unknown, field = ''): unknown {
  if (isObject(applied)) {
    const result: Record<string, unknown> = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) result[k] = structuredMerge(result[k], v, k);
    return result;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    if (field === 'finalizers') return [...new Set([...live, ...applied])];
    const key = listMergeKey(field, [...live, ...applied]);
    if (key) {
      const result = [...live];
      for (const item of applied) {
        const index = result.findIndex((r) => isObject(r) && isObject(item) && r[key] === item[key]);
        if (index >= 0) result[index] = structuredMerge(result[index], item);
        else result.push(structuredClone(item));
      }
      return result;
    }
  }
  return structuredClone(applied);
}

const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * kube-apiserver's lastAppliedManager: `kubectl apply --server-side` over an object kubectl applied client-side
 * takes over, without conflicts, the fields whose last-applied value is still the live one (the upgrade from
 * client-side to server-side apply); conflicts on any other field still fail. Only for the `kubectl` manager.
 */
function upgradesClientSideApply(
  live: KubeObject,
  who: ManagerIdentity,
  conflicts: Array<{ path: string }>,
  liveFields: Map<string, unknown>,
  scope: FieldScope,
): boolean {
  const text = live.metadata.annotations?.[lastAppliedAnnotation];
  if (who.manager !== 'kubectl' || typeof text !== 'string' || text === '') return false;
  let lastApplied: KubeObject;
  try {
    lastApplied = JSON.parse(text) as KubeObject;
  } catch {
    return false;
  }
  if (lastApplied.apiVersion !== live.apiVersion || !isObject(lastApplied.metadata)) return false;
  const owned = fieldValues(lastApplied, scope);
  const unchanged = (k: string) =>
    owned.has(k) && liveFields.has(k) && sameValue(liveFields.get(k), owned.get(k));
  return conflicts.every((c) => unchanged(c.path));
}

/**
 * Server-side apply of `applied` by `who` onto `live` (undefined when the object does not exist yet). Fields the
 * manager applied before and no longer applies are removed unless someone else owns them. A field another manager
 * owns with a different value is a conflict (409, the message structured-merge-diff gives) unless `force`, which
 * takes the field over.
 */
export function serverSideApply(
  live: KubeObject,
  applied: KubeObject,
  who: ManagerIdentity,
  options: { force: boolean; scope: FieldScope },
): KubeObject {
  const entries = readEntries(live);
  const appliedFields = fieldValues(applied, options.scope);
  const liveFields = fieldValues(live, options.scope);
  const changed = [...appliedFields]
    .filter(([k, v]) => !liveFields.has(k) || (v !== itemMarker && !sameValue(liveFields.get(k), v)))
    .map(([k]) => k);
  const mine = findEntry(entries, who, 'Apply');
  const others = entries.filter((e) => e !== mine);
  const conflicts = others.flatMap((e) =>
    changed.filter((k) => e.paths.has(k)).map((path) => ({ entry: e.entry, path })),
  );
  if (
    conflicts.length > 0 &&
    !options.force &&
    !upgradesClientSideApply(live, who, conflicts, liveFields, options.scope)
  )
    throw conflictError(conflicts);
  for (const e of others) for (const k of changed) e.paths.delete(k);
  const result = structuredClone(live);
  const abandoned = [...mine.paths].filter(
    (k) => !appliedFields.has(k) && !others.some((e) => e.paths.has(k)),
  );
  for (const k of abandoned.sort((a, b) => b.length - a.length)) removePath(result, k);
  const { metadata: appliedMeta, apiVersion: _v, kind: _k, ...appliedBody } = applied;
  const merged = structuredMerge(result, appliedBody) as KubeObject;
  const { name: _n, namespace: _ns, managedFields: _m, ...metaFields } = appliedMeta ?? {};
  merged.metadata = structuredMerge(result.metadata, metaFields, 'metadata') as KubeObject['metadata'];
  mine.paths = new Set(appliedFields.keys());
  merged.metadata.managedFields = writeEntries(entries);
  keepLastAppliedCurrent(merged, applied, who);
  return merged;
}

/**
 * kube-apiserver's lastAppliedUpdater: a server-side apply by `kubectl` over an object that has a client-side
 * last-applied annotation rewrites it to the applied configuration (keys sorted, as Go encodes a map), so that a
 * later client-side apply diffs against it.
 */
function keepLastAppliedCurrent(merged: KubeObject, applied: KubeObject, who: ManagerIdentity): void {
  const annotations = merged.metadata.annotations as Record<string, string> | undefined;
  if (who.manager !== 'kubectl' || !annotations?.[lastAppliedAnnotation]) return;
  const config = structuredClone(applied);
  const own = { ...(config.metadata?.annotations as Record<string, string> | undefined) };
  delete own[lastAppliedAnnotation];
  if (config.metadata) {
    if (Object.keys(own).length > 0) config.metadata.annotations = own;
    else delete config.metadata.annotations;
  }
  annotations[lastAppliedAnnotation] = `${canonicalJson(config)}\n`;
}
