import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { parseAllDocuments } from 'yaml';
import { commitManifests, type GitOpsTarget } from '../../actions/lib/delivery/gitops-commit.js';
import type { GitHubClient } from '../../actions/lib/github/client.js';
import { applyObjects } from '../../actions/lib/kube/apply.js';
import type { KubeClient } from '../../actions/lib/kube/client.js';
import { deployEnvironment } from '../../actions/lib/rollout/deploy-environment.js';
import { promote } from '../../actions/lib/rollout/promote.js';
import { openSession } from '../../actions/lib/rollout/session.js';
import { controlPlanes } from '../../simulator/cluster.js';
import { eventually } from '../support/eventually.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';
import { rolloutTestbed } from './helpers/testbed.js';

/** Requests as `METHOD path`, object ids shown as <sha>. */
const calls = (fake: FakeGitHub, from = 0) =>
  fake.requests
    .slice(from)
    .map((r) => `${r.method} ${r.path.replace('/repos/acme/shop', '').replace(/[0-9a-f]{40}/, '<sha>')}`);

/** What a branch holds, path → text. */
const filesOf = (fake: FakeGitHub, branch: string) =>
  new Map([...(fake.files.get(branch) ?? [])].map(([path, file]) => [path, file.content]));

const target = (requireReview: boolean): GitOpsTarget => ({
  repo: { owner: 'acme', repo: 'shop' },
  branch: 'main',
  path: 'deploy/dev',
  requireReview,
  environment: 'dev',
});
// Octokit's throttling spaces writes a second apart for GitHub's secondary limits; a local fake needs no spacing.
const client = (fake: FakeGitHub): GitHubClient =>
  new (Octokit.plugin(retry, throttling))({
    auth: 'test-token',
    baseUrl: fake.url,
    throttle: { enabled: false },
  });

describe('committing manifests through the GitHub API', () => {
  let fake: FakeGitHub;
  const github = () => client(fake);

  before(async () => {
    fake = await startFakeGitHub({
      webUrl: 'https://github.test',
      files: { 'README.md': '# shop\n', 'deploy/dev/old.yaml': 'old: true\n' },
    });
  });
  after(() => fake.close());

  it('pushes blobs, a tree and a commit, then moves the branch; unchanged content makes no commit', async () => {
    const result = await commitManifests(
      github(),
      target(false),
      {
        write: [
          { name: 'stable.yaml', content: 'kind: Deployment\n' },
          { name: 'canary.yaml', content: 'kind: Service\n' },
        ],
        remove: ['old.yaml'],
      },
      'scalegate: dev stable web:1',
    );
    assert.equal(result.changed, true);
    assert.deepEqual(calls(fake), [
      'GET /git/ref/heads/main',
      'GET /git/commits/<sha>',
      'GET /git/trees/<sha>',
      'POST /git/blobs',
      'POST /git/blobs',
      'POST /git/trees',
      'POST /git/commits',
      'PATCH /git/refs/heads/main',
    ]);
    assert.deepEqual(fake.requests.at(-1)?.body, { sha: result.commit, force: false });
    assert.deepEqual(Object.fromEntries(filesOf(fake, 'main')), {
      'README.md': '# shop\n',
      'deploy/dev/stable.yaml': 'kind: Deployment\n',
      'deploy/dev/canary.yaml': 'kind: Service\n',
    });
    const mark = fake.requests.length;
    const again = await commitManifests(
      github(),
      target(false),
      { write: [{ name: 'stable.yaml', content: 'kind: Deployment\n' }] },
      'again',
    );
    assert.deepEqual(again, { commit: result.commit, changed: false });
    assert.ok(calls(fake, mark).every((c) => c.startsWith('GET ')));
  });

  it('rebuilds the commit when the branch moved meanwhile', async () => {
    // Someone pushed first: GitHub refuses the update as not a fast-forward.
    fake.failNext('PATCH', /\/git\/refs\/heads\/main$/, 422);
    const mark = fake.requests.length;
    await commitManifests(
      github(),
      target(false),
      { write: [{ name: 'stable.yaml', content: 'kind: Deployment # 2\n' }] },
      'update',
    );
    assert.equal(calls(fake, mark).filter((c) => c === 'PATCH /git/refs/heads/main').length, 2);
    assert.equal(filesOf(fake, 'main').get('deploy/dev/stable.yaml'), 'kind: Deployment # 2\n');
  });

  it('opens one pull request when review is required, and updates it later', async () => {
    const mainBefore = fake.refs.get('main');
    const first = await commitManifests(
      github(),
      target(true),
      { write: [{ name: 'stable.yaml', content: 'v: 3\n' }] },
      'review me',
    );
    assert.deepEqual(first.pullRequest, { number: 1, url: 'https://github.test/acme/shop/pull/1' });
    assert.equal(fake.refs.get('main'), mainBefore, 'the protected branch is untouched');
    assert.equal(filesOf(fake, 'scalegate/dev').get('deploy/dev/stable.yaml'), 'v: 3\n');
    const create = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/pulls'));
    assert.deepEqual(
      { ...create?.body, body: undefined },
      { head: 'scalegate/dev', base: 'main', title: 'scalegate: deploy dev', body: undefined },
    );
    const second = await commitManifests(
      github(),
      target(true),
      { write: [{ name: 'stable.yaml', content: 'v: 4\n' }] },
      'again',
    );
    assert.equal(second.pullRequest?.number, 1);
    assert.equal(fake.pulls.length, 1);
    assert.equal(filesOf(fake, 'scalegate/dev').get('deploy/dev/stable.yaml'), 'v: 4\n');
  });
});

