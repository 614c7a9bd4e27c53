/** The local cluster and a folder of test environments that rollout tests share, started and removed around them. */
import { rm } from 'node:fs/promises';
import { after, before } from 'node:test';
import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { renderEnvironment } from '../../../actions/lib/render/index.js';
import { loadEnvironment } from '../../../actions/lib/settings/index.js';
import { startTestCluster, type TestCluster } from '../../kube/helpers/cluster.js';
import { type TestEnvironmentOptions, writeEnvironments } from './environment.js';

export interface RolloutTestbed {
  readonly cluster: TestCluster;
  /** The folder holding `environments/`. */
  readonly cwd: string;
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

/** Registers the before/after hooks of a test file and returns what its tests use. */
export function rolloutTestbed(envs: TestEnvironmentOptions[]): RolloutTestbed {
  let cluster: TestCluster | undefined;
  let cwd: string | undefined;
  before(async () => {
    cluster = await startTestCluster();
    cwd = await writeEnvironments(...envs);
  });
  after(async () => {
    await cluster?.stop();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });
  return {
    get cluster() {
      return cluster!;
    },
    get cwd() {
      return cwd!;
    },
    async rendered(name, track, image) {
      const loaded = await loadEnvironment(name, { cwd: cwd! });
      return { loaded, rendered: await renderEnvironment(loaded, { image, track, cwd: cwd! }) };
    },
    hpa(namespace, name) {
      return cluster!.client(namespace).read<V2HorizontalPodAutoscaler>({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name, namespace },
      });
    },
  };
}
