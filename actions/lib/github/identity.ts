import { type GitHubClient, httpStatus } from './client.js';

/** The account a token writes as, as GitHub shows it in the `user` of what it wrote. */
export interface Author {
  id: number;
  login: string;
}

/** GITHUB_TOKEN is an installation token of the GitHub Actions app, which writes as this bot user. */
export const githubActionsBot: Author = { id: 41898282, login: 'github-actions[bot]' };

/**
 * Who the token writes as: GET /user names a user's token (personal or user-to-server); an installation token has
 * no user (403 "Resource not accessible by integration"), and the workflow's GITHUB_TOKEN writes as
 * github-actions[bot].
 */
export async function tokenAuthor(github: GitHubClient): Promise<Author> {
  try {
    const { data } = await github.rest.users.getAuthenticated();
    return { id: data.id, login: data.login };
  } catch (error) {
    if (httpStatus(error) === 403) return githubActionsBot;
    throw error;
  }
}

/** Whether `author` wrote an issue comment (its `user`, which is null for a deleted account). */
export function writtenBy(author: Author, comment: { user?: { id: number } | null }): boolean {
  return comment.user?.id === author.id;
}