describe('committing manifests where GitHub answers at its limits', () => {
  it('a truncated tree listing is not taken as complete: the folder is read through the contents API', async () => {
    // A monorepo whose recursive listing GitHub cuts short (here after 3 entries) before reaching deploy/dev.
    const fake = await startFakeGitHub({
      treeListingLimit: 3,
      files: {
        'a.txt': 'a\n',
        'b.txt': 'b\n',
        'c.txt': 'c\n',
        'deploy/dev/stable.yaml': 'kind: Deployment\n',
        'deploy/dev/canary.yaml': 'kind: Deployment # canary\n',
      },
    });
    try {
      const unchanged = await commitManifests(
        client(fake),
        target(false),
        { write: [{ name: 'stable.yaml', content: 'kind: Deployment\n' }] },
        'same stable',
      );
      assert.equal(unchanged.changed, false, 'an unchanged manifest makes no commit');
      const retired = await commitManifests(
        client(fake),
        target(false),
        { write: [], remove: ['canary.yaml'] },
        'retire',
      );
      assert.equal(retired.changed, true);
      assert.deepEqual([...filesOf(fake, 'main').keys()].sort(), [
        'a.txt',
        'b.txt',
        'c.txt',
        'deploy/dev/stable.yaml',
      ]);
    } finally {
      await fake.close();
    }
  });

  it('two runs that open the review branch at once both land, with one pull request', async () => {
    const fake = await startFakeGitHub({ files: { 'README.md': '# shop\n' } });
    try {
      const deliver = (version: number) =>
        commitManifests(
          client(fake),
          target(true),
          { write: [{ name: 'stable.yaml', content: `v: ${version}\n` }] },
          `run ${version}`,
        );
      const results = await Promise.all([deliver(1), deliver(2)]);
      assert.deepEqual(
        results.map((r) => r.pullRequest?.number),
        [1, 1],
      );
      assert.equal(fake.pulls.length, 1);
      assert.match(filesOf(fake, 'scalegate/dev').get('deploy/dev/stable.yaml') ?? '', /^v: [12]\n$/);
    } finally {
      await fake.close();
    }
  });
});

