import type { IncomingMessage, ServerResponse } from 'node:http';
import { containerFamilies, httpFamilies } from './container-metrics.js';
import type { DataPlane } from './data-plane.js';
import { contentType, type MetricFamily, renderExposition } from './exposition.js';
import { deploymentFamilies, hpaFamilies, nodeFamilies } from './ksm-cluster.js';
import { podFamilies } from './ksm-pods.js';
import {
  daemonSetFamilies,
  disruptionBudgetFamilies,
  jobFamilies,
  namespaceFamilies,
  replicaSetFamilies,
  resourceQuotaFamilies,
  serviceFamilies,
  statefulSetFamilies,
} from './ksm-workloads.js';
import { kubeletFamilies, resourceFamilies } from './kubelet-metrics.js';
import { kubeletTargets } from './scrape-config.js';

/**
 * The metrics listener, laid out as a real cluster spreads its metrics: kube-state-metrics at
 * `/metrics/kube-state-metrics`, each node's kubelet at `/metrics/nodes/<node>/{cadvisor,resource,kubelet}` (found
 * through the HTTP service discovery document at `/sd/kubelet`), the app pods' own metrics at `/metrics/pods`,
 * and everything together at `/metrics` for a plain single-target scrape.
 */

function ksmFamilies(plane: DataPlane): MetricFamily[] {
  const { view } = plane;
  return [
    ...hpaFamilies(view.list('hpas')),
    ...deploymentFamilies(view.list('deployments')),
    ...replicaSetFamilies(view.list('replicasets')),
    ...statefulSetFamilies(view.list('statefulsets')),
    ...daemonSetFamilies(view.list('daemonsets')),
    ...jobFamilies(view.list('jobs')),
    ...namespaceFamilies(view.list('namespaces')),
    ...resourceQuotaFamilies(view.list('resourcequotas')),
    ...disruptionBudgetFamilies(view.list('poddisruptionbudgets')),
    ...serviceFamilies(view.list('services')),
    ...nodeFamilies(view.list('nodes')),
    ...podFamilies(view.list('pods')),
  ];
}

/**
 * The kube-state-metrics text, rendered again only after a change to the objects it describes; empty when
 * `objectState` is false (a cluster where the real kube-state-metrics runs).
 */
export function ksmRenderer(plane: DataPlane, objectState = true): () => string {
  let cached: { revision: number; text: string } | undefined;
  return () => {
    if (!objectState) return '';
    if (cached?.revision !== plane.view.revision)
      cached = { revision: plane.view.revision, text: renderExposition(ksmFamilies(plane)) };
    return cached.text;
  };
}

export function metricsRenderer(plane: DataPlane, objectState = true): () => string {
  const ksm = ksmRenderer(plane, objectState);
  return () => ksm() + renderExposition([...containerFamilies(plane), ...httpFamilies(plane)]);
}

function send(res: ServerResponse, req: IncomingMessage, code: number, type: string, body: string): void {
  res.writeHead(code, { 'content-type': type });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** `objectState: false` leaves the kube-state-metrics series out, for a cluster where the real one runs. */
export function createMetricsHandler(
  plane: DataPlane,
  objectState = true,
): (req: IncomingMessage, res: ServerResponse) => void {
  const all = metricsRenderer(plane, objectState);
  const ksm = ksmRenderer(plane, objectState);
  return (req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/metrics' || path === '/') return send(res, req, 200, contentType, all());
    if (path === '/metrics/kube-state-metrics') return send(res, req, 200, contentType, ksm());
    if (path === '/metrics/pods')
      return send(res, req, 200, contentType, renderExposition(httpFamilies(plane)));
    if (path === '/sd/kubelet') {
      const host = req.headers.host ?? '127.0.0.1';
      const body = JSON.stringify(
        kubeletTargets(plane.view.list('nodes'), host, url.searchParams.get('path') ?? '/metrics'),
      );
      return send(res, req, 200, 'application/json', body);
    }
    const kubelet = /^\/metrics\/nodes\/([^/]+)\/(cadvisor|resource|kubelet)$/.exec(path);
    const node = kubelet ? decodeURIComponent(kubelet[1] as string) : undefined;
    if (kubelet && node && plane.view.list('nodes').some((n) => n.metadata.name === node)) {
      const families =
        kubelet[2] === 'cadvisor'
          ? containerFamilies(plane, node)
          : kubelet[2] === 'resource'
            ? resourceFamilies(plane, node)
            : kubeletFamilies(plane, node);
      return send(res, req, 200, contentType, renderExposition(families));
    }
    send(
      res,
      req,
      404,
      'text/plain; charset=utf-8',
      'not found: scrape /metrics, /metrics/kube-state-metrics, /metrics/pods or /metrics/nodes/<node>/{cadvisor,resource,kubelet}\n',
    );
  };
}
