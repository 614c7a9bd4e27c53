import type { KubernetesObject } from '@kubernetes/client-node';
import { createGitHubClient, parseRepository } from '../github/client.js';
import type { KubeClient } from '../kube/client.js';
import { renderEnvironment } from '../render/index.js';
import { toDocuments } from '../render/output.js';
import type { KubeObject } from '../render/types.js';
import type { LoadedEnvironment } from '../settings/index.js';
import { ScalegateError } from '../util/errors.js';
import type { RenderedTrack } from './context.js';
import { commitManifests, type GitOpsTarget, waitForRevision } from './gitops.js';
import { canaryName } from './routers/index.js';
import type { RunInfo } from './trace.js';

/** How rendered objects reach the cluster when scalegate does not apply them itself. */
export interface Delivery {
  /** Makes the cluster run `objects` of `track`, and waits until the track's Deployment runs `image`. */
  deliver(track: 'stable' | 'canary', objects: KubernetesObject[], image: string): Promise<void>;
  /** Stops delivering the canary track (its manifests are removed from what is synced). */
  retireCanary(): Promise<void>;
  /** Renders a track again (promote: the stable track with the canary's image). */
  render(track: 'stable', image: string): Promise<RenderedTrack>;
}

export interface GitOpsDeliveryOptions {
  loaded: LoadedEnvironment;
  client: KubeClient;
  run: RunInfo;
  processEnv: NodeJS.ProcessEnv;
  cwd: string;
  timeoutMs: number;
  signal: AbortSignal;
  log: (line: string) => void;
}

/**
 * GitOps delivery: each track's rendered manifests are committed as `<path>/<track>.yaml` (a pull request when the
 * environment requires review); Argo CD or Flux syncs them; scalegate waits until the Deployment's pod template
 * carries exactly the image and git sha it committed, and its rollout is complete.
 */
export function gitopsDelivery(options: GitOpsDeliveryOptions): Delivery {
  const { loaded, processEnv } = options;
  const settings = loaded.settings.cluster?.delivery;
  if (settings?.mode !== 'gitops') throw new Error('gitopsDelivery needs cluster.delivery.mode gitops');
  const token = processEnv.GITHUB_TOKEN ?? '';
  if (!token)
    throw new ScalegateError(
      'GitOps delivery needs GITHUB_TOKEN (a token that can push to the repository)',
      2,
    );
  const github = createGitHubClient({
    token,
    ...(processEnv.GITHUB_API_URL ? { baseUrl: processEnv.GITHUB_API_URL } : {}),
    log: options.log,
  });
  let repo: GitOpsTarget['repo'];
  try {
    repo = parseRepository(processEnv.GITHUB_REPOSITORY);
  } catch (error) {
    throw new ScalegateError(`GitOps delivery: ${(error as Error).message}`, 2);
  }
  const target: GitOpsTarget = {
    repo,
    branch: settings.branch,
    path: settings.path.replace(/^\/+|\/+$/g, ''),
    requireReview: settings.requireReview ?? true,
    environment: loaded.name,
  };
  const { namespace, name: service } = loaded.settings.service;
  return {
    async deliver(track, objects, image) {
      const result = await commitManifests(
        github,
        target,
        { write: [{ name: `${track}.yaml`, content: toDocuments(objects as KubeObject[]) }] },
        `scalegate: ${loaded.name} ${track} ${image}${options.run.runUrl ? `\n\n${options.run.runUrl}` : ''}`,
      );
      const where = result.pullRequest
        ? `pull request ${result.pullRequest.url}`
        : `${target.branch}@${result.commit}`;
      options.log(`${result.changed ? 'committed' : 'unchanged'} ${target.path}/${track}.yaml: ${where}`);
      await waitForRevision(
        options.client,
        namespace,
        track === 'stable' ? service : canaryName(service),
        { image, ...(options.run.gitSha ? { gitSha: options.run.gitSha } : {}) },
        { timeoutMs: options.timeoutMs, signal: options.signal, log: options.log },
      );
    },
    async retireCanary() {
      const result = await commitManifests(
        github,
        target,
        { write: [], remove: ['canary.yaml'] },
        `scalegate: ${loaded.name} canary removed`,
      );
      if (result.changed) options.log(`removed ${target.path}/canary.yaml (${result.commit})`);
    },
    async render(track, image) {
      return renderEnvironment(loaded, { track, image, cwd: options.cwd });
    },
  };
}
