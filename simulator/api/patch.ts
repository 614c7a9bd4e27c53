import { ApiError, badRequest } from '../store/errors.js';

/** The three client patch formats kube-apiserver accepts besides server-side apply. */

type Json = unknown;
type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** RFC 7386 JSON merge patch: objects merge, null deletes, everything else (lists included) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw badRequest(
      `the server rejected our request due to an error in our request: invalid JSON pointer "${pointer}"`,
    );
  return pointer.slice(1).split('/').map(unescapePointer);
}

function jsonPatchError(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

function parentOf(doc: Json, tokens: string[], path: string): Json {
  let current = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isObject(current)) current = current[token];
    else current = undefined;
    if (current === undefined)
      throw jsonPatchError(
        `jsonpatch add operation does not apply: doc is missing path: "${path}": missing value`,
      );
  }
  return current;
}

function getAt(doc: Json, path: string): Json {
  let current = doc;
  for (const token of pointerTokens(path)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isObject(current)) current = current[token];
    else current = undefined;
    if (current === undefined) throw jsonPatchError(`doc is missing path: "${path}": missing value`);
  }
  return current;
}

function removeAt(doc: Json, path: string): Json {
  const tokens = pointerTokens(path);
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length)
      throw jsonPatchError(`jsonpatch remove operation does not apply: doc is missing path: "${path}"`);
    return parent.splice(index, 1)[0];
  }
  if (!isObject(parent) || !Object.hasOwn(parent, last))
    throw jsonPatchError(`jsonpatch remove operation does not apply: doc is missing path: "${path}"`);
  const value = parent[last];
  delete parent[last];
  return value;
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const tokens = pointerTokens(path);
  if (tokens.length === 0) return structuredClone(value);
  const parent = parentOf(doc, tokens, path);
  const last = tokens[tokens.length - 1] as string;
  const op = replace ? 'replace' : 'add';
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    const bound = replace ? parent.length - 1 : parent.length;
    if (!Number.isInteger(index) || index < 0 || index > bound)
      throw jsonPatchError(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}"`);
    parent.splice(index, replace ? 1 : 0, structuredClone(value));
  } else if (isObject(parent)) {
    if (replace && !Object.hasOwn(parent, last))
      throw jsonPatchError(`jsonpatch replace operation does not apply: doc is missing key: ${path}`);
    parent[last] = structuredClone(value);
  } else {
    throw jsonPatchError(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}"`);
  }
  return doc;
}

interface JsonPatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

/** RFC 6902 JSON patch: add, remove, replace, move, copy, test, applied in order. */
export function jsonPatch(target: Json, operations: Json): Json {
  if (!Array.isArray(operations))
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = structuredClone(target);
  for (const raw of operations as JsonPatchOperation[]) {
    const { op, path } = raw;
    switch (op) {
      case 'add':
        doc = addAt(doc, path, raw.value, false);
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'replace':
        doc = addAt(doc, path, raw.value, true);
        break;
      case 'move': {
        const value = removeAt(doc, raw.from ?? '');
        doc = addAt(doc, path, value, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, path, getAt(doc, raw.from ?? ''), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(raw.value))
          throw jsonPatchError(`testing value ${path} failed: test failed`);
        break;
      default:
        throw badRequest(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}

/**
 * The patchMergeKey of the list fields strategic merge patch merges by key (from the Kubernetes Go types); other
 * lists are replaced. `ports` merges container ports by containerPort and Service ports by port.
 */
export function listMergeKey(field: string, items: unknown[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
    case 'resourceClaims':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'conditions':
      return 'type';
    case 'ownerReferences':
      return 'uid';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    case 'hostAliases':
      return 'ip';
    case 'taints':
      return 'key';
    case 'ports':
      return items.some((i) => isObject(i) && 'containerPort' in i) ? 'containerPort' : 'port';
    default:
      return undefined;
  }
}

/** Primitive lists with patchStrategy merge: a patch adds to them instead of replacing them. */
const mergedPrimitiveLists = new Set(['finalizers']);

function strategicList(field: string, target: unknown[], patch: unknown[]): unknown[] {
  if (mergedPrimitiveLists.has(field)) return [...new Set([...target, ...patch])];
  const key = listMergeKey(field, [...target, ...patch]);
  if (!key) return structuredClone(patch.filter((p) => !(isObject(p) && '$patch' in p)));
  if (patch.some((p) => isObject(p) && p.$patch === 'replace'))
    return structuredClone(patch.filter((p) => !(isObject(p) && p.$patch === 'replace')));
  const result = structuredClone(target);
  for (const item of patch) {
    if (!isObject(item)) continue;
    const index = result.findIndex((r) => isObject(r) && r[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = strategicMergePatch(result[index], item);
    } else {
      result.push(strategicMergePatch({}, item));
    }
  }
  return result;
}

function orderBy(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const position = (item: unknown) =>
    order.findIndex((o) => (key && isObject(o) && isObject(item) ? o[key] === item[key] : o === item));
  return [...list].sort((a, b) => {
    const pa = position(a);
    const pb = position(b);
    return (pa < 0 ? Number.MAX_SAFE_INTEGER : pa) - (pb < 0 ? Number.MAX_SAFE_INTEGER : pb);
  });
}

/**
 * Strategic merge patch (`application/strategic-merge-patch+json`): like a merge patch, but lists with a merge key
 * merge item by item, and the directives `$patch: replace|delete`, `$retainKeys`, `$deleteFromPrimitiveList/<f>`
 * and `$setElementOrder/<f>` apply.
 */
export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  const retainKeys = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$retainKeys' || key === '$patch') continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value))
        result[field] = current.filter((v) => !value.includes(v));
      continue;
    }
    if (key.startsWith('$setElementOrder/')) continue;
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      const current = Array.isArray(result[key]) ? (result[key] as unknown[]) : [];
      result[key] = strategicList(key, current, value);
    } else if (isObject(value)) {
      const merged = strategicMergePatch(result[key], value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else {
      result[key] = value;
    }
  }
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith('$setElementOrder/') || !Array.isArray(order)) continue;
    const field = key.slice('$setElementOrder/'.length);
    const current = result[field];
    if (Array.isArray(current)) result[field] = orderBy(current, order, listMergeKey(field, current));
  }
  if (retainKeys) {
    for (const key of Object.keys(result)) if (!retainKeys.includes(key)) delete result[key];
  }
  return result;
}
