/** The local cluster and a folder of test environments that rollout tests share, started and removed around them. */
import { rm } from 'node:fs/promises';
import { after, before } from 'node:test';
import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { KubeClient } from '../../../actions/lib/kube/client.js';
import { renderEnvironment } from '../../../actions/lib/render/index.js';
import { loadEnvironment } from '../../../actions/lib/settings/index.js';
import type { ControlPlaneKind } from '../../../simulator/cluster.js';
import { startTestCluster, type TestCluster, testKubeClient } from '../../kube/helpers/cluster.js';
import { type TestEnvironmentOptions, writeEnvironments } from './environment.js';

export interface RolloutTestbed {
  readonly cluster: TestCluster;
  /** The folder holding `environments/`. */
  readonly cwd: string;
  /** scalegate's kubeconfig for one of the environments' namespaces (on the real control plane, scalegate-ci's). */
  kubeconfig(namespace: string): string;
  /** scalegate's client in one of the environments' namespaces (on the real control plane, as scalegate-ci). */
  client(namespace: string): KubeClient;
  /** One track of an environment, rendered with `image`, and the loaded environment. */
  rendered(
    name: string,
    track: 'stable' | 'canary',
    image: string,
  ): Promise<{
    loaded: Awaited<ReturnType<typeof loadEnvironment>>;
    rendered: Awaited<ReturnType<typeof renderEnvironment>>;
  }>;
  hpa(namespace: string, name: string): Promise<V2HorizontalPodAutoscaler | undefined>;
}

/**
 * Registers the before/after hooks of a test suite (one cluster of `controlPlane` for all its tests, a namespace
 * per environment) and returns what its tests use.
 */
export function rolloutTestbed(
  controlPlane: ControlPlaneKind,
  envs: TestEnvironmentOptions[],
): RolloutTestbed {
  let cluster: TestCluster | undefined;
  let cwd: string | undefined;
  const kubeconfigs = new Map<string, string>();
  before(async () => {
    cluster = await startTestCluster({ controlPlane });
    cwd = await writeEnvironments(...envs);
    for (const namespace of new Set(envs.map((e) => e.namespace)))
      kubeconfigs.set(namespace, await cluster.scalegateKubeconfig(namespace));
  });
  after(async () => {
    await cluster?.stop();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });
  const kubeconfig = (namespace: string) => {
    const file = kubeconfigs.get(namespace);
    if (!file) throw new Error(`no test environment has namespace ${namespace}`);
    return file;
  };
  const client = (namespace: string) => testKubeClient(kubeconfig(namespace), namespace);
  return {
    get cluster() {
      return cluster!;
    },
    get cwd() {
      return cwd!;
    },
    kubeconfig,
    client,
    async rendered(name, track, image) {
      const loaded = await loadEnvironment(name, { cwd: cwd! });
      return { loaded, rendered: await renderEnvironment(loaded, { image, track, cwd: cwd! }) };
    },
    hpa(namespace, name) {
      return client(namespace).read<V2HorizontalPodAutoscaler>({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name, namespace },
      });
    },
  };
}
