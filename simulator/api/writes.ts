import { randomUUID } from 'node:crypto';
import { ApiError, badRequest, invalid, notFound } from '../store/errors.js';
import { apiVersionOf, type ResourceRegistry, type ResourceType } from '../store/resources.js';
import { type ObjectStore, raisesGeneration } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import { admitPod, generateJobSelector } from './admission.js';
import { applyDefaults, initialStatus } from './defaults.js';
import {
  duplicateField,
  type FieldValidation,
  goFormat,
  goQuote,
  pruneUnknownFields,
  strictDecodingError,
  typedPatchError,
  unknownField,
} from './field-validation.js';
import { admitLimitRanges } from './limit-ranger.js';
import { type FieldScope, serverSideApply, trackUpdate } from './managed-fields.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import { checkDecodable, undecodable, validate } from './validation.js';

/**
 * The write path of kube-apiserver for stored objects: decode checks, managed fields, defaulting, validation, then
 * the store (which applies optimistic concurrency, generation and finalizers). Shared by every write verb.
 */

export interface WriteOptions {
  manager: string;
  dryRun: boolean;
  /**
   * The request's `?fieldValidation=`, the fields its JSON body named twice, and where `Warn` puts its warnings
   * (absent: fields are not checked).
   */
  decode?: { validation: FieldValidation; warnings: string[]; duplicates?: string[] };
}

export const patchTypes = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

const generateSuffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 5; i++)
    suffix += generateSuffixAlphabet[Math.floor(Math.random() * generateSuffixAlphabet.length)];
  return suffix;
}

function scopeOf(type: ResourceType): FieldScope {
  return type.subresources.includes('status') ? 'main' : 'all';
}

