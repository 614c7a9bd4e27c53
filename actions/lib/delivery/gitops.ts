/**
 * gitops delivery: each track's rendered manifests are committed as `<path>/<track>.yaml` (a pull request when the
 * environment requires review); Argo CD or Flux syncs them; scalegate waits until the Deployment's pod template
 * carries exactly the image and git sha it committed, and its rollout is complete. The repository is the truth, so
 * a promotion or its rollback commits the stable rendered again with the image it must run.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { createGitHubClient, parseRepository } from '../github/client.js';
import { describe } from '../kube/client.js';
import type { KubeObject } from '../kube/object.js';
import { toDocuments } from '../render/output.js';
import { ScalegateError } from '../util/errors.js';
import { type Delivery, type DeliveryOptions, type DeliveryScope, trackDeployment } from './delivery.js';
import { commitManifests, type GitOpsTarget, waitForRevision } from './gitops-commit.js';

export function gitopsDelivery(options: DeliveryOptions): Delivery {
  const { environment, settings, processEnv, run } = options;
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
    environment,
  };

  async function commitTrack(
    scope: DeliveryScope,
    track: 'stable' | 'canary',
    objects: KubernetesObject[],
    image: string,
  ) {
    const result = await commitManifests(
      github,
      target,
      { write: [{ name: `${track}.yaml`, content: toDocuments(objects as KubeObject[]) }] },
      `scalegate: ${environment} ${track} ${image}${run.runUrl ? `\n\n${run.runUrl}` : ''}`,
    );
    const where = result.pullRequest
      ? `pull request ${result.pullRequest.url}`
      : `${target.branch}@${result.commit}`;
    scope.log(`${result.changed ? 'committed' : 'unchanged'} ${target.path}/${track}.yaml: ${where}`);
  }

  return {
    async deliver(scope, track, objects, image) {
      await commitTrack(scope, track, objects, image);
      // The sync tool applies and prunes: scalegate only knows what it committed.
      return { applied: objects.map(describe), pruned: [], createdNamespace: false };
    },
    awaitTrack(scope, track, image) {
      return waitForRevision(
        scope.client,
        scope.target.namespace,
        trackDeployment(scope, track),
        { image, ...(run.gitSha ? { gitSha: run.gitSha } : {}) },
        { timeoutMs: scope.rolloutTimeoutMs, signal: scope.signal, log: scope.log },
      );
    },
    async promoteStable(scope, { image }) {
      await commitTrack(scope, 'stable', await options.renderStable(image), image);
    },
    async restoreStable(scope, previous) {
      await commitTrack(scope, 'stable', await options.renderStable(previous.image), previous.image);
    },
    async retireCanary(scope) {
      const result = await commitManifests(
        github,
        target,
        { write: [], remove: ['canary.yaml'] },
        `scalegate: ${environment} canary removed`,
      );
      if (result.changed) scope.log(`removed ${target.path}/canary.yaml (${result.commit})`);
    },
  };
}
