import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { RecordedCall } from '../../kube/helpers/fault-proxy.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** `(group, resource, verb)` of one API request, as the authorizer sees it; undefined for discovery. */
export function requestAttributes(
  call: RecordedCall,
): { group: string; resource: string; verb: string } | undefined {
  const parts = call.path.split('/').filter(Boolean);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api') {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    group = parts[1] ?? '';
    rest = parts.slice(3);
  } else return undefined;
  if (rest.length === 0) return undefined;
  let resource: string;
  let named: boolean;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    resource = rest[2]!;
    named = rest.length >= 4;
  } else {
    resource = rest[0]!;
    named = rest.length >= 2;
  }
  const method = call.method;
  const verb =
    method === 'GET'
      ? named
        ? 'get'
        : call.query.get('watch') === 'true'
          ? 'watch'
          : 'list'
      : ({ POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[
          method
        ]!;
  return { group, resource, verb };
}

export async function rbacRules(): Promise<Rule[]> {
  const file = resolve(import.meta.dirname, '../../../manifests/rbac/scalegate-ci.yaml');
  const docs = parseAllDocuments(await readFile(file, 'utf8')).map(
    (d) => d.toJS() as { kind: string; rules?: Rule[] },
  );
  return docs.filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole').flatMap((d) => d.rules ?? []);
}

/** The calls the rules do not allow, as `verb group/resource` strings. */
export function forbiddenCalls(calls: RecordedCall[], rules: Rule[]): string[] {
  const denied = new Set<string>();
  for (const call of calls) {
    const attrs = requestAttributes(call);
    if (!attrs) continue;
    const allowed = rules.some(
      (r) =>
        r.apiGroups.includes(attrs.group) &&
        r.resources.includes(attrs.resource) &&
        r.verbs.includes(attrs.verb),
    );
    if (!allowed) denied.add(`${attrs.verb} ${attrs.group || 'core'}/${attrs.resource}`);
  }
  return [...denied].sort();
}
