import type { KubeObject } from '../store/types.js';
import type { ClusterView } from './cluster-view.js';
import type { WeightedPicker } from './weighted-picker.js';

/**
 * Where a gateway request goes. Entry (first match wins):
 *   1. Host `<svc>.<ns>.svc.cluster.local`, `<svc>.<ns>.svc` or `<svc>.<ns>` naming an existing Service;
 *   2. path `/<ns>/<svc>/...` naming an existing Service (the prefix is stripped before the app sees the path);
 *   3. Host listed in an HTTPRoute's `spec.hostnames` (wildcards `*.example.com` allowed);
 *   4. Host of a rule of a non-canary Ingress.
 * A request for Service S is split when an HTTPRoute fronts S (named S, listing S's cluster host name, or with S as
 * the first backendRef of a rule): the matching rule's backendRefs by weight. Otherwise, when a non-canary Ingress
 * routes to S and a canary Ingress (`nginx.ingress.kubernetes.io/canary: "true"`) shares its host, the canary gets
 * `canary-weight` / `canary-weight-total` of the requests (`canary-by-header` is honoured first). Otherwise S itself.
 */

export interface GatewayRequest {
  host: string;
  path: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface ServiceRef {
  namespace: string;
  name: string;
}

export type Entry =
  | { kind: 'service'; service: ServiceRef }
  | { kind: 'httproute'; route: KubeObject }
  | { kind: 'ingress'; ingress: KubeObject };

export type RouteDecision =
  | { backend: ServiceRef; path: string }
  | { status: 404 | 500; message: string; path: string };

const nginx = 'nginx.ingress.kubernetes.io/';

function hostOnly(host: string): string {
  return host.replace(/:\d+$/, '').toLowerCase();
}

function serviceFromClusterHost(view: ClusterView, host: string): ServiceRef | undefined {
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?$/.exec(host);
  if (!m) return undefined;
  const ref = { name: m[1] as string, namespace: m[2] as string };
  return view.get('services', ref.namespace, ref.name) ? ref : undefined;
}

function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return host.endsWith(p.slice(1)) && host.length > p.length - 1;
  return p === host;
}

const isCanaryIngress = (ingress: KubeObject) => ingress.metadata.annotations?.[`${nginx}canary`] === 'true';

interface IngressRule {
  host?: string;
  http?: { paths?: Array<{ path?: string; backend?: { service?: { name?: string } } }> };
}

function ingressRules(ingress: KubeObject): IngressRule[] {
  return (ingress.spec?.rules as IngressRule[] | undefined) ?? [];
}

/** Resolves the entry point of a request and the path the backend sees. */
export function resolveEntry(
  view: ClusterView,
  request: GatewayRequest,
): { entry: Entry; path: string } | undefined {
  const host = hostOnly(request.host);
  const byHost = serviceFromClusterHost(view, host);
  if (byHost) return { entry: { kind: 'service', service: byHost }, path: request.path };
  const m = /^\/([a-z0-9-]+)\/([a-z0-9-]+)(\/.*|\?.*)?$/.exec(request.path);
  if (m && view.get('services', m[1], m[2] as string)) {
    const rest = m[3] ?? '/';
    return {
      entry: { kind: 'service', service: { namespace: m[1] as string, name: m[2] as string } },
      path: rest.startsWith('/') ? rest : `/${rest}`,
    };
  }
  const route = view
    .list('httproutes')
    .find((r) => ((r.spec?.hostnames as string[] | undefined) ?? []).some((h) => hostMatches(h, host)));
  if (route) return { entry: { kind: 'httproute', route }, path: request.path };
  const ingress = view
    .list('ingresses')
    .find((i) => !isCanaryIngress(i) && ingressRules(i).some((r) => r.host && hostMatches(r.host, host)));
  if (ingress) return { entry: { kind: 'ingress', ingress }, path: request.path };
  return undefined;
}

interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  weight?: number;
}

interface RouteMatch {
  path?: { type?: string; value?: string };
  headers?: Array<{ type?: string; name: string; value: string }>;
  method?: string;
}

