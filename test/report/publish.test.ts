import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGitHubClient, type GitHubClient } from '../../actions/lib/github/client.js';
import { stickyMarker } from '../../actions/lib/github/sticky-comment.js';
import { publishReport } from '../../actions/lib/report/publish.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';
import { sampleVerdict } from './report-fixtures.js';

const repo = { owner: 'acme', repo: 'shop' };
let fake: FakeGitHub;
let github: GitHubClient;

before(async () => {
  fake = await startFakeGitHub();
  github = createGitHubClient({ token: 'ghs_report', baseUrl: fake.url, pacing: false });
});
after(() => fake.close());

describe('publishing a report', () => {
  const checkRun = {
    name: 'scalegate (staging)',
    headSha: 'c'.repeat(40),
    annotations: [
      {
        path: 'environments/staging.yaml',
        startLine: 8,
        level: 'failure' as const,
        title: 'p95',
        message: 'slow',
      },
    ],
  };

  it('updates the one comment of the PR and environment on a re-run and publishes a failed check run', async () => {
    const input = {
      environment: 'staging',
      verdict: sampleVerdict(),
      markdown: 'report 1',
      pullRequest: 12,
      checkRun,
    };
    const first = await publishReport(github, repo, input);
    const second = await publishReport(github, repo, { ...input, markdown: 'report 2' });
    assert.equal(first.comment?.created, true);
    assert.equal(second.comment?.created, false);
    assert.deepEqual(
      fake.comments.filter((c) => c.issue === 12).map((c) => c.body),
      [`${stickyMarker('staging')}\nreport 2`],
    );
    const run = fake.checkRuns.find((r) => r.id === second.checkRunId)!;
    assert.equal(run.conclusion, 'failure');
    assert.equal(run.head_sha, 'c'.repeat(40));
    assert.deepEqual((run.output as { annotations: unknown[] }).annotations, [
      {
        path: 'environments/staging.yaml',
        start_line: 8,
        end_line: 8,
        annotation_level: 'failure',
        title: 'p95',
        message: 'slow',
      },
    ]);
    assert.deepEqual(second.skipped, []);
  });

  it("skips with a reason, not an error, what a fork's read-only token may not write", async () => {
    fake.failNext('POST', /\/issues\/13\/comments$/, 403);
    fake.failNext('POST', /\/check-runs$/, 403);
    const result = await publishReport(github, repo, {
      environment: 'staging',
      verdict: sampleVerdict(),
      markdown: 'fork report',
      pullRequest: 13,
      checkRun,
    });
    assert.equal(result.comment, undefined);
    assert.equal(result.checkRunId, undefined);
    assert.deepEqual(result.skipped, [
      "pull-request comment: the token may not write here (a fork's pull request gets a read-only token)",
      "check run: the token may not write here (a fork's pull request gets a read-only token)",
    ]);
  });

  it('fails on other errors (a fault never passes silently)', async () => {
    fake.failNext('GET', /\/issues\/14\/comments$/, 401);
    await assert.rejects(
      publishReport(github, repo, {
        environment: 'staging',
        verdict: sampleVerdict(),
        markdown: 'x',
        pullRequest: 14,
      }),
      (error: { status?: number }) => error.status === 401,
    );
  });
});
