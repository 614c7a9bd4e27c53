import type { IncomingMessage, ServerResponse } from 'node:http';
import { containerFamilies, httpFamilies } from './container-metrics.js';
import type { DataPlane } from './data-plane.js';
import { contentType, renderExposition } from './exposition.js';
import { deploymentFamilies, hpaFamilies, nodeFamilies } from './ksm-cluster.js';
import { podFamilies } from './ksm-pods.js';

/**
 * One scrape target with everything a real cluster spreads over kube-state-metrics, the kubelets' cAdvisor and
 * the app pods: series carry their own namespace/pod labels, so a plain scrape job (or honor_labels) keeps them.
 * The object-state part only changes with the objects, so it is rendered again only after a store change.
 */
export function metricsRenderer(plane: DataPlane, objectState = true): () => string {
  let cached: { revision: number; text: string } | undefined;
  return () => {
    const { view } = plane;
    if (!objectState) cached = { revision: view.revision, text: '' };
    else if (cached?.revision !== view.revision) {
      const text = renderExposition([
        ...hpaFamilies(view.list('hpas')),
        ...deploymentFamilies(view.list('deployments')),
        ...nodeFamilies(view.list('nodes')),
        ...podFamilies(view.list('pods')),
      ]);
      cached = { revision: view.revision, text };
    }
    return cached.text + renderExposition([...containerFamilies(plane), ...httpFamilies(plane)]);
  };
}

/** `objectState: false` leaves the kube-state-metrics series out, for a cluster where the real one runs. */
export function createMetricsHandler(
  plane: DataPlane,
  objectState = true,
): (req: IncomingMessage, res: ServerResponse) => void {
  const render = metricsRenderer(plane, objectState);
  return (req, res) => {
    req.resume();
    const path = (req.url ?? '/').split('?')[0];
    // The listener's base URL is what the cluster advertises; `/metrics` is where scrapers look by default.
    if (path !== '/metrics' && path !== '/') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found: scrape /metrics\n');
      return;
    }
    const body = render();
    res.writeHead(200, { 'content-type': contentType });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