interface RouteRule {
  matches?: RouteMatch[];
  backendRefs?: BackendRef[];
}

/** A regular expression from a route, or undefined when it does not compile (the match then fails). */
function routeRegExp(source: string, anchored: boolean): RegExp | undefined {
  try {
    return new RegExp(anchored ? `^(?:${source})$` : source);
  } catch {
    return undefined;
  }
}

const isServiceRef = (ref: BackendRef) => (ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service';

function headerValue(request: GatewayRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * How specific the best matching entry of a rule is, or -1 when none applies. Gateway API precedence: an Exact
 * path, then the longest path, then a method match, then the most header matches.
 */
function ruleSpecificity(rule: RouteRule, request: GatewayRequest, path: string): number {
  const pathname = path.split('?')[0] as string;
  const matches = rule.matches?.length ? rule.matches : [{}];
  let best = -1;
  for (const match of matches) {
    const type = match.path?.type ?? 'PathPrefix';
    const value = match.path?.value ?? '/';
    let pathOk: boolean;
    if (type === 'Exact') pathOk = pathname === value;
    else if (type === 'RegularExpression') pathOk = routeRegExp(value, true)?.test(pathname) ?? false;
    else {
      const prefix = value.replace(/\/+$/, '');
      pathOk = prefix === '' || pathname === prefix || pathname.startsWith(`${prefix}/`);
    }
    const headers = match.headers ?? [];
    const headersOk = headers.every((h) => {
      const actual = headerValue(request, h.name);
      if (actual === undefined) return false;
      return h.type === 'RegularExpression'
        ? (routeRegExp(h.value, false)?.test(actual) ?? false)
        : actual === h.value;
    });
    const methodOk = !match.method || match.method === request.method;
    if (!pathOk || !headersOk || !methodOk) continue;
    const score =
      (type === 'Exact' ? 1e9 : 0) +
      value.length * 1e4 +
      (match.method ? 1e3 : 0) +
      Math.min(headers.length, 999);
    best = Math.max(best, score);
  }
  return best;
}

function routeBackend(
  route: KubeObject,
  request: GatewayRequest,
  path: string,
  picker: WeightedPicker,
): RouteDecision {
  const rules = (route.spec?.rules as RouteRule[] | undefined) ?? [];
  let chosen = -1;
  let specificity = -1;
  rules.forEach((rule, i) => {
    const s = ruleSpecificity(rule, request, path);
    if (s > specificity) {
      specificity = s;
      chosen = i;
    }
  });
  const name = route.metadata.name as string;
  if (chosen < 0) return { status: 404, message: `no rule of HTTPRoute ${name} matches`, path };
  const refs = (rules[chosen]?.backendRefs ?? []).filter(isServiceRef);
  const index = picker.pick(
    `httproute/${route.metadata.uid}/${chosen}`,
    refs.map((r) => r.weight ?? 1),
  );
  // Gateway API: a rule whose backends all weigh 0 (or that has none) answers 500.
  if (index === undefined)
    return { status: 500, message: `HTTPRoute ${name} rule ${chosen} has no backend with weight`, path };
  const ref = refs[index] as BackendRef;
  return {
    backend: { namespace: ref.namespace ?? (route.metadata.namespace as string), name: ref.name },
    path,
  };
}

/** An HTTPRoute in S's namespace that fronts S, if any. */
function frontingRoute(view: ClusterView, service: ServiceRef): KubeObject | undefined {
  const clusterHosts = [
    `${service.name}.${service.namespace}.svc.cluster.local`,
    `${service.name}.${service.namespace}.svc`,
  ];
  return view.list('httproutes', service.namespace).find((route) => {
    if (route.metadata.name === service.name) return true;
    if (((route.spec?.hostnames as string[] | undefined) ?? []).some((h) => clusterHosts.includes(h)))
      return true;
    return ((route.spec?.rules as RouteRule[] | undefined) ?? []).some((rule) => {
      const first = rule.backendRefs?.[0];
      return (
        first !== undefined &&
        isServiceRef(first) &&
        first.name === service.name &&
        (first.namespace ?? route.metadata.namespace) === service.namespace
      );
    });
  });
}

function ingressHosts(ingress: KubeObject): Set<string> {
  return new Set(ingressRules(ingress).map((r) => (r.host ?? '').toLowerCase()));
}

function ingressBackendFor(ingress: KubeObject, host: string | undefined, path: string): string | undefined {
  const pathname = path.split('?')[0] as string;
  let best: { length: number; name: string } | undefined;
  for (const rule of ingressRules(ingress)) {
    if (host !== undefined && rule.host && !hostMatches(rule.host, host)) continue;
    for (const p of rule.http?.paths ?? []) {
      const prefix = (p.path ?? '/').replace(/\/+$/, '');
      const ok = prefix === '' || pathname === prefix || pathname.startsWith(`${prefix}/`);
      const name = p.backend?.service?.name;
      if (ok && name && (!best || prefix.length > best.length)) best = { length: prefix.length, name };
    }
  }
  return best?.name ?? (ingress.spec?.defaultBackend?.service?.name as string | undefined);
}

function routesTo(ingress: KubeObject, service: string): boolean {
  const names = ingressRules(ingress).flatMap((r) =>
    (r.http?.paths ?? []).map((p) => p.backend?.service?.name),
  );
  return names.includes(service) || ingress.spec?.defaultBackend?.service?.name === service;
}

/** ingress-nginx canary: by header first, then by weight; undefined keeps the primary. */
function canaryBackend(
  view: ClusterView,
  primary: KubeObject,
  request: GatewayRequest,
  path: string,
  picker: WeightedPicker,
): string | undefined {
  const hosts = ingressHosts(primary);
  const host = hostOnly(request.host);
  const canary = view
    .list('ingresses', primary.metadata.namespace)
    .find((i) => isCanaryIngress(i) && [...ingressHosts(i)].some((h) => hosts.has(h)));
  if (!canary) return undefined;
  const annotations = canary.metadata.annotations ?? {};
  const backend = ingressBackendFor(canary, hosts.has(host) ? host : undefined, path);
  if (!backend) return undefined;
  const headerName = annotations[`${nginx}canary-by-header`];
  if (headerName) {
    const value = headerValue(request, headerName);
    const wanted = annotations[`${nginx}canary-by-header-value`];
    if (wanted !== undefined ? value === wanted : value === 'always') return backend;
    if (wanted === undefined && value === 'never') return undefined;
  }
  const weight = Number(annotations[`${nginx}canary-weight`] ?? 0);
  const total = Number(annotations[`${nginx}canary-weight-total`] ?? 100);
  if (!(weight > 0) || !(total > 0)) return undefined;
  const index = picker.pick(`ingress/${canary.metadata.uid}`, [Math.max(0, total - weight), weight]);
  return index === 1 ? backend : undefined;
}

/** Decides the backend Service of a request that entered at `entry`. */
export function chooseBackend(
  view: ClusterView,
  entry: Entry,
  request: GatewayRequest,
  path: string,
  picker: WeightedPicker,
): RouteDecision {
  if (entry.kind === 'httproute') return routeBackend(entry.route, request, path, picker);
  if (entry.kind === 'ingress') {
    const namespace = entry.ingress.metadata.namespace as string;
    const primary = ingressBackendFor(entry.ingress, hostOnly(request.host), path);
    if (!primary)
      return { status: 404, message: `no path of Ingress ${entry.ingress.metadata.name} matches`, path };
    const canary = canaryBackend(view, entry.ingress, request, path, picker);
    return { backend: { namespace, name: canary ?? primary }, path };
  }
  const route = frontingRoute(view, entry.service);
  if (route) return routeBackend(route, request, path, picker);
  const primary = view
    .list('ingresses', entry.service.namespace)
    .find((i) => !isCanaryIngress(i) && routesTo(i, entry.service.name));
  if (primary) {
    const canary = canaryBackend(view, primary, request, path, picker);
    if (canary) return { backend: { namespace: entry.service.namespace, name: canary }, path };
  }
  return { backend: entry.service, path };
}
