/**
 * The GitHub and cluster sides of GitOps delivery: commit a track's manifests through the Git data API (or a pull
 * request), and wait until the cluster runs exactly the revision committed.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Deployment } from '@kubernetes/client-node';
import { type GitHubClient, httpStatus, type RepoRef, retryOnConflict } from '../github/client.js';
import { commitChanges, createBranch, type TreeChange } from '../github/git-data.js';
import { capText, githubLimits } from '../github/limits.js';
import type { KubeClient } from '../kube/client.js';
import { annotations } from '../kube/labels.js';
import { deploymentRef } from '../kube/object.js';
import { rolloutState } from '../kube/rollout-status.js';
import { ScalegateError } from '../util/errors.js';
import { ExitCode } from '../util/exit-codes.js';

/** Where an environment's manifests live in the repository Argo CD or Flux syncs from. */
export interface GitOpsTarget {
  repo: RepoRef;
  /** The branch the sync tool watches. */
  branch: string;
  /** Folder (no leading or trailing slash) holding this environment's rendered manifests. */
  path: string;
  /** Open (or update) a pull request instead of pushing to `branch`. */
  requireReview: boolean;
  environment: string;
}

export interface ManifestFile {
  /** File name inside the folder. */
  name: string;
  content: string;
}

export interface CommitResult {
  /** The commit holding the manifests (the branch head when nothing changed). */
  commit: string;
  changed: boolean;
  pullRequest?: { number: number; url: string };
}

/** Git's blob id of a text: lets an unchanged manifest cost no API call and no empty commit. */
export function gitBlobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** What one commit changes in the environment's folder: files written, and file names removed. */
export interface FolderChange {
  write: ManifestFile[];
  remove?: string[];
}

/**
 * Path → blob id of the files in `target.path` at commit `base`. One recursive tree listing answers for most
 * repositories; GitHub cuts that listing short (`truncated: true`, past 100,000 entries or 7 MB), and then the folder
 * itself is listed through the contents API (which lists up to 1,000 files per folder), so a large monorepo never
 * has its manifests taken as missing.
 */
async function folderBlobs(
  github: GitHubClient,
  target: GitOpsTarget,
  base: { sha: string; tree: string },
): Promise<Map<string, string>> {
  const { repo, path } = target;
  const { data: tree } = await github.rest.git.getTree({ ...repo, tree_sha: base.tree, recursive: 'true' });
  if (!tree.truncated) {
    const inFolder = tree.tree.filter((e) => e.type === 'blob' && e.path?.startsWith(`${path}/`));
    return new Map(inFolder.map((e) => [e.path!, e.sha!]));
  }
  try {
    const { data } = await github.rest.repos.getContent({ ...repo, path, ref: base.sha });
    if (!Array.isArray(data)) throw new Error(`${path} is a file in ${target.branch}, not a folder`);
    return new Map(data.filter((e) => e.type === 'file').map((e) => [e.path, e.sha]));
  } catch (error) {
    if (httpStatus(error) === 404) return new Map();
    throw error;
  }
}

async function buildCommit(
  github: GitHubClient,
  target: GitOpsTarget,
  change: FolderChange,
  message: string,
  baseSha: string,
): Promise<{ sha: string; changed: boolean }> {
  const { repo } = target;
  const { data: commit } = await github.rest.git.getCommit({ ...repo, commit_sha: baseSha });
  const base = { sha: baseSha, tree: commit.tree.sha };
  const existing = await folderBlobs(github, target, base);
  const changes: TreeChange[] = [];
  for (const file of change.write) {
    const path = `${target.path}/${file.name}`;
    if (existing.get(path) === gitBlobSha(file.content)) continue;
    const { data: blob } = await github.rest.git.createBlob({
      ...repo,
      content: file.content,
      encoding: 'utf-8',
    });
    changes.push({ path, sha: blob.sha });
  }
  for (const name of change.remove ?? []) {
    const path = `${target.path}/${name}`;
    if (existing.has(path)) changes.push({ path, sha: null });
  }
  if (changes.length === 0) return { sha: baseSha, changed: false };
  return { sha: await commitChanges(github, repo, base, changes, message), changed: true };
}

/**
 * Points the review branch at `sha`, creating it when missing. Forced: it holds only scalegate's latest commit on
 * top of the target branch. Another run may create it between the two calls; then the update is made again.
 */
async function pointReviewBranch(
  github: GitHubClient,
  repo: RepoRef,
  branch: string,
  sha: string,
): Promise<void> {
  const force = () => github.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha, force: true });
  try {
    await force();
    return;
  } catch (error) {
    if (httpStatus(error) !== 422 && httpStatus(error) !== 404) throw error;
  }
  if (!(await createBranch(github, repo, branch, sha))) await force();
}

