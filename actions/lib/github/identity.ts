import { type GitHubClient, httpStatus } from './client.js';

/** The account a token writes as, as GitHub shows it in the `user` of what it wrote. */
export interface Author {
  id: number;
  login: string;
}

/** GITHUB_TOKEN is an installation token of the GitHub Actions app, which writes as this bot user. */
export const githubActionsBot: Author = { id: 41898282, login: 'github-actions[bot]' };

/**
 * Who the token writes as. GET /user names a user's token (personal or user-to-server). An installation token has no
 * user there (403 "Resource not accessible by integration"); GraphQL's `viewer` names its app's bot user, e.g.
 * `my-app[bot]`; failing that, it is the workflow's GITHUB_TOKEN, which GitHub documents as writing as
 * github-actions[bot].
 */
export async function tokenAuthor(github: GitHubClient): Promise<Author> {
  try {
    const { data } = await github.rest.users.getAuthenticated();
    return { id: data.id, login: data.login };
  } catch (error) {
    if (httpStatus(error) !== 403) throw error;
  }
  try {
    const { viewer } = await github.graphql<{ viewer: { login: string; databaseId: number } }>(
      'query { viewer { login databaseId } }',
    );
    return { id: viewer.databaseId, login: viewer.login };
  } catch {
    return githubActionsBot;
  }
}

/** Whether `author` wrote an issue comment (its `user`, which is null for a deleted account). */
export function writtenBy(author: Author, comment: { user?: { id: number } | null }): boolean {
  return comment.user?.id === author.id;
}