export class ObjectWriter {
  private nextServiceIp = 10;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
  ) {}

  private allocateServiceIp = (): string => {
    const services = this.registry.byKind('v1', 'Service') as ResourceType;
    const used = new Set(this.store.list(services).items.map((s) => s.spec?.clusterIP));
    for (;;) {
      const n = this.nextServiceIp++;
      const ip = `10.96.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`;
      if (!used.has(ip)) return ip;
    }
  };

  /** A free port of the default NodePort range (30000-32767), picked at random as kube-apiserver does. */
  private allocateNodePort = (): number => {
    const services = this.registry.byKind('v1', 'Service') as ResourceType;
    const used = new Set(
      this.store
        .list(services)
        .items.flatMap((s) => (s.spec?.ports ?? []).map((p: { nodePort?: number }) => p.nodePort)),
    );
    for (;;) {
      const port = 30000 + Math.floor(Math.random() * 2768);
      if (!used.has(port)) return port;
    }
  };

  /** Checks apiVersion/kind and namespace of a request body against the URL, filling what is missing. */
  private conform(type: ResourceType, body: unknown, namespace: string | undefined): KubeObject {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw badRequest('the request body must be a JSON or YAML object');
    const object = structuredClone(body) as KubeObject;
    const expected = apiVersionOf(type);
    if (object.apiVersion && object.apiVersion !== expected)
      throw badRequest(
        `the API version in the data (${object.apiVersion}) does not match the expected API version (${expected})`,
      );
    if (object.kind && object.kind !== type.kind)
      throw badRequest(
        `the kind in the data (${object.kind}) does not match the expected kind (${type.kind})`,
      );
    object.apiVersion = expected;
    object.kind = type.kind;
    object.metadata ??= {};
    if (type.namespaced) {
      if (object.metadata.namespace && namespace && object.metadata.namespace !== namespace)
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      object.metadata.namespace = object.metadata.namespace ?? namespace ?? 'default';
    } else {
      delete object.metadata.namespace;
    }
    return object;
  }

  /** Drops the fields the kind's schema lacks; `Strict` refuses them with `refuse`'s error, `Warn` warns of each. */
  private decode(
    type: ResourceType,
    object: KubeObject,
    options: WriteOptions,
    refuse: (problems: string[]) => ApiError = (problems) => undecodable(type, strictDecodingError(problems)),
    sorted = false,
  ): void {
    if (!options.decode) return;
    const problems = [
      ...(options.decode.duplicates ?? []).map(duplicateField),
      ...pruneUnknownFields(type, object, { sorted }).map(unknownField),
    ];
    if (problems.length === 0) return;
    if (options.decode.validation === 'Strict') throw refuse(problems);
    if (options.decode.validation === 'Warn') options.decode.warnings.push(...problems);
  }

  private requireNamespace(type: ResourceType, namespace: string | undefined): void {
    if (!type.namespaced || !namespace) return;
    const namespaces = this.registry.byKind('v1', 'Namespace') as ResourceType;
    if (!this.store.tryGet(namespaces, undefined, namespace)) throw notFound('namespaces', '', namespace);
  }

  /**
   * The Priority admission plugin: a new pod's spec.priority comes from its PriorityClass (or the global default
   * class), never from the client; an unknown class is refused.
   */
  private admitPriority(type: ResourceType, pod: KubeObject): void {
    if (type.group !== '' || type.kind !== 'Pod') return;
    pod.spec ??= {};
    const spec = pod.spec;
    const classes = this.registry.byKind('scheduling.k8s.io/v1', 'PriorityClass') as ResourceType;
    const name = spec.priorityClassName as string | undefined;
    const found = name
      ? this.store.tryGet(classes, undefined, name)
      : this.store.list(classes).items.find((c) => c.globalDefault === true);
    if (name && !found) {
      throw new ApiError(
        403,
        'Forbidden',
        `pods "${pod.metadata.name ?? ''}" is forbidden: no PriorityClass with name ${name} was found`,
        { name: pod.metadata.name ?? '', kind: 'pods' },
      );
    }
    spec.priority = typeof found?.value === 'number' ? found.value : 0;
    if (found?.preemptionPolicy) spec.preemptionPolicy = found.preemptionPolicy;
  }

  private admitLimitRanges(pod: KubeObject): void {
    const limitRanges = this.registry.byKind('v1', 'LimitRange');
    if (!limitRanges) return;
    admitLimitRanges(pod, this.store.list(limitRanges, { namespace: pod.metadata.namespace }).items);
  }

  private validateOrThrow(type: ResourceType, object: KubeObject, previous?: KubeObject): void {
    const causes = validate(type, object, previous);
    if (causes.length > 0) throw invalid(type.kind, type.group, object.metadata.name ?? '', causes);
  }

  private who(type: ResourceType, manager: string, subresource?: string) {
    return {
      manager,
      apiVersion: apiVersionOf(type),
      time: this.store.nowIso(),
      ...(subresource ? { subresource } : {}),
    };
  }

  private commitCreate(type: ResourceType, object: KubeObject, options: WriteOptions): KubeObject {
    checkDecodable(type, object);
    this.requireNamespace(type, object.metadata.namespace);
    if (!object.metadata.name && object.metadata.generateName)
      object.metadata.name = `${object.metadata.generateName}${randomSuffix()}`;
    this.admitPriority(type, object);
    if (type.group === '' && type.kind === 'Pod') admitPod(object);
    applyDefaults(type, object, this.allocateServiceIp, this.allocateNodePort);
    if (type.group === '' && type.kind === 'Pod') this.admitLimitRanges(object);
    initialStatus(type, object);
    this.validateOrThrow(type, object);
    if (options.dryRun) {
      const existing = this.store.tryGet(type, object.metadata.namespace, object.metadata.name as string);
      if (existing)
        throw new ApiError(
          409,
          'AlreadyExists',
          `${type.group ? `${type.plural}.${type.group}` : type.plural} "${object.metadata.name}" already exists`,
          { name: object.metadata.name, group: type.group, kind: type.plural },
        );
      return {
        ...object,
        metadata: {
          ...object.metadata,
          uid: randomUUID(),
          creationTimestamp: this.store.nowIso(),
          generation: 1,
        },
      };
    }
    const uid = randomUUID();
    if (type.group === 'batch' && type.kind === 'Job') generateJobSelector(object, uid);
    return this.store.create(type, object, { uid });
  }

  create(
    type: ResourceType,
    namespace: string | undefined,
    body: unknown,
    options: WriteOptions,
  ): KubeObject {
    const object = this.conform(type, body, namespace);
    this.decode(type, object, options);
    trackUpdate(undefined, object, this.who(type, options.manager), scopeOf(type));
    return this.commitCreate(type, object, options);
  }

  private commitUpdate(
    type: ResourceType,
    next: KubeObject,
    current: KubeObject,
    options: WriteOptions,
  ): KubeObject {
    checkDecodable(type, next);
    applyDefaults(type, next, this.allocateServiceIp, this.allocateNodePort);
    this.validateOrThrow(type, next, current);
    if (options.dryRun) {
      // What the store would do with the generation (kubectl diff shows it).
      const changed = raisesGeneration(type, next, current);
      const generation = current.metadata.generation ?? 1;
      return { ...next, metadata: { ...next.metadata, generation: changed ? generation + 1 : generation } };
    }
    return this.store.update(type, next);
  }

  /** PUT of the main resource: the status is kept, everything else replaced. */
  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions,
  ): KubeObject {
    const next = this.conform(type, body, namespace);
    this.decode(type, next, options);
    if (next.metadata.name !== name)
      throw badRequest(
        `the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`,
      );
    const current = this.store.get(type, namespace, name);
    if (type.subresources.includes('status')) next.status = current.status;
    trackUpdate(current, next, this.who(type, options.manager), scopeOf(type));
    return this.commitUpdate(type, next, current, options);
  }

  /** PUT of `/status`: only the status changes. */
  updateStatus(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions,
  ): KubeObject {
    const next = this.conform(type, body, namespace);
    this.decode(type, next, options);
    const current = this.store.get(type, namespace, name);
    if (options.dryRun) return { ...current, status: next.status };
    return this.store.update(
      type,
      {
        ...current,
        status: next.status,
        metadata: { ...current.metadata, resourceVersion: next.metadata.resourceVersion },
      },
      { subresource: 'status' },
    );
  }

  /** A patch of any type to the main resource or its status. Apply patches create missing objects. */
  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    body: unknown,
    options: WriteOptions & { force: boolean; subresource?: 'status' },
  ): { object: KubeObject; created: boolean } {
    const current = this.store.tryGet(type, namespace, name);
    if (contentType === patchTypes.apply) return this.apply(type, namespace, name, current, body, options);
    if (!current) throw notFound(type.plural, type.group, name);
    const patched = this.patched(current, contentType, body);
    // The strict error shows the patch as Go prints the decoded map (strategic) or the patched object (JSON patches).
    const shown = contentType === patchTypes.strategic ? goFormat(body) : JSON.stringify(patched);
    this.decode(
      type,
      patched,
      options,
      (problems) =>
        invalid('', '', '', [
          { field: 'patch', message: `Invalid value: ${goQuote(shown)}: ${strictDecodingError(problems)}` },
        ]),
      true,
    );
    if (options.subresource === 'status') {
      return {
        object: this.updateStatus(
          type,
          namespace,
          name,
          {
            ...current,
            status: patched.status,
            metadata: { ...current.metadata, resourceVersion: patched.metadata?.resourceVersion },
          },
          options,
        ),
        created: false,
      };
    }
    const next = this.conform(type, patched, namespace);
    if (next.metadata.name !== name)
      throw badRequest('metadata.name: the name of a patched object cannot change');
    if (type.subresources.includes('status')) next.status = current.status;
    trackUpdate(current, next, this.who(type, options.manager), scopeOf(type));
    return { object: this.commitUpdate(type, next, current, options), created: false };
  }

  /** The object a non-apply patch produces from `current`. */
  patched(current: KubeObject, contentType: string, body: unknown): KubeObject {
    switch (contentType) {
      case patchTypes.merge:
        return mergePatch(current, body) as KubeObject;
      case patchTypes.strategic:
        return strategicMergePatch(current, body) as KubeObject;
      case patchTypes.json:
        return jsonPatch(current, body) as KubeObject;
      default:
        throw new ApiError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: ${Object.values(patchTypes).join(', ')}`,
        );
    }
  }

  private apply(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    current: KubeObject | undefined,
    body: unknown,
    options: WriteOptions & { force: boolean; subresource?: 'status' },
  ): { object: KubeObject; created: boolean } {
    if (!options.manager)
      throw invalid('PatchOptions', 'meta.k8s.io', '', [
        {
          reason: 'FieldValueRequired',
          field: 'fieldManager',
          message: 'Required value: is required for apply patch',
        },
      ]);
    const applied = this.conform(type, body, namespace);
    const undeclared = typedPatchError(
      type,
      { metadata: { namespace: applied.metadata.namespace, name } },
      pruneUnknownFields(type, applied),
    );
    if (undeclared) throw undeclared;
    if (applied.metadata.name && applied.metadata.name !== name)
      throw badRequest(
        `the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`,
      );
    applied.metadata.name = name;
    const scope: FieldScope = options.subresource === 'status' ? 'status' : scopeOf(type);
    if (scope === 'main') delete applied.status;
    const base: KubeObject = current ?? {
      apiVersion: applied.apiVersion,
      kind: applied.kind,
      metadata: { name, ...(type.namespaced ? { namespace: applied.metadata.namespace } : {}) },
    };
    const who = this.who(type, options.manager, options.subresource);
    const merged = serverSideApply(base, applied, who, { force: options.force, scope });
    if (!current) return { object: this.commitCreate(type, merged, options), created: true };
    if (options.subresource === 'status') {
      return { object: this.updateStatus(type, namespace, name, merged, options), created: false };
    }
    merged.metadata.resourceVersion = applied.metadata.resourceVersion ?? current.metadata.resourceVersion;
    if (type.subresources.includes('status')) merged.status = current.status;
    return { object: this.commitUpdate(type, merged, current, options), created: false };
  }

  /** Writes `spec.replicas` through the `/scale` subresource, owned by the caller as a scale-subresource update. */
  scale(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    replicas: unknown,
    resourceVersion: string | undefined,
    options: WriteOptions,
  ): KubeObject {
    const current = this.store.get(type, namespace, name);
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid('Scale', 'autoscaling', name, [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.replicas',
          message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
        },
      ]);
    }
    const next: KubeObject = {
      ...current,
      spec: { ...current.spec, replicas },
      metadata: { ...current.metadata, resourceVersion: resourceVersion || current.metadata.resourceVersion },
    };
    trackUpdate(current, next, this.who(type, options.manager, 'scale'), scopeOf(type));
    if (options.dryRun) return next;
    return this.store.update(type, next);
  }
}
