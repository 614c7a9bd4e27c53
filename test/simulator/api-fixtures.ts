import { KubeConfig } from '@kubernetes/client-node';
import { eventRecorder } from '../../simulator/api/events.js';
import { type RunningApiServer, startApiServer } from '../../simulator/api/server.js';
import type { SimulatorServices } from '../../simulator/services.js';
import { ResourceRegistry } from '../../simulator/store/resources.js';
import { ObjectStore } from '../../simulator/store/store.js';

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary Kubernetes JSON.
type Json = any;

/** An API server alone (no controllers) over a fresh store with the default namespaces, for API tests. */
export async function apiServerForTest(options: { historySize?: number; bookmarkIntervalMs?: number } = {}) {
  const registry = new ResourceRegistry();
  const store = new ObjectStore(registry, options.historySize ? { historySize: options.historySize } : {});
  const namespaces = registry.byKind('v1', 'Namespace')!;
  for (const name of ['default', 'kube-system'])
    store.create(namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
      status: { phase: 'Active' },
    });
  const services: SimulatorServices = {};
  const api: RunningApiServer = await startApiServer({
    store,
    registry,
    services,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 200,
  });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'local', server: api.url, skipTLSVerify: true }],
    users: [{ name: 'local', token: 'x' }],
    contexts: [{ name: 'local', cluster: 'local', user: 'local' }],
    currentContext: 'local',
  });
  return { api, store, registry, services, kc, recordEvent: eventRecorder(store, registry) };
}

export function deploymentManifest(
  name: string,
  extra: { replicas?: number; image?: string; labels?: Record<string, string> } = {},
) {
  const labels = extra.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels },
    spec: {
      replicas: extra.replicas ?? 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            { name: 'web', image: extra.image ?? 'nginx:1.27', resources: { requests: { cpu: '100m' } } },
          ],
        },
      },
    },
  };
}

/** A JSON request to the API server: status code and parsed body. */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': contentType, accept: 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as Json,
    headers: response.headers,
  };
}
