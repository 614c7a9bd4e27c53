import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export const kubeconfigContext = 'scalegate-local';

/** A kubeconfig for the local cluster's plain-HTTP API server: one cluster, a token user, context `scalegate-local`. */
export function kubeconfigText(server: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: kubeconfigContext, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: kubeconfigContext, user: { token: 'scalegate-local' } }],
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

export async function writeKubeconfig(path: string, server: string): Promise<void> {
  await writeFile(path, kubeconfigText(server), { mode: 0o600 });
}
