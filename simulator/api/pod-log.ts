import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest } from '../store/errors.js';
import type { ObjectStore } from '../store/store.js';
import type { KubeObject } from '../store/types.js';

/**
 * `pods/log` as the kubelet serves it through kube-apiserver: a container's output, with `container`, `follow`,
 * `tailLines`, `sinceSeconds`, `limitBytes` and `timestamps`. A simulated container's output is its start-up
 * line (when the kubelet started it) and the access lines of the requests the data plane routed to it.
 */

// biome-ignore lint/suspicious/noExplicitAny: reads untyped pod JSON.
type Json = any;

export interface LogLine {
  /** Milliseconds since the epoch. */
  time: number;
  text: string;
}

/** What the data plane offers (`SimulatorServices.podLogs`): the access lines of a pod, and new ones as they come. */
export interface PodLogSource {
  linesOf(namespace: string, pod: string): LogLine[];
  follow(namespace: string, pod: string, onLine: (line: LogLine) => void): () => void;
}

function containerOf(pod: KubeObject, requested: string | null): Json {
  const containers: Json[] = pod.spec?.containers ?? [];
  const name = pod.metadata.name;
  if (!requested) {
    if (containers.length === 1) return containers[0];
    throw badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`,
    );
  }
  const found = [...containers, ...(pod.spec?.initContainers ?? [])].find((c: Json) => c.name === requested);
  if (!found) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return found;
}

function startedAt(pod: KubeObject, container: Json): number {
  const statuses: Json[] = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
  ];
  const state = statuses.find((s) => s.name === container.name)?.state ?? {};
  const started = state.running?.startedAt ?? state.terminated?.startedAt;
  if (!started) {
    const reason = state.waiting?.reason ?? 'ContainerCreating';
    throw badRequest(
      `container "${container.name}" in pod "${pod.metadata.name}" is waiting to start: ${reason}`,
    );
  }
  return Date.parse(started);
}

function format(line: LogLine, timestamps: boolean): string {
  return timestamps
    ? `${new Date(line.time).toISOString().replace('Z', '000000Z')} ${line.text}\n`
    : `${line.text}\n`;
}

/**
 * A container's output for a pods/log query, as the kubelet returns it: the start-up line and, for the serving
 * container (the pod's first), the access lines, cut by `sinceSeconds`, `tailLines` and `limitBytes`. The built-in
 * API server serves it as pods/log; the node agent's kubelet API as containerLogs for the real API server.
 */
export function containerLog(
  pod: KubeObject,
  requested: string | null,
  source: PodLogSource | undefined,
  query: URLSearchParams,
  nowMs: number,
): { text: string; served: boolean; timestamps: boolean } {
  const container = containerOf(pod, requested);
  const start = startedAt(pod, container);
  const timestamps = query.get('timestamps') === 'true';
  const since = query.get('sinceSeconds');
  const from = since ? nowMs - Number(since) * 1000 : 0;
  const startup: LogLine = {
    time: start,
    text: `scalegate local cluster: simulated container "${container.name}" (${container.image}) started on ${pod.spec?.nodeName ?? 'its node'}`,
  };
  const served = container.name === pod.spec?.containers?.[0]?.name;
  const namespace = pod.metadata.namespace as string;
  const name = pod.metadata.name as string;
  let lines = [startup, ...(served && source ? source.linesOf(namespace, name) : [])].filter(
    (l) => l.time >= start && l.time >= from,
  );
  const tail = query.get('tailLines');
  if (tail !== null) lines = Number(tail) > 0 ? lines.slice(-Number(tail)) : [];
  let text = lines.map((l) => format(l, timestamps)).join('');
  const limit = query.get('limitBytes');
  if (limit) text = text.slice(0, Number(limit));
  return { text, served, timestamps };
}

export function servePodLog(
  req: IncomingMessage,
  res: ServerResponse,
  store: ObjectStore,
  podType: Parameters<ObjectStore['get']>[0],
  source: PodLogSource | undefined,
  namespace: string,
  name: string,
  query: URLSearchParams,
): void {
  const pod = store.get(podType, namespace, name);
  const { text, served, timestamps } = containerLog(
    pod,
    query.get('container'),
    source,
    query,
    store.clock.now(),
  );
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  if (query.get('follow') !== 'true') {
    res.end(text);
    return;
  }
  res.write(text);
  const stopFollowing =
    served && source ? source.follow(namespace, name, (l) => res.write(format(l, timestamps))) : () => {};
  // The stream ends when the pod goes away (as the kubelet's does when the container stops) or the client leaves.
  const stopWatching = store.subscribe((event) => {
    if (event.type === 'DELETED' && event.object.metadata.uid === pod.metadata.uid) finish();
  });
  function finish() {
    stopFollowing();
    stopWatching();
    res.end();
  }
  req.on('close', finish);
}

/**
 * exec, attach and port-forward need a running process to stream from; the local cluster's containers are
 * simulated, so it answers as a kubelet does for a container runtime that does not offer them.
 */
export function streamingNotSupported(subresource: string, pod: string): never {
  const what =
    { exec: 'exec into', attach: 'attach to', portforward: 'port-forward to' }[subresource] ?? subresource;
  throw badRequest(
    `cannot ${what} pod "${pod}": the scalegate local cluster simulates containers, so there is no process to stream (pods/${subresource} is not served)`,
  );
}
