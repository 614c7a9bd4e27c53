import { ApiError, invalid } from '../store/errors.js';
import type { ResourceType } from '../store/resources.js';
import { openApiBundle } from './openapi/bundle.js';

/**
 * kube-apiserver's decoding of a written object against its schema: fields the schema does not declare are dropped
 * (a built-in kind's Go struct has no room for them; a custom resource's structural schema prunes them), and
 * `?fieldValidation=` decides what the client hears — `Strict` refuses the write, `Warn` (the default) answers with
 * one `Warning` header per field, `Ignore` says nothing (fields a JSON body names twice count alike, see
 * duplicate-fields.ts). Server-side apply refuses undeclared fields whatever the directive. Built-in kinds use their
 * real OpenAPI v3 schemas, custom resources their CRD version's `openAPIV3Schema`; kinds with neither keep every
 * field.
 */

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

const directives: readonly FieldValidation[] = ['Strict', 'Warn', 'Ignore'];

/**
 * The request's directive, `Warn` when unset; another value is refused as the write's options (`CreateOptions`,
 * `UpdateOptions`, `PatchOptions`) are.
 */
export function fieldValidationOf(query: URLSearchParams, optionsKind: string): FieldValidation {
  const value = query.get('fieldValidation') ?? '';
  if (value === '') return 'Warn';
  const directive = directives.find((d) => d === value);
  if (directive) return directive;
  throw invalid(optionsKind, 'meta.k8s.io', '', [
    {
      reason: 'FieldValueNotSupported',
      field: 'fieldValidation',
      message: `Unsupported value: ${JSON.stringify(value)}: supported values: "", ${directives
        .toSorted()
        .map((d) => `"${d}"`)
        .join(', ')}`,
    },
  ]);
}

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI schemas and the objects they describe are untyped JSON.
type Json = any;

interface Schemas {
  root: Json;
  /** Resolves `#/components/schemas/<name>` references. */
  components: Record<string, Json>;
  /** A custom resource's schema: an object without properties declares no field (pruning), unlike Go's raw types. */
  structural: boolean;
}

function groupVersionPath(type: { group: string; version: string }): string {
  return type.group ? `apis/${type.group}/${type.version}` : `api/${type.version}`;
}

function documentSchemas(path: string): Record<string, Json> | undefined {
  const document: Json = openApiBundle().v3[path];
  return document?.components?.schemas;
}

function builtinSchemas(type: ResourceType): Schemas | undefined {
  const components = documentSchemas(groupVersionPath(type));
  if (!components) return undefined;
  const root = Object.values(components).find((s: Json) =>
    (s['x-kubernetes-group-version-kind'] ?? []).some(
      (g: Json) => g.group === type.group && g.version === type.version && g.kind === type.kind,
    ),
  );
  return root ? { root, components, structural: false } : undefined;
}

const objectMetaName = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** A custom resource (or an `x-kubernetes-embedded-resource` in one) keeps apiVersion, kind and metadata. */
function withObjectFields(schema: Json): Json {
  return {
    ...schema,
    properties: {
      ...(schema.properties ?? {}),
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { $ref: `#/components/schemas/${objectMetaName}`, builtin: true },
    },
  };
}

function customSchemas(type: ResourceType): Schemas | undefined {
  if (!type.schema) return undefined;
  const components = documentSchemas('api/v1') ?? {};
  return { root: withObjectFields(type.schema), components, structural: true };
}

const cache = new WeakMap<ResourceType, Schemas | null>();

function schemasOf(type: ResourceType): Schemas | undefined {
  let found = cache.get(type);
  if (found === undefined) {
    found = (type.customResource ? customSchemas(type) : builtinSchemas(type)) ?? null;
    cache.set(type, found);
  }
  return found ?? undefined;
}

function resolve(schema: Json, schemas: Schemas): Json {
  let current = schema;
  for (;;) {
    const ref: string | undefined = current?.$ref ?? current?.allOf?.[0]?.$ref;
    if (!ref) return current;
    current = schemas.components[ref.slice('#/components/schemas/'.length)];
  }
}

/** One step of a field's path: a field name, or a list item (with its key fields when the list is a map). */
export type Step = string | { index: number; keys?: Record<string, unknown> };

/** A path as the strict decoder names it: `spec.template.spec.containers[0].foo`. */
export function decoderPath(steps: Step[]): string {
  return steps
    .map((step, i) => (typeof step === 'string' ? `${i > 0 ? '.' : ''}${step}` : `[${step.index}]`))
    .join('');
}

