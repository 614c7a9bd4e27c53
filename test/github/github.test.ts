import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gitBlobSha } from '../../actions/lib/delivery/gitops-commit.js';
import { branchStore } from '../../actions/lib/github/branch-store.js';
import { publishCheckRun } from '../../actions/lib/github/check-run.js';
import { createGitHubClient, type GitHubClient, parseRepository } from '../../actions/lib/github/client.js';
import { createDeployment, setDeploymentStatus } from '../../actions/lib/github/deployments.js';
import { recordVerification, requirePassingVerification } from '../../actions/lib/github/evidence.js';
import { capText } from '../../actions/lib/github/limits.js';
import { regressionLabel, syncRegressionIssues } from '../../actions/lib/github/regression-issues.js';
import { stickyMarker, upsertStickyComment } from '../../actions/lib/github/sticky-comment.js';
import type { Comparison, Finding } from '../../actions/lib/regression/compare.js';
import { type Account, type FakeGitHub, githubActionsBot, startFakeGitHub } from '../support/fake-github.js';

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

describe("GitHub's field limits", () => {
  it('cuts text to fit in characters or bytes, with an ellipsis, never inside a character', () => {
    assert.equal(capText('short', 5), 'short');
    assert.equal(capText('😀'.repeat(10), 5), `${'😀'.repeat(4)}…`);
    assert.equal(capText('€'.repeat(10), 10, 'bytes'), '€€…');
    assert.ok(Buffer.byteLength(capText('€'.repeat(10), 10, 'bytes')) <= 10);
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

  it("updates only its own comment: another author's copy of the marker is left alone", async () => {
    const someone = { login: 'mallory', id: 666, type: 'User' as const };
    fake.comments.push({
      id: 9001,
      issue: 8,
      body: `${stickyMarker('staging')}\nfake verdict: pass`,
      user: someone,
    });
    const mine = await upsertStickyComment(github, {
      ...repo,
      issueNumber: 8,
      environment: 'staging',
      body: 'run 1',
    });
    assert.equal(mine.created, true);
    const again = await upsertStickyComment(github, {
      ...repo,
      issueNumber: 8,
      environment: 'staging',
      body: 'run 2',
    });
    assert.deepEqual([again.created, again.id], [false, mine.id]);
    assert.equal(
      fake.comments.find((c) => c.id === 9001)?.body,
      `${stickyMarker('staging')}\nfake verdict: pass`,
    );
    assert.deepEqual(fake.comments.find((c) => c.id === mine.id)?.user, githubActionsBot);
  });

  const otherTokens = [
    {
      kind: 'a personal token: the user GET /user names',
      token: 'ghp_alice',
      account: { login: 'alice', id: 4242, type: 'User' as const },
      options: (account: Account) => ({ users: { ghp_alice: account } }),
    },
    {
      kind: "another GitHub App's installation token: the bot GraphQL's viewer names",
      token: 'ghs_acme_ci',
      account: { login: 'acme-ci[bot]', id: 777, type: 'Bot' as const },
      options: (account: Account) => ({ apps: { ghs_acme_ci: account } }),
    },
  ];
  for (const { kind, token, account, options } of otherTokens)
    it(`with ${kind} finds its own comment, not github-actions[bot]'s`, async () => {
      const other = await startFakeGitHub(options(account));
      try {
        const client = createGitHubClient({ token, baseUrl: other.url, pacing: false });
        const marked = `${stickyMarker('prod')}\nby github-actions`;
        other.comments.push({ id: 1, issue: 3, body: marked, user: githubActionsBot });
        const post = (body: string) =>
          upsertStickyComment(client, { ...repo, issueNumber: 3, environment: 'prod', body });
        const first = await post('a');
        const second = await post('b');
        assert.deepEqual([first.created, second.created, second.id], [true, false, first.id]);
        assert.deepEqual(other.comments.find((c) => c.id === first.id)?.user, account);
        assert.equal(other.comments.find((c) => c.id === 1)?.body, marked);
      } finally {
        await other.close();
      }
    });

  it("cuts a body over GitHub's 65,536-character limit instead of failing", async () => {
    const body = `${'x'.repeat(70_000)}`;
    const posted = await upsertStickyComment(github, { ...repo, issueNumber: 9, environment: 'big', body });
    const stored = fake.comments.find((c) => c.id === posted.id)!;
    assert.ok(stored.body.startsWith(stickyMarker('big')));
    assert.ok(stored.body.length <= 65_536, `${stored.body.length}`);
    assert.match(stored.body, /…$/);
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

  it("caps titles, messages and summaries at GitHub's documented limits", async () => {
    const run = await publishCheckRun(github, repo, {
      name: 'scalegate (long)',
      headSha: 'a'.repeat(40),
      conclusion: 'failure',
      title: 'long',
      summary: 's'.repeat(70_000),
      text: 't'.repeat(70_000),
      annotations: [
        {
          path: 'environments/staging.yaml',
          startLine: 3,
          level: 'failure',
          title: `gate ${'é'.repeat(300)}`,
          message: '€'.repeat(30_000),
        },
      ],
    });
    const output = fake.checkRuns.find((r) => r.id === run.id)!.output as {
      summary: string;
      text: string;
      annotations: Array<{ title: string; message: string }>;
    };
    const [annotation] = output.annotations;
    assert.equal([...annotation!.title].length, 255);
    assert.ok(Buffer.byteLength(annotation!.message) <= 64 * 1024);
    assert.ok(output.summary.length <= 65_535 && output.text.length <= 65_535);
    assert.match(annotation!.title, /^gate é+…$/);
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
    // Another run moved the branch first: GitHub refuses the update as not a fast forward.
    fake.failNext('PATCH', /\/git\/refs\/heads\/scalegate-history$/, 422);
    await store.update<number[]>('history/perf.json', (current) => [...(current ?? []), 2], 'second');
    assert.deepEqual((await store.read<number[]>('history/perf.json'))?.value, [1, 2]);
    assert.equal(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/git/refs')).length, 1);
    const created = fake.requests.find((r) => r.path.endsWith('/git/commits'))!;
    assert.deepEqual((created.body as { parents: unknown[] }).parents, []);
  });

  it('reads and extends a history document over 1 MB (the contents API gives only its metadata)', async () => {
    const big = {
      runs: Array.from({ length: 12_000 }, (_, i) => ({ runId: `run-${i}`, padding: 'x'.repeat(80) })),
    };
    const text = `${JSON.stringify(big)}\n`;
    assert.ok(Buffer.byteLength(text) > 1024 * 1024);
    fake.files.set('big-history', new Map([['history/perf.json', { content: text, sha: gitBlobSha(text) }]]));
    const store = branchStore(github, repo, 'big-history');
    assert.equal((await store.read<typeof big>('history/perf.json'))?.value.runs.length, 12_000);
    await store.update<typeof big>(
      'history/perf.json',
      (current) => ({ runs: [...(current?.runs ?? []), { runId: 'new', padding: '' }] }),
      'one more run',
    );
    const stored = JSON.parse(fake.files.get('big-history')!.get('history/perf.json')!.content) as typeof big;
    assert.deepEqual([stored.runs.length, stored.runs.at(-1)?.runId], [12_001, 'new']);
  });

  it('two runs writing at once, on a branch neither found, both land', async () => {
    const store = branchStore(github, repo, 'race-history');
    const append = (run: string) =>
      store.update<string[]>('history/perf.json', (current) => [...(current ?? []), run], `run ${run}`);
    await Promise.all([append('a'), append('b'), append('c')]);
    assert.deepEqual((await store.read<string[]>('history/perf.json'))?.value.sort(), ['a', 'b', 'c']);
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

  it("keeps an issue's title within GitHub's 256 characters", async () => {
    const environment = `perf-${'e'.repeat(300)}`;
    const { opened } = await syncRegressionIssues(github, repo, {
      environment,
      comparison: comparison([finding('p99Seconds', 'regression')]),
      runUrl: 'https://run/4',
      sha: '2'.repeat(40),
    });
    const issue = fake.issues.find((i) => i.number === opened[0])!;
    assert.ok([...issue.title].length <= 256);
    assert.match(issue.title, /^Scaling regression in perf-e+…$/);
  });
});