/** The open pull request from `head` into the target branch, opened when there is none (once, even when two runs race). */
async function reviewPullRequest(
  github: GitHubClient,
  target: GitOpsTarget,
  head: string,
  message: string,
): Promise<{ number: number; html_url: string }> {
  const { repo } = target;
  const open = async () =>
    (
      await github.rest.pulls.list({
        ...repo,
        state: 'open',
        head: `${repo.owner}:${head}`,
        base: target.branch,
      })
    ).data[0];
  const found = await open();
  if (found) return found;
  try {
    const { data } = await github.rest.pulls.create({
      ...repo,
      head,
      base: target.branch,
      title: capText(`scalegate: deploy ${target.environment}`, githubLimits.title),
      body: capText(
        `Rendered manifests for environment \`${target.environment}\` (folder \`${target.path}\`).\n\n${message}`,
        githubLimits.body,
      ),
    });
    return data;
  } catch (error) {
    // 422 "A pull request already exists": another run opened it since the list.
    const opened = httpStatus(error) === 422 ? await open() : undefined;
    if (!opened) throw error;
    return opened;
  }
}

/**
 * Commits manifests into `target.path` through the Git data API (blobs, tree, commit, ref): pushed to
 * `target.branch`, or, when review is required, to `scalegate/<environment>` with a pull request against
 * `target.branch` (opened once, updated by later commits). Unchanged content makes no commit. A branch that moved
 * meanwhile (the ref update is not a fast-forward) is re-read and the commit rebuilt.
 */
export async function commitManifests(
  github: GitHubClient,
  target: GitOpsTarget,
  change: FolderChange,
  message: string,
): Promise<CommitResult> {
  const { repo } = target;
  // A moved target branch refuses the fast-forward (422): the commit is rebuilt on its new head.
  return retryOnConflict(async (): Promise<CommitResult> => {
    const { data: ref } = await github.rest.git.getRef({ ...repo, ref: `heads/${target.branch}` });
    const built = await buildCommit(github, target, change, message, ref.object.sha);
    if (!built.changed) return { commit: built.sha, changed: false };
    if (!target.requireReview) {
      await github.rest.git.updateRef({
        ...repo,
        ref: `heads/${target.branch}`,
        sha: built.sha,
        force: false,
      });
      return { commit: built.sha, changed: true };
    }
    const head = `scalegate/${target.environment}`;
    await pointReviewBranch(github, repo, head, built.sha);
    const pr = await reviewPullRequest(github, target, head, message);
    return { commit: built.sha, changed: true, pullRequest: { number: pr.number, url: pr.html_url } };
  }, [422]);
}

/** The revision a GitOps deploy waits for: what the Deployment's pod template must carry. */
export interface Revision {
  image: string;
  gitSha?: string;
}

/** True when the Deployment's template carries exactly `revision` and its rollout is complete. */
export function runsRevision(deployment: V1Deployment | undefined, revision: Revision): boolean {
  const marks = deployment?.spec?.template?.metadata?.annotations ?? {};
  if (marks[annotations.image] !== revision.image) return false;
  if (revision.gitSha !== undefined && marks[annotations.gitSha] !== revision.gitSha) return false;
  return rolloutState(deployment!).phase === 'done';
}

/**
 * Waits until the cluster runs exactly `revision` in Deployment `name` (Argo CD or Flux synced it and the rollout
 * finished), polling: the sync tool may create the Deployment, so there may be nothing to watch yet.
 */
export async function waitForRevision(
  client: KubeClient,
  namespace: string,
  name: string,
  revision: Revision,
  options: { timeoutMs: number; pollMs?: number; signal?: AbortSignal; log?: (line: string) => void },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    const deployment = await client.read<V1Deployment>(deploymentRef(namespace, name));
    if (runsRevision(deployment, revision)) return;
    const state = deployment ? rolloutState(deployment) : undefined;
    if (state?.phase === 'failed')
      throw new ScalegateError(`deployment "${name}": ${state.message}`, ExitCode.failed);
    const seen = deployment?.spec?.template?.metadata?.annotations?.[annotations.image] ?? 'nothing';
    const line = `waiting for ${namespace}/${name} to run ${revision.image}${revision.gitSha ? ` @ ${revision.gitSha}` : ''} (runs ${seen})`;
    if (line !== last) options.log?.(line);
    last = line;
    if (Date.now() >= deadline)
      throw new ScalegateError(
        `deployment ${namespace}/${name} did not reach ${revision.image} within ${Math.round(options.timeoutMs / 1000)}s (runs ${seen}); is the GitOps sync running?`,
        1,
      );
    await sleep(options.pollMs ?? 2000, undefined, options.signal ? { signal: options.signal } : undefined);
  }
}
