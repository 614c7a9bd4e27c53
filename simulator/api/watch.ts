import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../store/errors.js';
import { apiVersionOf, type ResourceType } from '../store/resources.js';
import { matchesFieldSelector, matchesRequirements } from '../store/selectors.js';
import type { ListOptions, ObjectStore, StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';

/**
 * A watch stream: newline-delimited JSON events over a chunked response, as kube-apiserver sends them.
 * Without a resourceVersion (or with "0") it starts with ADDED for every existing object; with one it replays the
 * changes after it, or sends a 410 Expired ERROR event when that version is compacted. BOOKMARK events carry the
 * current resourceVersion periodically when asked for (`allowWatchBookmarks`), which also keeps idle clients alive.
 */

export interface WatchRequest {
  type: ResourceType;
  list: ListOptions;
  resourceVersion?: string;
  bookmarks: boolean;
  timeoutSeconds?: number;
  /** Renders each event's object (a Table row for `kubectl get -w`, or the object itself). */
  render: (object: KubeObject) => unknown;
}

/**
 * Filters a watch by its selectors as kube-apiserver's watch cache does: an object that starts matching arrives as
 * ADDED, one that stops matching as DELETED. Membership starts from the objects matching now, which is exact for a
 * watch from "now" and a close approximation when resuming from an older resourceVersion.
 */
function selectionTracker(
  store: ObjectStore,
  watch: WatchRequest,
  emit: (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject) => void,
): (event: StoreEvent) => void {
  const { labelSelector, fieldSelector } = watch.list;
  if (!labelSelector && !fieldSelector) return (e) => emit(e.type, e.object);
  const matches = (o: KubeObject) =>
    (!labelSelector || matchesRequirements(o.metadata.labels, labelSelector)) &&
    (!fieldSelector || matchesFieldSelector(o, fieldSelector));
  const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const members = new Set(store.list(watch.type, watch.list).items.map(keyOf));
  return (e) => {
    const key = keyOf(e.object);
    const was = members.has(key);
    const is = matches(e.object);
    if (e.type === 'DELETED') {
      members.delete(key);
      if (was || is) emit('DELETED', e.object);
    } else if (is) {
      members.add(key);
      emit(was && e.type === 'MODIFIED' ? 'MODIFIED' : 'ADDED', e.object);
    } else if (was) {
      members.delete(key);
      emit('DELETED', e.object);
    }
  };
}

export function serveWatch(
  store: ObjectStore,
  req: IncomingMessage,
  res: ServerResponse,
  watch: WatchRequest,
  bookmarkIntervalMs: number,
  onClose: (close: () => void) => () => void,
): void {
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
  const write = (type: string, object: unknown) => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const send = selectionTracker(store, watch, (type, object) => write(type, watch.render(object)));
  const rv = watch.resourceVersion;
  const scope = watch.list.namespace ? { namespace: watch.list.namespace } : {};
  let unsubscribe: () => void = () => {};
  try {
    if (!rv || rv === '0') {
      const { items } = store.list(watch.type, watch.list);
      for (const item of items)
        send({ type: 'ADDED', resource: watch.type, object: item, resourceVersion: 0 });
      unsubscribe = store.watch(watch.type, scope, send);
    } else {
      const since = Number(rv);
      if (!Number.isInteger(since) || since < 0)
        throw new ApiError(400, 'BadRequest', `invalid resource version: ${rv}`);
      unsubscribe = store.watch(watch.type, { ...scope, sinceResourceVersion: since }, send);
    }
  } catch (error) {
    if (error instanceof ApiError) write('ERROR', error.toStatus());
    res.end();
    return;
  }
  const bookmark = watch.bookmarks
    ? setInterval(() => {
        write('BOOKMARK', {
          kind: watch.type.kind,
          apiVersion: apiVersionOf(watch.type),
          metadata: { resourceVersion: String(store.resourceVersion) },
        });
      }, bookmarkIntervalMs)
    : undefined;
  const timeout = watch.timeoutSeconds ? setTimeout(() => finish(), watch.timeoutSeconds * 1000) : undefined;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    unsubscribe();
    clearInterval(bookmark);
    clearTimeout(timeout);
    unregister();
    if (!res.writableEnded) res.end();
  };
  const unregister = onClose(finish);
  req.on('close', finish);
  res.on('close', finish);
}
