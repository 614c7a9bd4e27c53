import { type GitHubClient, httpStatus, type RepoRef, retryOnConflict } from './client.js';

/**
 * JSON documents kept on a dedicated branch of the repository (default `scalegate-history`).
 * Chosen over workflow artifacts because artifacts expire (90 days by default) and must be found by paging through
 * earlier runs, while a branch is durable, reviewable in the UI and read with one call per document.
 */
export interface BranchStore {
  read<T>(path: string): Promise<{ value: T; sha: string } | undefined>;
  /** Read-modify-write with optimistic concurrency: a concurrent writer makes it re-read and re-apply `change`. */
  update<T>(path: string, change: (current: T | undefined) => T, message: string): Promise<T>;
}

export function branchStore(github: GitHubClient, repo: RepoRef, branch = 'scalegate-history'): BranchStore {
  async function read<T>(path: string): Promise<{ value: T; sha: string } | undefined> {
    try {
      const { data } = await github.rest.repos.getContent({ ...repo, path, ref: branch });
      if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
        throw new Error(`${branch}:${path} is not a file`);
      }
      return { value: JSON.parse(Buffer.from(data.content, 'base64').toString('utf8')) as T, sha: data.sha };
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw error;
    }
  }

  /** Creates the branch with no history of its own, so it never mixes with the code's branches. */
  async function createBranch(): Promise<void> {
    const { data: tree } = await github.rest.git.createTree({
      ...repo,
      tree: [
        {
          path: 'README.md',
          mode: '100644',
          type: 'blob',
          content:
            '# scalegate history\n\nWritten by scalegate workflows: scaling-regression runs and verification evidence.\n',
        },
      ],
    });
    const { data: commit } = await github.rest.git.createCommit({
      ...repo,
      message: 'scalegate: start the history branch',
      tree: tree.sha,
      parents: [],
    });
    await github.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha: commit.sha });
  }

  async function branchExists(): Promise<boolean> {
    try {
      await github.rest.git.getRef({ ...repo, ref: `heads/${branch}` });
      return true;
    } catch (error) {
      if (httpStatus(error) === 404) return false;
      throw error;
    }
  }

  async function update<T>(path: string, change: (current: T | undefined) => T, message: string): Promise<T> {
    if (!(await branchExists())) await createBranch();
    // 409: the branch moved; 422 without sha: someone created the file first. Both mean: re-read and re-apply.
    return retryOnConflict(async () => {
      const current = await read<T>(path);
      const next = change(current?.value);
      await github.rest.repos.createOrUpdateFileContents({
        ...repo,
        path,
        branch,
        message,
        content: Buffer.from(`${JSON.stringify(next, null, 2)}\n`).toString('base64'),
        ...(current ? { sha: current.sha } : {}),
      });
      return next;
    }, [409, 422]);
  }

  return { read, update };
}
