import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatorServices } from '../services.js';
import { ApiError, badRequest } from '../store/errors.js';
import { apiVersionOf, type ResourceRegistry, type ResourceType } from '../store/resources.js';
import { formatLabelSelector, parseFieldSelector, parseLabelSelector } from '../store/selectors.js';
import type { ListOptions, ObjectStore } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import { type Conversion, conversionOf } from './conversion.js';
import { CrdRegistrar } from './crds.js';
import { type DeleteOptions, ObjectDeleter } from './deletes.js';
import {
  aggregatedDiscovery,
  aggregatedDiscoveryContentType,
  coreVersions,
  group,
  groupList,
  resourceList,
  serverVersion,
} from './discovery.js';
import { duplicateFields } from './duplicate-fields.js';
import { evict } from './eviction.js';
import { externalMetricsResponse } from './external-metrics-api.js';
import { fieldValidationOf, goQuote } from './field-validation.js';
import { metricsResponse } from './metrics-api.js';
import { openApiBundle, openApiV2ContentType } from './openapi/bundle.js';
import { openApiGroupVersion, openApiRoot } from './openapi/documents.js';
import { parsePath, type ResourcePath } from './paths.js';
import { servePodLog, streamingNotSupported } from './pod-log.js';
import { fieldManagerOf, parseBody, readBody, sendError, sendJson, wantsTable } from './request.js';
import { answerReview } from './reviews.js';
import { type IncludeObject, toTable } from './tables.js';
import { tokenRequest } from './tokens.js';
import { serveWatch } from './watch.js';
import { ObjectWriter, patchTypes, type WriteOptions } from './writes.js';

export interface ApiServerOptions {
  store: ObjectStore;
  registry: ResourceRegistry;
  /** Where the metrics.k8s.io, external.metrics.k8s.io and pods/log providers are looked up at request time. */
  services: SimulatorServices;
  host?: string;
  port?: number;
  /** How often a watch that allows bookmarks gets one (kube-apiserver: about a minute; clients time out at 30 s). */
  bookmarkIntervalMs?: number;
}

export interface RunningApiServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The options kind of each write verb, named when its query is refused. */
const writeOptionsKinds: Record<string, string> = {
  POST: 'CreateOptions',
  PUT: 'UpdateOptions',
  PATCH: 'PatchOptions',
};

/** How a stored object is shown in the version the request named. */
type Out = (object: KubeObject) => unknown;

const notFoundResource = () =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource');

function methodNotAllowed(): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

function listOptions(path: ResourcePath, query: URLSearchParams): ListOptions {
  const options: ListOptions = {};
  if (path.namespace) options.namespace = path.namespace;
  const labels = query.get('labelSelector');
  if (labels) options.labelSelector = parseLabelSelector(labels);
  const fields = query.get('fieldSelector');
  if (fields) options.fieldSelector = parseFieldSelector(fields);
  return options;
}

function numberParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw badRequest(`invalid value for ${name}: ${raw}`);
  return n;
}

function includeObject(query: URLSearchParams): IncludeObject {
  const value = query.get('includeObject');
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

/** The autoscaling/v1 Scale of a Deployment or ReplicaSet. */
function scaleOf(object: KubeObject): Record<string, unknown> {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
      resourceVersion: object.metadata.resourceVersion,
      creationTimestamp: object.metadata.creationTimestamp,
    },
    spec: { replicas: object.spec?.replicas ?? 0 },
    status: {
      replicas: object.status?.replicas ?? 0,
      selector: object.spec?.selector ? formatLabelSelector(object.spec.selector) : '',
    },
  };
}

/**
 * The local cluster's kube-apiserver: discovery, the verbs on every type of the resource table, subresources,
 * watch, Table output, and metrics.k8s.io served from the data plane's provider. Plain HTTP on loopback.
 */
export class ApiServer {
  private readonly writer: ObjectWriter;
  private readonly deleter: ObjectDeleter;
  private readonly crds: CrdRegistrar;
  private readonly watches = new Set<() => void>();
  private address = '127.0.0.1:0';

  constructor(private readonly options: ApiServerOptions) {
    this.writer = new ObjectWriter(options.store, options.registry);
    this.deleter = new ObjectDeleter(options.store, options.registry);
    this.crds = new CrdRegistrar(options.store, options.registry);
  }

