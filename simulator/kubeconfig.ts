import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export const kubeconfigContext = 'scalegate-local';

/** How the kubeconfig's user authenticates, and the CA that serves the API (absent: plain HTTP, no TLS check). */
export interface KubeconfigAuth {
  user: Record<string, string>;
  certificateAuthorityData?: string;
}

const localToken: KubeconfigAuth = { user: { token: 'scalegate-local' } };

/** A kubeconfig for the local cluster: one cluster, one user, context `scalegate-local`. */
export function kubeconfigText(server: string, auth: KubeconfigAuth = localToken): string {
  const cluster = auth.certificateAuthorityData
    ? { server, 'certificate-authority-data': auth.certificateAuthorityData }
    : { server, 'insecure-skip-tls-verify': true };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: kubeconfigContext, cluster }],
    users: [{ name: kubeconfigContext, user: auth.user }],
    contexts: [
      {
        name: kubeconfigContext,
        context: { cluster: kubeconfigContext, user: kubeconfigContext, namespace: 'default' },
      },
    ],
    'current-context': kubeconfigContext,
    preferences: {},
  });
}

export async function writeKubeconfig(path: string, server: string, auth?: KubeconfigAuth): Promise<void> {
  await writeFile(path, kubeconfigText(server, auth), { mode: 0o600 });
}
