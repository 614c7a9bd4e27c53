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

/** Creates `branch` at `sha`; false when it exists already (422 "Reference already exists"): another run made it. */
export async function createBranch(
  github: GitHubClient,
  repo: RepoRef,
  branch: string,
  sha: string,
): Promise<boolean> {
  try {
    await github.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha });
    return true;
  } catch (error) {
    if (httpStatus(error) === 422) return false;
    throw error;
  }
}
