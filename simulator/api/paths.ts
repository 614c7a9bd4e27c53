/** The parts of a resource URL: `/api/v1/namespaces/ns/pods/name/status`, `/apis/apps/v1/deployments`. */
export interface ResourcePath {
  group: string;
  version: string;
  namespace?: string;
  plural: string;
  name?: string;
  subresource?: string;
}

export type ParsedPath =
  | { kind: 'resource'; path: ResourcePath }
  | { kind: 'groupVersion'; group: string; version: string }
  | { kind: 'group'; group: string }
  | { kind: 'other'; path: string };

/** Splits a request path into group/version/namespace/resource/name/subresource, as kube-apiserver routes it. */
export function parsePath(pathname: string): ParsedPath {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    rest = parts.slice(1);
  } else if (parts[0] === 'apis' && parts.length >= 2) {
    group = parts[1] as string;
    if (parts.length === 2) return { kind: 'group', group };
    rest = parts.slice(2);
  } else {
    return { kind: 'other', path: `/${parts.join('/')}` };
  }
  const version = rest[0] as string;
  const segments = rest.slice(1);
  if (segments.length === 0) return { kind: 'groupVersion', group, version };
  // `/namespaces/x/<plural>...` is namespaced; `/namespaces/x[/status]` is the Namespace itself.
  if (
    segments[0] === 'namespaces' &&
    segments.length >= 3 &&
    !['status', 'finalize'].includes(segments[2] as string)
  ) {
    const [, namespace, plural, name, subresource] = segments;
    return {
      kind: 'resource',
      path: { group, version, namespace, plural: plural as string, name, subresource },
    };
  }
  const [plural, name, subresource] = segments;
  return { kind: 'resource', path: { group, version, plural: plural as string, name, subresource } };
}
