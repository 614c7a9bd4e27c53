import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { branchStore } from '../../actions/lib/github/branch-store.js';
import { publishCheckRun } from '../../actions/lib/github/check-run.js';
import { createGitHubClient, type GitHubClient, parseRepository } from '../../actions/lib/github/client.js';
import { createDeployment, setDeploymentStatus } from '../../actions/lib/github/deployments.js';
import { recordVerification, requirePassingVerification } from '../../actions/lib/github/evidence.js';
import { regressionLabel, syncRegressionIssues } from '../../actions/lib/github/regression-issues.js';
import { stickyMarker, upsertStickyComment } from '../../actions/lib/github/sticky-comment.js';
import type { Comparison, Finding } from '../../actions/lib/regression/compare.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';

const repo = { owner: 'acme', repo: 'shop' };
let fake: FakeGitHub;
let github: GitHubClient;
const masked: string[] = [];

before(async () => {
  fake = await startFakeGitHub();
  github = createGitHubClient({
    token: 'ghs_secret',
    baseUrl: fake.url,
    maskSecret: (s) => masked.push(s),
    pacing: false,
  });
});
after(() => fake.close());

describe('GitHub client', () => {
  it('masks the token before any request and parses GITHUB_REPOSITORY', () => {
    assert.deepEqual(masked, ['ghs_secret']);
    assert.deepEqual(parseRepository('acme/shop'), repo);
    assert.throws(() => parseRepository('acme'), /owner\/name/);
    assert.throws(() => createGitHubClient({ token: '' }), /token is required/);
  });
});

describe('sticky pull-request comment', () => {
  it('creates one comment per PR and environment, then updates it in place', async () => {
    const first = await upsertStickyComment(github, {
      ...repo,
      issueNumber: 7,
      environment: 'staging',
      body: 'run 1',
    });
    const second = await upsertStickyComment(github, {
      ...repo,
      issueNumber: 7,
      environment: 'staging',
      body: 'run 2',
    });
    const other = await upsertStickyComment(github, {
      ...repo,
      issueNumber: 7,
      environment: 'prod',
      body: 'prod run',
    });
    assert.equal(first.created, true);
    assert.equal(second.created, false);
    assert.equal(second.id, first.id);
    assert.notEqual(other.id, first.id);
    const onPr = fake.comments.filter((c) => c.issue === 7);
    assert.equal(onPr.length, 2);
    assert.equal(onPr.find((c) => c.id === first.id)?.body, `${stickyMarker('staging')}\nrun 2`);
    assert.deepEqual(
      fake.writes().filter((w) => w.includes('comments')),
      [
        'POST /repos/acme/shop/issues/7/comments',
        `PATCH /repos/acme/shop/issues/comments/${first.id}`,
        'POST /repos/acme/shop/issues/7/comments',
      ],
    );
  });
});

describe('check run', () => {
  it('publishes a completed run and sends annotations in batches of 50', async () => {
    const annotations = Array.from({ length: 60 }, (_, i) => ({
      path: 'environments/staging.yaml',
      startLine: i + 1,
      level: 'failure' as const,
      title: `gate ${i}`,
      message: 'p95 above 300ms',
    }));
    const run = await publishCheckRun(github, repo, {
      name: 'scalegate (staging)',
      headSha: 'a'.repeat(40),
      conclusion: 'failure',
      title: '2 of 5 gates failed',
      summary: 'summary',
      annotations,
    });
    const stored = fake.checkRuns.find((r) => r.id === run.id)!;
    assert.equal(stored.conclusion, 'failure');
    assert.equal(stored.head_sha, 'a'.repeat(40));
    assert.equal((stored.output as { annotations: unknown[] }).annotations.length, 60);
    const calls = fake.requests.filter((r) => r.path.includes('check-runs'));
    assert.equal(calls.length, 2);
    assert.equal((calls[0]!.body as { output: { annotations: unknown[] } }).output.annotations.length, 50);
    assert.deepEqual(
      (calls[0]!.body as { output: { annotations: Array<Record<string, unknown>> } }).output.annotations[0],
      {
        path: 'environments/staging.yaml',
        start_line: 1,
        end_line: 1,
        annotation_level: 'failure',
        title: 'gate 0',
        message: 'p95 above 300ms',
      },
    );
  });
});

