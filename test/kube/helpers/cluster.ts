import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeClient } from '../../../actions/lib/kube/client.js';
import { loadKubeConfig } from '../../../actions/lib/kube/config.js';
import { ciServiceAccountManifest } from '../../../cli/demo/local-stack.js';
import { type RunningCluster, startCluster } from '../../../simulator/cluster.js';
import { kubeconfigText } from '../../../simulator/kubeconfig.js';
import { type FaultProxy, startFaultProxy, type Upstream } from './fault-proxy.js';

/** The local cluster behind a fault-injecting, recording proxy, with a kubeconfig and a client for the proxy. */
export interface TestCluster {
  cluster: RunningCluster;
  proxy: FaultProxy;
  /** kubeconfig whose server is the proxy, with the cluster admin's rights (the proxy presents them upstream). */
  kubeconfig: string;
  /** A client of the proxy with the admin's rights. */
  client(namespace?: string): KubeClient;
  /**
   * A kubeconfig for scalegate in `namespace`, through the proxy: on the real control plane it holds the token of
   * the scalegate-ci ServiceAccount (manifests/rbac/scalegate-ci.yaml, bound in `namespace`, which it creates),
   * so real RBAC decides; the built-in one authorizes everybody, and it is `kubeconfig`.
   */
  scalegateKubeconfig(namespace: string): Promise<string>;
  stop(): Promise<void>;
}

const decoded = (base64?: string) => (base64 ? Buffer.from(base64, 'base64').toString('utf8') : undefined);

/** Where the proxy forwards to, with the CA and admin credentials of the cluster's own kubeconfig. */
function upstreamOf(cluster: RunningCluster): Upstream {
  const { config } = loadKubeConfig({ kubeconfig: cluster.kubeconfig });
  const user = config.getCurrentUser();
  return {
    url: cluster.apiServer,
    ca: decoded(config.getCurrentCluster()?.caData),
    cert: decoded(user?.certData),
    key: decoded(user?.keyData),
  };
}

export const testKubeClient = (kubeconfig: string, namespace = 'default') =>
  new KubeClient(loadKubeConfig({ kubeconfig }).config, {
    namespace,
    retry: { attempts: 6, baseDelayMs: 50, maxDelayMs: 500, maxRetryAfterMs: 2000 },
  });

/** Starts the cluster (built-in by default; the real control plane fails loudly when it is not built). */
export async function startTestCluster(
  options: Parameters<typeof startCluster>[0] = {},
): Promise<TestCluster> {
  const cluster = await startCluster({ profile: 'fast', ...options });
  let proxy: FaultProxy;
  try {
    proxy = await startFaultProxy(upstreamOf(cluster));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  const dir = join(cluster.kubeconfig, '..');
  const proxied = async (file: string, user: Record<string, string>) => {
    await writeFile(
      file,
      kubeconfigText(proxy.url, { user, certificateAuthorityData: proxy.certificateAuthorityData }),
      { mode: 0o600 },
    );
    return file;
  };
  // The built-in API server takes its local token; toward the real one the proxy presents the admin certificate.
  const kubeconfig = await proxied(
    join(dir, 'proxy-kubeconfig'),
    options.controlPlane === 'kubernetes' ? {} : { token: 'scalegate-local' },
  );
  return {
    cluster,
    proxy,
    kubeconfig,
    client: (namespace = 'default') => testKubeClient(kubeconfig, namespace),
    async scalegateKubeconfig(namespace) {
      if (!cluster.serviceAccountKubeconfig) return kubeconfig;
      const own = await cluster.serviceAccountKubeconfig(ciServiceAccountManifest, namespace);
      const token = loadKubeConfig({ kubeconfig: own }).config.getCurrentUser()?.token;
      if (!token) throw new Error(`${own}: no ServiceAccount token`);
      return proxied(join(dir, `proxy-${namespace}.kubeconfig`), { token });
    },
    async stop() {
      await proxy.stop();
      await cluster.stop();
    },
  };
}
