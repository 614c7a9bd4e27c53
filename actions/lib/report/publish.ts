/**
 * Puts a report where reviewers see it: the one sticky comment of the pull request and environment, and a check
 * run on the commit with annotations on the lines that define the failing gates.
 */

import type { Verdict } from '../gates/verdict.js';
import type { CheckAnnotation } from '../github/check-run.js';
import { publishCheckRun } from '../github/check-run.js';
import type { GitHubClient, RepoRef } from '../github/client.js';
import { upsertStickyComment } from '../github/sticky-comment.js';
import { isPermissionError } from './run-context.js';

export interface PublishInput {
  environment: string;
  verdict: Verdict;
  /** The report in Markdown, already within GitHub's size limits. */
  markdown: string;
  pullRequest?: number;
  checkRun?: { name: string; headSha: string; annotations: CheckAnnotation[]; detailsUrl?: string };
}

export interface PublishResult {
  comment?: { url: string; created: boolean };
  checkRunId?: number;
  /** What could not be written and why (a fork's read-only token), for a warning rather than a failed step. */
  skipped: string[];
}

const conclusions = { pass: 'success', fail: 'failure', inconclusive: 'neutral' } as const;

export async function publishReport(
  github: GitHubClient,
  repo: RepoRef,
  input: PublishInput,
): Promise<PublishResult> {
  const result: PublishResult = { skipped: [] };
  const permitted = async (what: string, write: () => Promise<void>) => {
    try {
      await write();
    } catch (error) {
      if (!isPermissionError(error)) throw error;
      result.skipped.push(
        `${what}: the token may not write here (a fork's pull request gets a read-only token)`,
      );
    }
  };
  if (input.pullRequest !== undefined) {
    const issueNumber = input.pullRequest;
    await permitted('pull-request comment', async () => {
      const comment = await upsertStickyComment(github, {
        ...repo,
        issueNumber,
        environment: input.environment,
        body: input.markdown,
      });
      result.comment = { url: comment.url, created: comment.created };
    });
  }
  const check = input.checkRun;
  if (check) {
    await permitted('check run', async () => {
      const run = await publishCheckRun(github, repo, {
        name: check.name,
        headSha: check.headSha,
        conclusion: conclusions[input.verdict.status],
        title: input.verdict.summary.slice(0, 250),
        summary: input.markdown,
        annotations: check.annotations,
        ...(check.detailsUrl ? { detailsUrl: check.detailsUrl } : {}),
      });
      result.checkRunId = run.id;
    });
  }
  return result;
}