/** A path as server-side apply's typed value names it: `.spec.template.spec.containers[name="app"].foo`. */
export function typedPath(steps: Step[]): string {
  return steps
    .map((step) => {
      if (typeof step === 'string') return `.${step}`;
      if (!step.keys) return `[${step.index}]`;
      return `[${Object.entries(step.keys)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

/**
 * Removes from `value` (in place) what `schema` does not declare, collecting each removed field's path, in the
 * order of the input.
 */
interface Walk {
  schemas: Schemas;
  out: Step[][];
  /** The findings in custom resources' ObjectMeta, which kube-apiserver reports after the rest. */
  deferred: Step[][];
  /** Visit keys in sorted order, as the decoder of a patched object (a Go map) meets them. */
  sorted: boolean;
}

function prune(value: Json, schema: Json, structural: boolean, path: Step[], walk: Walk): void {
  const { schemas, out } = walk;
  const resolved = resolve(schema, schemas);
  if (
    !resolved ||
    value === null ||
    typeof value !== 'object' ||
    resolved['x-kubernetes-preserve-unknown-fields']
  )
    return;
  // A schema from the built-in documents (ObjectMeta of a custom resource) is judged as a built-in one.
  const strictObjects = structural && !schema?.builtin;
  const s =
    strictObjects && resolved['x-kubernetes-embedded-resource'] ? withObjectFields(resolved) : resolved;
  if (Array.isArray(value)) {
    const mapKeys: string[] | undefined =
      s['x-kubernetes-list-type'] === 'map' ? s['x-kubernetes-list-map-keys'] : undefined;
    const keysOf = (item: Json) =>
      mapKeys && item && typeof item === 'object'
        ? Object.fromEntries(mapKeys.filter((k) => k in item).map((k) => [k, item[k]]))
        : undefined;
    if (s.items)
      value.forEach((item, index) => {
        const keys = keysOf(item);
        prune(item, s.items, strictObjects, [...path, keys ? { index, keys } : { index }], walk);
      });
    return;
  }
  const at = (key: string): Step[] => [...path, key];
  const keys = walk.sorted ? Object.keys(value).sort() : Object.keys(value);
  if (s.properties) {
    for (const key of keys) {
      const property = s.properties[key];
      if (property?.builtin) prune(value[key], property, false, at(key), { ...walk, out: walk.deferred });
      else if (property) prune(value[key], property, strictObjects, at(key), walk);
      else if (!s.additionalProperties) {
        out.push(at(key));
        delete value[key];
      }
    }
    return;
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    for (const key of keys) prune(value[key], s.additionalProperties, strictObjects, at(key), walk);
    return;
  }
  // An object schema without properties: Go's raw JSON (RawExtension, FieldsV1) keeps anything; a structural
  // schema declares nothing, so everything under it is pruned.
  if (strictObjects && s.type === 'object' && !s.additionalProperties) {
    for (const key of keys) {
      out.push(at(key));
      delete value[key];
    }
  }
}

/** Drops the object's undeclared fields (in place) and returns their paths; none when the kind has no schema. */
export function pruneUnknownFields(
  type: ResourceType,
  object: Json,
  options: { sorted?: boolean } = {},
): Step[][] {
  const schemas = schemasOf(type);
  if (!schemas) return [];
  const out: Step[][] = [];
  const deferred: Step[][] = [];
  // A custom resource is pruned as a Go map, in sorted key order.
  const sorted = (options.sorted ?? false) || schemas.structural;
  prune(object, schemas.root, schemas.structural, [], { schemas, out, deferred, sorted });
  return [...out, ...deferred];
}

/** `strict decoding error: unknown field "a", duplicate field "b"` (runtime.strictDecodingError). */
export function strictDecodingError(problems: string[]): string {
  return `strict decoding error: ${problems.join(', ')}`;
}

export function unknownField(steps: Step[]): string {
  return `unknown field "${decoderPath(steps)}"`;
}

export function duplicateField(path: string): string {
  return `duplicate field "${path}"`;
}

/**
 * Server-side apply's refusal of an applied configuration with fields the schema lacks (whatever
 * `fieldValidation` says): 500 with the typed value's paths. Metadata is not part of that check.
 */
export function typedPatchError(
  type: ResourceType,
  object: { metadata: { namespace?: string; name?: string } },
  unknown: Step[][],
): ApiError | undefined {
  const paths = unknown.filter((steps) => steps[0] !== 'metadata').map(typedPath);
  if (paths.length === 0) return undefined;
  const gv = type.group ? `${type.group}/${type.version}` : `/${type.version}`;
  const errors =
    paths.length === 1
      ? `${paths[0]}: field not declared in schema`
      : `errors:\n${paths.map((p) => `  ${p}: field not declared in schema`).join('\n')}`;
  const { namespace = '', name = '' } = object.metadata;
  return new ApiError(
    500,
    '',
    `failed to create typed patch object (${namespace}/${name}; ${gv}, Kind=${type.kind}): ${errors}`,
  );
}

/** A decoded JSON value as Go's `%+v` prints it (maps with sorted keys), for the patch in a strict PATCH error. */
export function goFormat(value: Json): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  if (typeof value === 'object')
    return `map[${Object.keys(value)
      .sort()
      .map((k) => `${k}:${goFormat(value[k])}`)
      .join(' ')}]`;
  return String(value);
}

/** Go's `%q` of a string (strconv.Quote) for the printable and control characters a manifest holds. */
export function goQuote(text: string): string {
  return JSON.stringify(text).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
}