  async listen(): Promise<RunningApiServer> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error) => sendError(res, error));
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.crds.start();
    const { address, port } = server.address() as AddressInfo;
    this.address = `${address}:${port}`;
    return {
      url: `http://${this.address}`,
      server,
      close: async () => {
        this.crds.stop();
        for (const finish of [...this.watches]) finish();
        server.closeIdleConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
      },
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parsed = parsePath(url.pathname);
    const method = req.method ?? 'GET';
    const { registry } = this.options;
    const accept = req.headers.accept ?? '';
    const aggregated = accept.includes('as=APIGroupDiscoveryList');
    switch (parsed.kind) {
      case 'other': {
        if (['/healthz', '/readyz', '/livez'].includes(parsed.path)) {
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.end('ok');
          return;
        }
        if (parsed.path === '/openapi/v2') {
          const document = Buffer.from(openApiBundle().v2, 'base64');
          res.writeHead(200, { 'Content-Type': openApiV2ContentType, 'Content-Length': document.length });
          res.end(document);
          return;
        }
        const { body, contentType } = this.nonResource(parsed.path, aggregated);
        return sendJson(res, 200, body, contentType);
      }
      case 'group': {
        const doc = group(registry, parsed.group);
        if (!doc) throw notFoundResource();
        return sendJson(res, 200, doc);
      }
      case 'groupVersion': {
        const doc = resourceList(registry, parsed.group, parsed.version);
        if (!doc) throw notFoundResource();
        return sendJson(res, 200, doc);
      }
      case 'resource':
        break;
    }
    const path = parsed.path;
    if (path.group === 'external.metrics.k8s.io') {
      if (method !== 'GET') throw methodNotAllowed();
      const source = this.options.services.externalMetrics;
      return sendJson(
        res,
        200,
        externalMetricsResponse(source, path, url.searchParams, this.options.store.nowIso()),
      );
    }
    if (path.group === 'metrics.k8s.io') {
      if (method !== 'GET') throw methodNotAllowed();
      return sendJson(res, 200, metricsResponse(this.options.services.metricsApi, path, url.searchParams));
    }
    const served = registry.byPlural(path.group, path.version, path.plural);
    if (!served || (path.namespace !== undefined && !served.namespaced)) throw notFoundResource();
    if (path.subresource && path.name && path.namespace !== undefined) {
      const handled = await this.connectSubresource(req, res, method, served, path, url.searchParams);
      if (handled) return;
    }
    if (path.subresource && !(served.subresources as string[]).includes(path.subresource))
      throw notFoundResource();
    const contentType = req.headers['content-type'] ?? 'application/json';
    const raw = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? await readBody(req) : undefined;
    let body = raw ? parseBody(raw, contentType) : undefined;
    // A created or replaced object's JSON may name a field twice, which the strict decoder reports.
    const duplicates =
      raw && body && (method === 'POST' || method === 'PUT') && contentType.startsWith('application/json')
        ? duplicateFields(raw.toString('utf8'))
        : [];
    const conversion = conversionOf(served);
    if (conversion && (method === 'POST' || method === 'PUT') && body && typeof body === 'object')
      body = conversion.toStored(body as KubeObject);
    return this.handleResource(
      req,
      res,
      method,
      registry.storage(served),
      path,
      url.searchParams,
      body,
      duplicates,
      conversion,
    );
  }

  /**
   * The subresources that are not stored objects: pods/log, exec, attach, portforward and eviction, and
   * serviceaccounts/token. Returns whether it answered.
   */
  private async connectSubresource(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    type: ResourceType,
    path: ResourcePath,
    query: URLSearchParams,
  ): Promise<boolean> {
    const { store, registry, services } = this.options;
    const namespace = path.namespace as string;
    const name = path.name as string;
    const sub = path.subresource as string;
    const body = async () =>
      parseBody(await readBody(req), req.headers['content-type'] ?? 'application/json') as Record<
        string,
        unknown
      >;
    if (type.group === '' && type.kind === 'Pod') {
      if (sub === 'log') {
        if (method !== 'GET') throw methodNotAllowed();
        servePodLog(req, res, store, type, services.podLogs, namespace, name, query);
        return true;
      }
      if (['exec', 'attach', 'portforward'].includes(sub)) {
        store.get(type, namespace, name);
        streamingNotSupported(sub, name);
      }
      if (sub === 'eviction') {
        if (method !== 'POST') throw methodNotAllowed();
        const dryRun = query.getAll('dryRun').includes('All');
        sendJson(res, 201, evict(store, registry, this.deleter, type, namespace, name, await body(), dryRun));
        return true;
      }
    }
    if (type.group === '' && type.kind === 'ServiceAccount' && sub === 'token') {
      if (method !== 'POST') throw methodNotAllowed();
      sendJson(res, 201, tokenRequest(store.get(type, namespace, name), await body(), store.clock.now()));
      return true;
    }
    return false;
  }

  /** Discovery, version and OpenAPI documents: the body and, for aggregated discovery, its content type. */
  private nonResource(path: string, aggregated: boolean): { body: unknown; contentType?: string } {
    const { registry } = this.options;
    if (path === '/api' || path === '/apis') {
      const core = path === '/api';
      if (aggregated)
        return { body: aggregatedDiscovery(registry, core), contentType: aggregatedDiscoveryContentType };
      return { body: core ? coreVersions(this.address) : groupList(registry) };
    }
    if (path === '/version') return { body: serverVersion };
    if (path === '/openapi/v3') return { body: openApiRoot(registry) };
    const doc = path.startsWith('/openapi/v3/')
      ? openApiGroupVersion(registry, path.slice('/openapi/v3/'.length))
      : undefined;
    if (doc) return { body: doc };
    throw notFoundResource();
  }

  private render(req: IncomingMessage, query: URLSearchParams, type: ResourceType, out: Out) {
    const table = wantsTable(req);
    const now = this.options.store.clock.now();
    return {
      table,
      one: (object: KubeObject): unknown =>
        table
          ? toTable(type, [object], {
              now,
              include: includeObject(query),
              resourceVersion: object.metadata.resourceVersion,
            })
          : out(object),
    };
  }

  private async handleResource(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    type: ResourceType,
    path: ResourcePath,
    query: URLSearchParams,
    body: unknown,
    duplicates: string[],
    conversion?: Conversion,
  ): Promise<void> {
    const { store } = this.options;
    const out: Out = conversion ? (object) => conversion.fromStored(object) : (object) => object;
    const dryRun = query.getAll('dryRun').includes('All');
    const write: WriteOptions = {
      manager: fieldManagerOf(query, req),
      dryRun,
      decode: {
        // Checked for the writes that take it; a read ignores it.
        validation: writeOptionsKinds[method] ? fieldValidationOf(query, writeOptionsKinds[method]) : 'Warn',
        warnings: [],
        duplicates,
      },
    };
    // Each `Warn`ed field becomes a Warning header, as `kubectl` prints them (`Warning: unknown field "spec.foo"`).
    const sendWritten = (code: number, body: unknown) => {
      const warnings = write.decode?.warnings ?? [];
      if (warnings.length > 0)
        res.setHeader(
          'Warning',
          warnings.map((w) => `299 - ${goQuote(w)}`),
        );
      sendJson(res, code, body);
    };
    const namespace = path.namespace;
    const name = path.name;
    const sub = path.subresource;
    const view = this.render(req, query, type, out);
    if (!name) {
      const list = listOptions(path, query);
      if (method === 'GET' && (query.get('watch') === 'true' || query.get('watch') === '1')) {
        return this.watch(req, res, type, list, query, out);
      }
      if (method === 'GET') {
        const { items, resourceVersion } = store.list(type, list);
        if (view.table) {
          return sendJson(
            res,
            200,
            toTable(type, items, {
              now: store.clock.now(),
              include: includeObject(query),
              resourceVersion: String(resourceVersion),
            }),
          );
        }
        return sendJson(res, 200, {
          kind: `${type.kind}List`,
          apiVersion: apiVersionOf(type),
          metadata: { resourceVersion: String(resourceVersion) },
          items: items.map(out),
        });
      }
      if (method === 'POST') {
        const review = answerReview(type.kind, body, req, store, this.options.registry);
        if (review) return sendJson(res, 201, review);
        const created = this.writer.create(type, namespace, body, write);
        return sendWritten(201, out(created));
      }
      if (method === 'DELETE') {
        const items = this.deleter.deleteCollection(type, list, this.deleteOptions(body, query, dryRun));
        return sendJson(res, 200, {
          kind: `${type.kind}List`,
          apiVersion: apiVersionOf(type),
          metadata: { resourceVersion: String(store.resourceVersion) },
          items,
        });
      }
      throw methodNotAllowed();
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    if (sub === 'scale')
      return sendJson(res, 200, this.scale(method, contentType, type, namespace, name, body, write));
    switch (method) {
      case 'GET':
        return sendJson(res, 200, view.one(store.get(type, namespace, name)));
      case 'PUT': {
        const updated =
          sub === 'status'
            ? this.writer.updateStatus(type, namespace, name, body, write)
            : this.writer.update(type, namespace, name, body, write);
        return sendWritten(200, out(updated));
      }
      case 'PATCH': {
        if (conversion) {
          // A converted version is patched in its own shape, then stored as the stored version.
          const current = conversion.fromStored(store.get(type, namespace, name));
          const patchType = contentType === patchTypes.apply ? patchTypes.merge : contentType;
          const next = conversion.toStored(this.writer.patched(current, patchType, body));
          return sendWritten(200, out(this.writer.update(type, namespace, name, next, write)));
        }
        const force = query.get('force') === 'true';
        const manager = contentType === patchTypes.apply ? (query.get('fieldManager') ?? '') : write.manager;
        const { object, created } = this.writer.patch(type, namespace, name, contentType, body, {
          manager,
          dryRun,
          force,
          ...(write.decode ? { decode: write.decode } : {}),
          ...(sub === 'status' ? { subresource: 'status' as const } : {}),
        });
        return sendWritten(created ? 201 : 200, out(object));
      }
      case 'DELETE': {
        if (sub) throw methodNotAllowed();
        const { object, gone } = this.deleter.delete(
          type,
          namespace,
          name,
          this.deleteOptions(body, query, dryRun),
        );
        if (gone && !(type.group === '' && type.kind === 'Pod')) {
          return sendJson(res, 200, {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Success',
            details: { name, group: type.group, kind: type.plural, uid: object.metadata.uid },
          });
        }
        return sendJson(res, gone ? 200 : 202, out(object));
      }
      default:
        throw methodNotAllowed();
    }
  }

  /** GET, PUT and PATCH of `/scale`; returns the resulting Scale. */
  private scale(
    method: string,
    contentType: string,
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    write: { manager: string; dryRun: boolean },
  ): Record<string, unknown> {
    const { store } = this.options;
    const current = store.get(type, namespace, name);
    if (method === 'GET') return scaleOf(current);
    type ScaleBody = { spec?: { replicas?: unknown }; metadata?: { resourceVersion?: string } };
    let desired: ScaleBody;
    if (method === 'PUT') desired = (body ?? {}) as ScaleBody;
    else if (method === 'PATCH') {
      // An apply patch of a Scale only ever sets spec.replicas, so it merges like a merge patch.
      const patchType = contentType === patchTypes.apply ? patchTypes.merge : contentType;
      desired = this.writer.patched(scaleOf(current) as KubeObject, patchType, body) as ScaleBody;
    } else throw methodNotAllowed();
    const updated = this.writer.scale(
      type,
      namespace,
      name,
      desired.spec?.replicas,
      desired.metadata?.resourceVersion,
      write,
    );
    return scaleOf(updated);
  }

  private deleteOptions(body: unknown, query: URLSearchParams, dryRun: boolean): DeleteOptions {
    const fromBody = (body ?? {}) as Omit<Partial<DeleteOptions>, 'dryRun'> & { dryRun?: string[] };
    const grace = numberParam(query, 'gracePeriodSeconds') ?? fromBody.gracePeriodSeconds;
    const policy = query.get('propagationPolicy') ?? fromBody.propagationPolicy;
    return {
      dryRun: dryRun || (fromBody.dryRun ?? []).includes('All'),
      ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
      ...(policy ? { propagationPolicy: policy } : {}),
      ...(fromBody.preconditions ? { preconditions: fromBody.preconditions } : {}),
    };
  }

  private watch(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    list: ListOptions,
    query: URLSearchParams,
    out: Out,
  ): void {
    const { store } = this.options;
    const table = wantsTable(req);
    const include = includeObject(query);
    const rv = query.get('resourceVersion');
    const timeout = numberParam(query, 'timeoutSeconds');
    serveWatch(
      store,
      req,
      res,
      {
        type,
        list,
        ...(rv ? { resourceVersion: rv } : {}),
        bookmarks: query.get('allowWatchBookmarks') === 'true',
        ...(timeout ? { timeoutSeconds: timeout } : {}),
        render: (object) =>
          table
            ? toTable(type, [object], {
                now: store.clock.now(),
                include,
                resourceVersion: object.metadata.resourceVersion,
              })
            : out(object),
      },
      this.options.bookmarkIntervalMs ?? 10_000,
      (finish) => {
        this.watches.add(finish);
        return () => this.watches.delete(finish);
      },
    );
  }
}

export function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  return new ApiServer(options).listen();
}
