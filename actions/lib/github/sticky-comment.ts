import type { GitHubClient, RepoRef } from './client.js';
import { tokenAuthor, writtenBy } from './identity.js';
import { capText, githubLimits } from './limits.js';

/** The hidden marker that identifies scalegate's one comment per pull request and environment. */
export function stickyMarker(environment: string): string {
  return `<!-- scalegate-report environment=${environment} -->`;
}

/**
 * Creates or updates the one scalegate comment for this pull request and environment. The marker in the body finds
 * it again, so re-runs update in place and never stack duplicates; only a comment the token's own account wrote
 * counts, so anyone can quote the marker without their comment being overwritten (or taken for scalegate's).
 */
export async function upsertStickyComment(
  github: GitHubClient,
  target: RepoRef & { issueNumber: number; environment: string; body: string },
): Promise<{ id: number; created: boolean; url: string }> {
  const marker = stickyMarker(target.environment);
  const body = capText(`${marker}\n${target.body}`, githubLimits.body);
  const [author, comments] = await Promise.all([
    tokenAuthor(github),
    github.paginate(github.rest.issues.listComments, {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.issueNumber,
      per_page: 100,
    }),
  ]);
  const existing = comments.find((c) => c.body?.startsWith(marker) && writtenBy(author, c));
  if (existing) {
    const { data } = await github.rest.issues.updateComment({
      owner: target.owner,
      repo: target.repo,
      comment_id: existing.id,
      body,
    });
    return { id: data.id, created: false, url: data.html_url };
  }
  const { data } = await github.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    body,
  });
  return { id: data.id, created: true, url: data.html_url };
}
