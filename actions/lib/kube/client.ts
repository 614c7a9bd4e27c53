import {
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
} from '@kubernetes/client-node';
import { retry } from '../util/retry.js';
import { contextNamespace, type KubeAccessOptions, loadKubeConfig } from './config.js';
import { classifyError, defaultRetryOptions, type RetryOptions, statusCodeOf } from './retry.js';

/** The field manager of every server-side apply scalegate makes. */
export const fieldManager = 'scalegate';

/** Kinds without a namespace that scalegate may render or touch. */
export const clusterScopedKinds = new Set([
  'Namespace',
  'PriorityClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'Node',
  'CustomResourceDefinition',
]);

/** Names one object: enough to read, patch or delete it. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

export interface KubeClientOptions {
  /** Namespace for objects that name none. */
  namespace?: string;
  retry?: RetryOptions;
  /** Progress lines: retries and the like. */
  log?: (line: string) => void;
  /** Runs before every attempt to write (throws to stop it): a lost Lease stops the run's writes here. */
  beforeWrite?: () => void;
}

/**
 * The one door to the API server: every call goes through the retry loop (409 re-read by the caller's closure, 429,
 * 5xx, dropped connections), so callers write each operation once.
 */
export class KubeClient {
  readonly objects: KubernetesObjectApi;
  readonly namespace: string;
  private readonly retryOptions: RetryOptions;
  private readonly log: (line: string) => void;
  private readonly beforeWrite: () => void;

  constructor(
    readonly config: KubeConfig,
    options: KubeClientOptions = {},
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(config);
    this.namespace = options.namespace ?? contextNamespace(config) ?? 'default';
    this.retryOptions = options.retry ?? defaultRetryOptions;
    this.log = options.log ?? (() => {});
    this.beforeWrite = options.beforeWrite ?? (() => {});
  }

  /**
   * This client whose writes first pass `check` (e.g. "this run still holds the Lease"). It shares everything else
   * with this one, including anything layered on it (a test counting reads).
   */
  guarded(check: () => void): KubeClient {
    const outer = this.beforeWrite;
    const guarded = Object.create(this) as KubeClient;
    Object.defineProperty(guarded, 'beforeWrite', {
      value: () => {
        outer();
        check();
      },
    });
    return guarded;
  }

  /** Runs one API operation with retries. `what` names it in retry messages. */
  call<T>(what: string, operation: () => Promise<T>): Promise<T> {
    return retry(operation, {
      classify: (error, attempt) => classifyError(error, attempt, this.retryOptions),
      onRetry: (reason, attempt, delayMs) =>
        this.log(`${what}: ${reason}, retry ${attempt} in ${delayMs} ms`),
    });
  }

  /** One write attempt per retry, each first passing the write guard. */
  private write<T>(what: string, operation: () => Promise<T>): Promise<T> {
    return this.call(what, () => {
      this.beforeWrite();
      return operation();
    });
  }

  /** A copy carrying the client's namespace when it names none (ignored by the API for cluster-scoped kinds). */
  private withNamespace<T extends ObjectRef | KubernetesObject>(obj: T): T {
    if (obj.metadata?.namespace || clusterScopedKinds.has(obj.kind ?? '')) return structuredClone(obj);
    return { ...structuredClone(obj), metadata: { ...obj.metadata, namespace: this.namespace } } as T;
  }