// One cluster of each control plane for the file; on the real one scalegate runs as the scalegate-ci ServiceAccount
// while the test, playing Argo CD, applies with the admin's rights.
for (const controlPlane of controlPlanes)
  describe(`GitOps delivery against the local cluster (${controlPlane} control plane)`, () => {
    const bed = rolloutTestbed(controlPlane, [
      {
        name: 'gitops',
        namespace: 'gitops',
        steps: [{ weight: 50 }],
        extra: {
          cluster: {
            delivery: { mode: 'gitops', path: 'clusters/gitops', branch: 'main', requireReview: false },
          },
        },
      },
    ]);
    let fake: FakeGitHub;
    let direct: KubeClient;
    const synced: string[] = [];
    /** The syncs of the pushes so far, one after the other in push order. */
    let syncing = Promise.resolve();

    before(async () => {
      direct = bed.cluster.client('gitops');
      fake = await startFakeGitHub({ files: { 'README.md': '# shop\n' } });
      // The test plays Argo CD: every push to main is synced into the cluster.
      fake.onRefUpdate = (branch) => {
        if (branch !== 'main') return;
        const files = filesOf(fake, 'main');
        syncing = syncing.then(async () => {
          for (const track of ['stable', 'canary'] as const) {
            const text = files.get(`clusters/gitops/${track}.yaml`);
            if (!text) continue;
            const objects = parseAllDocuments(text).map((d) => d.toJS() as KubernetesObject);
            await applyObjects(
              direct,
              objects,
              { namespace: 'gitops', environment: 'gitops', track },
              { prune: false },
            );
            synced.push(track);
          }
        });
      };
    });
    after(() => fake?.close());

    it('commits each track, waits until the cluster runs exactly that revision, and promotes through git', async () => {
      const processEnv = {
        GITHUB_TOKEN: 'test-token',
        GITHUB_API_URL: fake.url,
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_SHA: 'abc1234',
        GITHUB_RUN_ID: '77',
        GITHUB_SERVER_URL: 'https://github.test',
      };
      const session = await openSession({
        env: 'gitops',
        cwd: bed.cwd,
        processEnv,
        kubeconfig: bed.kubeconfig('gitops'),
        signal: new AbortController().signal,
        log: () => {},
      });
      await deployEnvironment(session, {
        track: 'stable',
        image: 'scalegate/web:1.0.0',
        cwd: bed.cwd,
        processEnv,
      });
      const web = () =>
        direct.read<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } });
      const stable = await web();
      assert.equal(stable?.spec?.template.metadata?.annotations?.['scalegate.dev/git-sha'], 'abc1234');
      // The rollout was complete when deployEnvironment returned, as kubectl judges it: at the Deployment's own count.
      // A Deployment an HPA owns is created at one replica and the HPA raises it to its minimum (2) when it next
      // syncs: on the built-in control plane before the first pod is ready, on the real one possibly after.
      await eventually(
        'the HPA to bring the synced stable to its minimum of 2 available replicas',
        async () => (await web())?.status?.availableReplicas === 2,
        { timeoutMs: 60_000 },
      );
      assert.match(
        filesOf(fake, 'main').get('clusters/gitops/stable.yaml')!,
        /image: scalegate\/web:1\.0\.0/,
      );

      const canary = await deployEnvironment(session, {
        track: 'canary',
        image: 'scalegate/web:2.0.0',
        cwd: bed.cwd,
        processEnv,
      });
      assert.equal(canary.progress?.phase, 'ready');
      assert.ok(filesOf(fake, 'main').has('clusters/gitops/canary.yaml'));

      await promote(session.context);
      const files = filesOf(fake, 'main');
      assert.match(files.get('clusters/gitops/stable.yaml')!, /image: scalegate\/web:2\.0\.0/);
      assert.equal(files.has('clusters/gitops/canary.yaml'), false);
      const promoted = await web();
      assert.equal(promoted?.spec?.template.spec?.containers[0]?.image, 'scalegate/web:2.0.0');
      // Promote waits for stable's revision only; the sync of its last push (the canary's removal) may still run.
      await syncing;
      assert.deepEqual(synced, ['stable', 'stable', 'canary', 'stable', 'canary', 'stable']);
    });
  });
