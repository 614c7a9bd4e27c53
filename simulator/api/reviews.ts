import type { IncomingMessage } from 'node:http';
import { badRequest } from '../store/errors.js';
import type { ResourceRegistry } from '../store/resources.js';
import type { ObjectStore } from '../store/store.js';
import type { KubeObject } from '../store/types.js';

/**
 * The review kinds kube-apiserver answers without storing: SelfSubjectReview (`kubectl auth whoami`),
 * SelfSubjectAccessReview and SubjectAccessReview (`kubectl auth can-i`). The kubeconfig's user is the cluster
 * admin (group system:masters, as kubeadm's admin.conf); an impersonated user (`--as`) is judged by the RBAC
 * objects stored, as the RBAC authorizer does.
 */

// biome-ignore lint/suspicious/noExplicitAny: reviews read untyped JSON.
type Json = any;

export interface UserInfo {
  username: string;
  groups: string[];
}

export const adminUser: UserInfo = {
  username: 'kubernetes-admin',
  groups: ['kubeadm:cluster-admins', 'system:masters', 'system:authenticated'],
};

/** The requesting user: the admin, or whom the `Impersonate-User`/`Impersonate-Group` headers name. */
export function userOf(req: IncomingMessage): UserInfo {
  const as = req.headers['impersonate-user'];
  if (typeof as !== 'string' || as === '') return adminUser;
  const asGroups = req.headers['impersonate-group'];
  const groups = Array.isArray(asGroups) ? asGroups : asGroups ? [asGroups] : [];
  const sa = /^system:serviceaccount:([^:]+):/.exec(as);
  const implied = sa ? ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`] : [];
  return { username: as, groups: [...new Set([...groups, ...implied, 'system:authenticated'])] };
}

interface Attributes {
  namespace?: string;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
  path?: string;
}

const matches = (list: string[] | undefined, value: string) =>
  (list ?? []).some((item) => item === '*' || item === value);

function ruleAllows(rule: Json, a: Attributes): boolean {
  if (a.path !== undefined) {
    return (
      matches(rule.verbs, a.verb) &&
      (rule.nonResourceURLs ?? []).some(
        (u: string) => u === '*' || u === a.path || (u.endsWith('*') && a.path?.startsWith(u.slice(0, -1))),
      )
    );
  }
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return (
    matches(rule.verbs, a.verb) &&
    matches(rule.apiGroups, a.group) &&
    (matches(rule.resources, resource) ||
      (a.subresource === undefined && matches(rule.resources, a.resource))) &&
    (!rule.resourceNames?.length || (a.name !== undefined && rule.resourceNames.includes(a.name)))
  );
}

function subjectIs(subject: Json, user: UserInfo): boolean {
  if (subject.kind === 'User') return subject.name === user.username;
  if (subject.kind === 'Group') return user.groups.includes(subject.name);
  if (subject.kind === 'ServiceAccount')
    return user.username === `system:serviceaccount:${subject.namespace}:${subject.name}`;
  return false;
}

/** Whether RBAC grants `a` to `user`, and the reason the RBAC authorizer gives when it does. */
export function authorize(
  store: ObjectStore,
  registry: ResourceRegistry,
  user: UserInfo,
  a: Attributes,
): { allowed: boolean; reason?: string } {
  const rbac = (kind: string) => registry.byKind('rbac.authorization.k8s.io/v1', kind);
  const roleRules = (ref: Json, namespace?: string): Json[] => {
    const type = rbac(ref.kind);
    const role = type ? store.tryGet(type, ref.kind === 'Role' ? namespace : undefined, ref.name) : undefined;
    return (role?.rules as Json[] | undefined) ?? [];
  };
  const bindings: Array<{ binding: Json; namespace?: string }> = [];
  for (const b of store.list(rbac('ClusterRoleBinding')!).items) bindings.push({ binding: b });
  if (a.namespace)
    for (const b of store.list(rbac('RoleBinding')!, { namespace: a.namespace }).items)
      bindings.push({ binding: b, namespace: a.namespace });
  for (const { binding, namespace } of bindings) {
    if (!(binding.subjects ?? []).some((s: Json) => subjectIs(s, user))) continue;
    if (roleRules(binding.roleRef, namespace).some((r) => ruleAllows(r, a))) {
      const kind = namespace ? 'RoleBinding' : 'ClusterRoleBinding';
      const where = namespace
        ? ` of ${binding.roleRef.kind} "${binding.roleRef.name}" to`
        : ` of ClusterRole "${binding.roleRef.name}" to`;
      return {
        allowed: true,
        reason: `RBAC: allowed by ${kind} "${binding.metadata.name}${namespace ? `/${namespace}` : ''}"${where} ${user.username}`,
      };
    }
  }
  return { allowed: false };
}

function attributesOf(spec: Json): Attributes {
  const r = spec?.resourceAttributes;
  const n = spec?.nonResourceAttributes;
  if (r)
    return {
      ...(r.namespace ? { namespace: r.namespace } : {}),
      verb: r.verb ?? '',
      group: r.group ?? '',
      resource: r.resource ?? '',
      ...(r.subresource ? { subresource: r.subresource } : {}),
      ...(r.name ? { name: r.name } : {}),
    };
  if (n) return { verb: n.verb ?? '', group: '', resource: '', path: n.path ?? '' };
  throw badRequest('exactly one of nonResourceAttributes or resourceAttributes must be specified');
}

/** The answered review for a POSTed review kind, or undefined when `kind` is not one. */
export function answerReview(
  kind: string,
  body: Json,
  req: IncomingMessage,
  store: ObjectStore,
  registry: ResourceRegistry,
): KubeObject | undefined {
  const requester = userOf(req);
  const echo = { ...body, metadata: { ...(body?.metadata ?? {}), creationTimestamp: null } };
  if (kind === 'SelfSubjectReview')
    return { ...echo, status: { userInfo: { username: requester.username, groups: requester.groups } } };
  if (kind !== 'SelfSubjectAccessReview' && kind !== 'SubjectAccessReview') return undefined;
  const user: UserInfo =
    kind === 'SubjectAccessReview'
      ? { username: body?.spec?.user ?? '', groups: body?.spec?.groups ?? [] }
      : requester;
  const decision = authorize(store, registry, user, attributesOf(body?.spec));
  return { ...echo, status: decision };
}
