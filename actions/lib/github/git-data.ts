import { setTimeout as sleep } from 'node:timers/promises';
import { type GitHubClient, httpStatus, type RepoRef } from './client.js';

/** One path in a commit: set to a blob, or removed (`sha: null`). */
export interface TreeChange {
  path: string;
  sha: string | null;
}

/** A new commit on top of `parent` with `changes` applied to its tree (Git data API: tree, then commit). */
export async function commitChanges(
  github: GitHubClient,
  repo: RepoRef,
  parent: { sha: string; tree: string },
  changes: TreeChange[],
  message: string,
): Promise<string> {
  const { data: tree } = await github.rest.git.createTree({
    ...repo,
    base_tree: parent.tree,
    tree: changes.map((c) => ({ path: c.path, mode: '100644' as const, type: 'blob' as const, sha: c.sha })),
  });
  const { data: commit } = await github.rest.git.createCommit({
    ...repo,
    message,
    tree: tree.sha,
    parents: [parent.sha],
  });
  return commit.sha;
}

/** True when `request` succeeded; false when GitHub refused it with 422, as it refuses a ref change that lost a race. */
async function unlessRefused(request: () => Promise<unknown>): Promise<boolean> {
  try {
    await request();
    return true;
  } catch (error) {
    if (httpStatus(error) === 422) return false;
    throw error;
  }
}

/** Moves `branch` to `sha` only forward; false when someone moved it meanwhile (GitHub: 422, not a fast forward). */
export function fastForward(
  github: GitHubClient,
  repo: RepoRef,
  branch: string,
  sha: string,
): Promise<boolean> {
  return unlessRefused(() =>
    github.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha, force: false }),
  );
}

/** Creates `branch` at `sha`; false when it exists already (422 "Reference already exists"): another run made it. */
export function createBranch(
  github: GitHubClient,
  repo: RepoRef,
  branch: string,
  sha: string,
): Promise<boolean> {
  return unlessRefused(() => github.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha }));
}

/** Attempts before a branch that keeps moving under us is reported rather than retried. */
const attempts = 8;

/**
 * Runs `attempt` until it lands (returns a value): each try re-reads the branch and re-applies the change, so a
 * concurrent writer's commit is kept, never overwritten. A short random pause between tries lets racing runs
 * fall out of step.
 */
export async function untilLanded<T>(what: string, attempt: () => Promise<T | undefined>): Promise<T> {
  for (let n = 1; n <= attempts; n++) {
    const landed = await attempt();
    if (landed !== undefined) return landed;
    if (n < attempts) await sleep(Math.random() * 200 * n);
  }
  throw new Error(`${what}: the branch kept moving under ${attempts} attempts; try again`);
}
