import { readFile, writeFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { type KubeconfigAuth, kubeconfigText } from '../kubeconfig.js';
import type { KubeObject } from '../store/types.js';
import type { ApiClient } from './api-client.js';

/** Where each kind of an RBAC manifest is created; cluster-scoped kinds have no namespace segment. */
const collections: Record<string, { prefix: string; plural: string; namespaced: boolean }> = {
  ServiceAccount: { prefix: '/api/v1', plural: 'serviceaccounts', namespaced: true },
  Role: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'roles', namespaced: true },
  RoleBinding: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'rolebindings', namespaced: true },
  ClusterRole: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: {
    prefix: '/apis/rbac.authorization.k8s.io/v1',
    plural: 'clusterrolebindings',
    namespaced: false,
  },
};

/**
 * Applies an RBAC manifest (a ServiceAccount with its Roles and bindings, e.g. manifests/rbac/scalegate-ci.yaml)
 * into `namespace` — every namespaced object and every ServiceAccount subject moved there, as its comment tells a
 * user to do — and writes a kubeconfig that authenticates with a token of that ServiceAccount (TokenRequest), so
 * what the client may do is decided by the real RBAC authorizer. Returns the kubeconfig's path.
 */
export async function serviceAccountKubeconfig(
  admin: ApiClient,
  cluster: { apiServer: string; auth: KubeconfigAuth },
  manifestFile: string,
  namespace: string,
  path: string,
): Promise<string> {
  const docs = parseAllDocuments(await readFile(manifestFile, 'utf8'))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((d): d is KubeObject => Boolean(d));
  const namespaceCreated = await admin.call('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace },
  });
  if (namespaceCreated.status >= 400 && namespaceCreated.status !== 409)
    throw new Error(`creating namespace ${namespace}: ${namespaceCreated.status}`);
  let account: string | undefined;
  for (const doc of docs) {
    const where = collections[doc.kind];
    if (!where) throw new Error(`${manifestFile}: ${doc.kind} is not an RBAC kind this helper applies`);
    if (where.namespaced) doc.metadata.namespace = namespace;
    for (const subject of (doc.subjects as Array<{ kind: string; namespace?: string }> | undefined) ?? [])
      if (subject.kind === 'ServiceAccount') subject.namespace = namespace;
    if (doc.kind === 'ServiceAccount') account = doc.metadata.name;
    const collection = `${where.prefix}${where.namespaced ? `/namespaces/${namespace}` : ''}/${where.plural}`;
    const created = await admin.call('POST', collection, doc);
    if (created.status === 409 && doc.kind === 'ClusterRoleBinding') {
      // Bound already for another namespace: this namespace's ServiceAccount joins its subjects.
      const existing = (await admin.must('GET', `${collection}/${doc.metadata.name}`)) as KubeObject;
      const subjects = [...((existing.subjects as unknown[]) ?? []), ...((doc.subjects as unknown[]) ?? [])];
      const unique = [...new Map(subjects.map((x) => [JSON.stringify(x), x])).values()];
      await admin.must('PUT', `${collection}/${doc.metadata.name}`, { ...existing, subjects: unique });
    } else if (created.status >= 400 && created.status !== 409)
      // 409 on the others: applied by an earlier call for this namespace (each call still gets a fresh token).
      throw new Error(`${manifestFile}: creating ${doc.kind} ${doc.metadata.name}: ${created.status}`);
  }
  if (!account) throw new Error(`${manifestFile}: no ServiceAccount`);
  const answer = (await admin.must(
    'POST',
    `/api/v1/namespaces/${namespace}/serviceaccounts/${account}/token`,
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 3600 },
    },
  )) as { status: { token: string } };
  const auth: KubeconfigAuth = {
    user: { token: answer.status.token },
    ...(cluster.auth.certificateAuthorityData
      ? { certificateAuthorityData: cluster.auth.certificateAuthorityData }
      : {}),
  };
  await writeFile(path, kubeconfigText(cluster.apiServer, auth), { mode: 0o600 });
  return path;
}
