import { type GitHubClient, httpStatus, type RepoRef, retryOnConflict } from './client.js';
import { commitChanges, createBranch } from './git-data.js';

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

/** Runs writing one document at the same moment that every write still lands through (each retry re-reads). */
const concurrentWriters = 8;

export function branchStore(github: GitHubClient, repo: RepoRef, branch = 'scalegate-history'): BranchStore {
  /**
   * The document at `ref` (the branch, or one of its commits). The contents API carries a file's content only up to
   * 1 MB; a larger one comes with encoding "none" and no content, and is read by its blob id through the blobs API
   * (up to 100 MB), so a history that grew past 1 MB stays readable.
   */
  async function readAt<T>(path: string, ref: string): Promise<{ value: T; sha: string } | undefined> {
    let file: { type: string; sha: string; encoding?: string; content?: string };
    try {
      const { data } = await github.rest.repos.getContent({ ...repo, path, ref });
      if (Array.isArray(data)) throw new Error(`${branch}:${path} is a folder, not a document`);
      file = data;
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw error;
    }
    if (file.type !== 'file') throw new Error(`${branch}:${path} is not a file`);
    let [content, encoding] = [file.content ?? '', file.encoding];
    if (encoding !== 'base64') {
      const { data: blob } = await github.rest.git.getBlob({ ...repo, file_sha: file.sha });
      [content, encoding] = [blob.content, blob.encoding];
    }
    const text = Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
    return { value: JSON.parse(text) as T, sha: file.sha };
  }

  /** The branch's head commit and its tree, or undefined when the branch does not exist yet. */
  async function head(): Promise<{ sha: string; tree: string } | undefined> {
    let sha: string;
    try {
      sha = (await github.rest.git.getRef({ ...repo, ref: `heads/${branch}` })).data.object.sha;
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw error;
    }
    const { data: commit } = await github.rest.git.getCommit({ ...repo, commit_sha: sha });
    return { sha, tree: commit.tree.sha };
  }

  /**
   * Starts the branch with no history of its own, so it never mixes with the code's branches. Two runs may both
   * find it missing: the second one's "Reference already exists" means the branch is there, which is all it needs.
   */
  async function start(): Promise<void> {
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
    await createBranch(github, repo, branch, commit.sha);
  }

  /**
   * Writes through the Git data API (blob, tree, commit, then a fast-forward of the branch): a blob takes up to
   * 100 MB, and a branch moved by another run meanwhile is refused, so the change is re-applied to what that run
   * wrote instead of overwriting it.
   */
  async function update<T>(path: string, change: (current: T | undefined) => T, message: string): Promise<T> {
    // A branch another run moved meanwhile refuses the fast-forward (422): re-read, re-apply, try again.
    return retryOnConflict(
      async () => {
        let parent = await head();
        if (!parent) {
          await start();
          parent = await head();
        }
        if (!parent) throw new Error(`branch ${branch} disappeared while writing ${path}`);
        const next = change((await readAt<T>(path, parent.sha))?.value);
        const { data: blob } = await github.rest.git.createBlob({
          ...repo,
          content: Buffer.from(`${JSON.stringify(next, null, 2)}\n`).toString('base64'),
          encoding: 'base64',
        });
        const commit = await commitChanges(github, repo, parent, [{ path, sha: blob.sha }], message);
        await github.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha: commit, force: false });
        return next;
      },
      [422],
      concurrentWriters + 1,
    );
  }

  return { read: (path) => readAt(path, branch), update };
}