  /** The object, or undefined when it does not exist. */
  async read<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    const target = this.withNamespace(ref);
    return this.call(`get ${describe(target)}`, async () => {
      try {
        return (await this.objects.read(target as never)) as T;
      } catch (error) {
        if (statusCodeOf(error) === 404) return undefined;
        throw error;
      }
    });
  }

  async list<T extends KubernetesObject>(
    apiVersion: string,
    kind: string,
    options: { namespace?: string | null; labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<KubernetesListObject<T>> {
    const namespace = options.namespace === null ? undefined : (options.namespace ?? this.namespace);
    return this.call(`list ${kind}`, () =>
      this.objects.list<T>(
        apiVersion,
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        options.fieldSelector,
        options.labelSelector,
      ),
    );
  }

  /** Server-side apply (force: scalegate owns what it renders). `dryRun` validates without persisting. */
  async apply<T extends KubernetesObject>(obj: T, options: { dryRun?: boolean } = {}) {
    const target = this.withNamespace(obj);
    return this.write(`apply ${describe(target)}`, () =>
      this.objects.patch<T>(
        target,
        undefined,
        options.dryRun ? 'All' : undefined,
        fieldManager,
        true,
        PatchStrategy.ServerSideApply,
      ),
    );
  }

  /** JSON merge patch of a few fields (weights, replicas, annotations), leaving the applied configuration alone. */
  async mergePatch<T extends KubernetesObject>(ref: ObjectRef, patch: Record<string, unknown>) {
    const target = this.withNamespace(ref);
    const body = {
      ...patch,
      apiVersion: target.apiVersion,
      kind: target.kind,
      metadata: mergeMeta(target, patch),
    };
    return this.write(`patch ${describe(target)}`, () =>
      this.objects.patch<T>(
        body as T,
        undefined,
        undefined,
        fieldManager,
        undefined,
        PatchStrategy.MergePatch,
      ),
    );
  }

  async create<T extends KubernetesObject>(obj: T): Promise<T> {
    const target = this.withNamespace(obj);
    return this.write(`create ${describe(target)}`, () => this.objects.create<T>(target));
  }

  /**
   * Read-modify-write with optimistic concurrency: `mutate` gets the current object (undefined when absent) and
   * returns the new one, or undefined to leave it. A 409 re-reads and re-runs `mutate`.
   */
  async update<T extends KubernetesObject>(
    ref: ObjectRef,
    mutate: (current: T | undefined) => T | undefined,
  ): Promise<T | undefined> {
    const target = this.withNamespace(ref);
    return this.call(`update ${describe(target)}`, async () => {
      const current = await this.read<T>(target);
      const next = mutate(current === undefined ? undefined : structuredClone(current));
      if (next === undefined) return current;
      this.beforeWrite();
      return current === undefined ? this.objects.create<T>(next) : this.objects.replace<T>(next);
    });
  }

  /** Deletes the object; false when it was already gone. */
  async delete(ref: ObjectRef): Promise<boolean> {
    const target = this.withNamespace(ref);
    return this.write(`delete ${describe(target)}`, async () => {
      try {
        await this.objects.delete(
          target as KubernetesObject,
          undefined,
          undefined,
          undefined,
          undefined,
          'Background',
        );
        return true;
      } catch (error) {
        if (statusCodeOf(error) === 404) return false;
        throw error;
      }
    });
  }

  /** A raw watch on an API path; see rollout-status.ts for the re-watch loop around it. */
  watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    onEvent: (type: string, object: unknown) => void,
    onDone: (error: unknown) => void,
  ): Promise<AbortController> {
    return new Watch(this.config).watch(path, query, onEvent, onDone);
  }
}

function mergeMeta(target: ObjectRef, patch: Record<string, unknown>) {
  const extra = (patch.metadata as Record<string, unknown> | undefined) ?? {};
  return { ...extra, name: target.metadata.name, namespace: target.metadata.namespace };
}

/** `Kind namespace/name`, for messages. */
export function describe(obj: ObjectRef | KubernetesObject): string {
  const ns = obj.metadata?.namespace;
  return `${obj.kind} ${ns ? `${ns}/` : ''}${obj.metadata?.name}`;
}

/** A client for the cluster the options point to (see loadKubeConfig for the order of sources). */
export function connect(access: KubeAccessOptions, options: KubeClientOptions = {}): KubeClient {
  const { config } = loadKubeConfig(access);
  return new KubeClient(config, options);
}
