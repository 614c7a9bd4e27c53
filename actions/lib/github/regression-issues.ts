import type { Comparison, Finding } from '../regression/compare.js';
import type { GitHubClient, RepoRef } from './client.js';
import { capText, githubLimits } from './limits.js';

export const regressionLabel = 'scalegate-regression';

function marker(environment: string, f: Pick<Finding, 'stage' | 'metric'>): string {
  return `<!-- scalegate-regression environment=${environment} stage=${f.stage} metric=${f.metric} -->`;
}

function describe(f: Finding): string {
  const change =
    f.changePercent !== undefined
      ? ` (${f.changePercent >= 0 ? '+' : ''}${f.changePercent.toFixed(1)}%)`
      : '';
  return `${f.metric} in stage ${f.stage}: ${f.current}${change} against a baseline of ${f.baseline} — ${f.reason}`;
}

export interface RegressionIssueResult {
  opened: number[];
  updated: number[];
  closed: number[];
}

/**
 * Keeps one open, labelled issue per regressed figure (environment, stage, metric): opened on the first regressed
 * run, commented on while it lasts, closed by the first run in which that figure is back within its criterion.
 */
export async function syncRegressionIssues(
  github: GitHubClient,
  repo: RepoRef,
  input: { environment: string; comparison: Comparison; runUrl: string; sha: string },
): Promise<RegressionIssueResult> {
  const open = await github.paginate(github.rest.issues.listForRepo, {
    ...repo,
    state: 'open',
    labels: regressionLabel,
    per_page: 100,
  });
  const result: RegressionIssueResult = { opened: [], updated: [], closed: [] };
  const findIssue = (f: Pick<Finding, 'stage' | 'metric'>) =>
    open.find((i) => i.body?.includes(marker(input.environment, f)));

  for (const f of input.comparison.regressions) {
    const line = capText(`Run ${input.runUrl} (${input.sha.slice(0, 7)}): ${describe(f)}`, githubLimits.body);
    const issue = findIssue(f);
    if (issue) {
      await github.rest.issues.createComment({ ...repo, issue_number: issue.number, body: line });
      result.updated.push(issue.number);
    } else {
      const { data } = await github.rest.issues.create({
        ...repo,
        title: capText(
          `Scaling regression in ${input.environment}: ${f.metric} (${f.stage})`,
          githubLimits.title,
        ),
        labels: [regressionLabel],
        body: capText(
          `${marker(input.environment, f)}\nscalegate's scheduled scaling-regression run found a regression.\n\n${line}\n\nThis issue closes itself when a later run is back within ${f.criterion}.`,
          githubLimits.body,
        ),
      });
      result.opened.push(data.number);
    }
  }
  for (const f of input.comparison.findings.filter((x) => x.status === 'ok')) {
    const issue = findIssue(f);
    if (!issue) continue;
    await github.rest.issues.createComment({
      ...repo,
      issue_number: issue.number,
      body: capText(
        `Back within ${f.criterion} in run ${input.runUrl} (${input.sha.slice(0, 7)}): ${describe(f)}. Closing.`,
        githubLimits.body,
      ),
    });
    await github.rest.issues.update({
      ...repo,
      issue_number: issue.number,
      state: 'closed',
      state_reason: 'completed',
    });
    result.closed.push(issue.number);
  }
  return result;
}