describe('deployments', () => {
  it('creates a deployment and records its statuses', async () => {
    const id = await createDeployment(github, repo, {
      ref: 'b'.repeat(40),
      environment: 'prod',
      description: 'promote sha256:…',
      payload: { digest: 'sha256:x' },
      production: true,
    });
    await setDeploymentStatus(github, repo, id, { state: 'in_progress', description: 'canary 25%' });
    await setDeploymentStatus(github, repo, id, {
      state: 'success',
      description: 'promoted',
      logUrl: 'https://run',
    });
    const deployment = fake.deployments.find((d) => d.id === id)!;
    assert.equal(deployment.environment, 'prod');
    assert.equal(deployment.production_environment, true);
    assert.deepEqual(
      deployment.statuses.map((s) => s.state),
      ['in_progress', 'success'],
    );
  });
});

describe('history branch and verification evidence', () => {
  it('creates the branch on first write, retries a concurrent write, and reads documents back', async () => {
    const store = branchStore(github, repo);
    assert.equal(await store.read('history/perf.json'), undefined);
    await store.update<number[]>('history/perf.json', (current) => [...(current ?? []), 1], 'first');
    fake.failNext('PUT', /history\/perf\.json/, 409);
    await store.update<number[]>('history/perf.json', (current) => [...(current ?? []), 2], 'second');
    assert.deepEqual((await store.read<number[]>('history/perf.json'))?.value, [1, 2]);
    assert.equal(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/git/refs')).length, 1);
    const created = fake.requests.find((r) => r.path.endsWith('/git/commits'))!;
    assert.deepEqual((created.body as { parents: unknown[] }).parents, []);
  });

  it('refuses to promote a digest without a passing verification', async () => {
    const store = branchStore(github, repo);
    const digest = `sha256:${'c'.repeat(64)}`;
    await assert.rejects(requirePassingVerification(store, digest), /no load verification was recorded/);
    const record = {
      digest,
      image: `shop/web@${digest}`,
      sha: 'd'.repeat(40),
      environment: 'staging',
      passed: false,
      summary: 'p95 412ms > 300ms',
      runUrl: 'https://github.com/acme/shop/actions/runs/1',
      verifiedAt: '2026-11-22T06:00:00Z',
    };
    await recordVerification(store, record);
    await assert.rejects(
      requirePassingVerification(store, digest),
      /verification in staging failed \(p95 412ms > 300ms/,
    );
    await recordVerification(store, { ...record, passed: true, summary: 'all 5 gates passed' });
    assert.equal((await requirePassingVerification(store, digest)).passed, true);
    await assert.rejects(requirePassingVerification(store, 'latest'), /is not an image digest/);
  });
});

describe('regression issues', () => {
  const finding = (metric: Finding['metric'], status: Finding['status']): Finding => ({
    stage: 'peak',
    metric,
    status,
    current: 0.27,
    baseline: 0.2,
    changePercent: 35,
    criterion: '<=+10%',
    method: 'criterion',
    reason: 'breaks <=+10%',
  });
  const comparison = (findings: Finding[]): Comparison => ({
    baselineRunIds: ['1'],
    findings,
    regressions: findings.filter((f) => f.status === 'regression'),
  });

  it('opens one labelled issue per regression, comments while it lasts, closes it when green', async () => {
    const first = await syncRegressionIssues(github, repo, {
      environment: 'perf',
      comparison: comparison([finding('p95Seconds', 'regression'), finding('errorRate', 'ok')]),
      runUrl: 'https://run/1',
      sha: 'e'.repeat(40),
    });
    assert.equal(first.opened.length, 1);
    const issue = fake.issues.find((i) => i.number === first.opened[0])!;
    assert.deepEqual(issue.labels, [regressionLabel]);
    assert.match(issue.title, /perf: p95Seconds \(peak\)/);

    const second = await syncRegressionIssues(github, repo, {
      environment: 'perf',
      comparison: comparison([finding('p95Seconds', 'regression')]),
      runUrl: 'https://run/2',
      sha: 'f'.repeat(40),
    });
    assert.deepEqual(second, { opened: [], updated: [issue.number], closed: [] });

    const third = await syncRegressionIssues(github, repo, {
      environment: 'perf',
      comparison: comparison([finding('p95Seconds', 'ok')]),
      runUrl: 'https://run/3',
      sha: '1'.repeat(40),
    });
    assert.deepEqual(third, { opened: [], updated: [], closed: [issue.number] });
    assert.equal(issue.state, 'closed');
    assert.equal(fake.issues.filter((i) => i.labels.includes(regressionLabel)).length, 1);
  });
});
