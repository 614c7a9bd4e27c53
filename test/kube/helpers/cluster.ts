import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeClient } from '../../../actions/lib/kube/client.js';
import { loadKubeConfig } from '../../../actions/lib/kube/config.js';
import { type RunningCluster, startCluster } from '../../../simulator/cluster.js';
import { kubeconfigText } from '../../../simulator/kubeconfig.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

/** The local cluster behind a fault-injecting, recording proxy, with a kubeconfig and a client for the proxy. */
export interface TestCluster {
  cluster: RunningCluster;
  proxy: FaultProxy;
  /** kubeconfig whose server is the proxy. */
  kubeconfig: string;
  client(namespace?: string): KubeClient;
  stop(): Promise<void>;
}

export async function startTestCluster(
  options: Parameters<typeof startCluster>[0] = {},
): Promise<TestCluster> {
  const cluster = await startCluster({ profile: 'fast', ...options });
  const proxy = await startFaultProxy(cluster.apiServer);
  const kubeconfig = join(cluster.kubeconfig, '..', 'proxy-kubeconfig');
  await writeFile(kubeconfig, kubeconfigText(proxy.url), { mode: 0o600 });
  return {
    cluster,
    proxy,
    kubeconfig,
    client: (namespace = 'default') =>
      new KubeClient(loadKubeConfig({ kubeconfig }).config, {
        namespace,
        retry: { attempts: 6, baseDelayMs: 50, maxDelayMs: 500, maxRetryAfterMs: 2000 },
      }),
    async stop() {
      await proxy.stop();
      await cluster.stop();
    },
  };
}
