/**
 * The three workflows run the way the GitHub runner runs them (test/support/actions-runner.ts), with the bundled
 * actions from dist/ (`npm run build` first), against the local cluster simulator, a real Prometheus scraping it and
 * the fake GitHub REST server. The workflows' local-run switch (SCALEGATE_LOCAL_RUN=true) skips what needs a real
 * runner: checkout, Docker, kind, Helm, cluster secrets and artifact upload. The workspace is a copy of a user's
 * checkout: the repository's actions, dist/ and manifests, and an `environments/staging.yaml` sized for this machine.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { regressionLabel } from '../../actions/lib/github/regression-issues.js';
import { stickyMarker } from '../../actions/lib/github/sticky-comment.js';
import { type History, historySchemaVersion } from '../../actions/lib/regression/history.js';
import { type PrometheusServer, startPrometheus } from '../../cli/local/prometheus-server.js';
import { type RunningCluster, startCluster } from '../../simulator/cluster.js';
import { kubeconfigContext } from '../../simulator/kubeconfig.js';
import { ScriptedExporter } from '../prometheus/scripted-exporter.js';
import {
  type JobRun,
  type RunWorkflowOptions,
  requireBundles,
  runWorkflow,
} from '../support/actions-runner.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';

const repoRoot = new URL('../..', import.meta.url).pathname;
const token = 'ghs_workflowtesttoken0123456789';
const digest = `sha256:${'ab'.repeat(32)}`;
const headSha = 'f'.repeat(40);

let cluster: RunningCluster;
let prometheus: PrometheusServer;
/** kube-state-metrics' kube_pod_container_info, which the simulator does not export: the canary ran `digest`. */
let images: ScriptedExporter;
let workspace: string;

function settings(prometheusUrl: string): string {
  return `# staging, sized for the local cluster simulator
manifests: ../manifests/web
service:
  name: web
  namespace: shop
  image: scalegate/web:1.0.0
  ports:
    - { name: http, port: 80, targetPort: 8080 }
  resources:
    requests: { cpu: 100m, memory: 128Mi }
    limits: { cpu: 500m, memory: 128Mi }
autoscaling:
  hpa:
    minReplicas: 2
    maxReplicas: 4
    metrics:
      - { type: resource, resource: cpu, averageUtilization: 70 }
canary:
  method: replica-ratio
  steps:
    - weight: 50
load:
  script: load/web.js
  target: { port: http, path: / }
  stages:
    short:
      - { duration: 3s, target: 4 }
gates:
  - name: no-errors
    type: errorRate
    max: 50%
  - name: load
    type: loadApplied
    minRate: 1
  - name: no-stuck-pods
    type: pendingPods
    maxPending: 10
  - name: p95
    type: latency
    quantile: 0.95
    max: 1ms
prometheus:
  url: ${prometheusUrl}
cluster:
  context: ${kubeconfigContext}
`;
}

before(async () => {
  await requireBundles(repoRoot, [
    'deploy',
    'promote',
    'load',
    'gate',
    'report',
    'regression',
    'github-deployment',
  ]);
  cluster = await startCluster({ profile: 'fast', nodes: 3, nodeCpu: '4' });
  images = await new ScriptedExporter().start();
  images.gauge(
    'kube_pod_container_info',
    {
      namespace: 'shop',
      pod: 'web-canary-5d8c7b9f4-x2x9q',
      container: 'web',
      image_id: `acme/shop/web@${digest}`,
    },
    1,
  );
  prometheus = await startPrometheus({
    targets: [
      { job: 'scalegate', url: `${cluster.metrics}/metrics` },
      { job: 'images', url: images.url },
    ],
    scrapeIntervalSeconds: 1,
  });
  await prometheus.waitForSample('kube_node_info', 60_000);
  await prometheus.waitForSample('kube_pod_container_info', 60_000);
  workspace = await mkdtemp(join(tmpdir(), 'scalegate-workspace-'));
  for (const entry of ['actions', 'dist', 'manifests'])
    await symlink(join(repoRoot, entry), join(workspace, entry));
  await mkdir(join(workspace, 'environments'));
  await symlink(join(repoRoot, 'environments', 'load'), join(workspace, 'environments', 'load'));
  await writeFile(join(workspace, 'environments', 'staging.yaml'), settings(prometheus.url));
});

after(async () => {
  await prometheus?.stop();
  await images?.close();
  await cluster?.stop();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

async function run(
  fake: FakeGitHub,
  workflow: string,
  options: Pick<RunWorkflowOptions, 'event'> & Partial<RunWorkflowOptions>,
): Promise<JobRun[]> {
  const tempDir = await mkdtemp(join(tmpdir(), 'scalegate-runner-'));
  try {
    return await runWorkflow({
      workflow: join(repoRoot, '.github', 'workflows', workflow),
      workspace,
      repository: 'acme/shop',
      sha: 'e'.repeat(40),
      token,
      apiUrl: fake.url,
      tempDir,
      env: { KUBECONFIG: cluster.kubeconfig },
      workflowEnv: { SCALEGATE_LOCAL_RUN: 'true', SCALEGATE_LOCAL_DIGEST: digest },
      vars: {
        SCALEGATE_KUBE_CONTEXT: kubeconfigContext,
        SCALEGATE_PROMETHEUS_URL: prometheus.url,
        SCALEGATE_PROMETHEUS_LINK_URL: 'https://prometheus.example.test',
        SCALEGATE_TARGET_URL: `${cluster.gateway}/shop/web/`,
        SCALEGATE_PERF_TARGET_URL: `${cluster.gateway}/shop/web/`,
        SCALEGATE_SCRAPE_INTERVAL: '1s',
        SCALEGATE_LOAD_STAGES: '3s:4,3s:4',
      },
      ...options,
    });
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

function step(job: JobRun, name: string) {
  const found = job.steps.find((s) => s.name === name && s.phase === 'main');
  assert.ok(found, `step '${name}' (have: ${job.steps.map((s) => s.name).join(', ')})`);
  return found;
}

/** Every step that got the token masked it before anything else, so the log never shows it. */
function assertTokenNeverPrinted(jobs: JobRun[]): void {
  for (const job of jobs)
    for (const s of job.steps.filter((x) => x.outcome !== 'skipped' && x.uses?.startsWith('./actions/'))) {
      assert.ok(!`${s.stdout}${s.stderr}${s.summary}`.includes(token), `${s.name} printed the token`);
      if (Object.values(s.inputs).includes(token))
        assert.ok(s.masks.includes(token), `${s.name} masked the token`);
    }
}

function seedBranchFile(fake: FakeGitHub, path: string, value: unknown): void {
  const files = fake.files.get('scalegate-history') ?? new Map();
  fake.files.set('scalegate-history', files);
  files.set(path, { content: JSON.stringify(value), sha: 'seeded'.padEnd(40, '0') });
}

describe('workflows run as the runner runs them', { timeout: 600_000 }, () => {
  it('pr-load-verification: canary, load, gates and the job summary, with a token that writes nothing', async () => {
    const fake = await startFakeGitHub();
    try {
      const [job] = await run(fake, 'pr-load-verification.yml', {
        event: {
          name: 'pull_request',
          payload: {
            number: 7,
            pull_request: { number: 7, head: { sha: headSha, repo: { full_name: 'acme/shop' } } },
          },
        },
      });
      assert.ok(job);
      for (const name of [
        'Check out the pull request',
        'Set up Docker Buildx',
        'Log in to the image registry',
        "Build the pull request's image",
        'Use the shared preview cluster',
        'Create an ephemeral kind cluster',
        'Keep the verdict and the report',
      ])
        assert.equal(step(job, name).outcome, 'skipped', name);
      const image = step(job, 'Image under test');
      assert.deepEqual(image.outputs, { digest, ref: `acme/shop/web@${digest}` });
      const stable = step(job, "Deploy main's image as the stable track");
      assert.equal(stable.outcome, 'success', stable.stdout + stable.stderr);
      const canary = step(
        job,
        'Deploy the pull request as the canary and walk its steps with continuous gates',
      );
      assert.equal(canary.outcome, 'success', canary.stdout + canary.stderr);
      assert.equal(canary.inputs.INPUT_IMAGE, `acme/shop/web@${digest}`);
      const load = step(job, 'Final load stages');
      assert.equal(load.outcome, 'success', load.stderr);
      assert.equal(JSON.parse(load.outputs.windows!).scenarios[0].stages.length, 2);
      const gate = step(job, 'Final gates');
      assert.equal(gate.outputs.status, 'fail');
      const report = step(job, 'Report');
      // The p95 gate (max 1ms) fails, so the report step fails the job (fail-on: inconclusive) after publishing.
      assert.equal(report.outcome, 'failure');
      assert.equal(report.inputs['INPUT_GITHUB-TOKEN'], token, 'the action.yml default, github.token');
      assert.match(report.summary, /^### ❌ fail · scalegate · staging/);
      assert.match(report.summary, /\| p95 \| latency \| ❌ fail \|/);
      assert.match(report.summary, /```mermaid\nxychart-beta\n {2}title "Request latency"/);
      assert.match(report.summary, /href="https:\/\/prometheus\.example\.test\/graph\?g0\.expr=/);
      assert.equal(step(job, 'Clean up the canary').outcome, 'success');
      assert.equal(job.status, 'failure');

      // The job runs the pull request's code with a read-only token: it writes nothing through the API. The
      // comment, check run and evidence come from pr-load-evidence.yml, which runs default-branch code only.
      assert.deepEqual(fake.writes(), []);
      assert.deepEqual(fake.comments, []);
      assert.deepEqual(fake.checkRuns, []);
      assert.equal(
        fake.files.get('scalegate-history')?.get(`verifications/${digest.replace(':', '-')}.json`),
        undefined,
      );
      const measured = step(
        job,
        'What was measured, for the trusted follow-up (untrusted input there, checked before use)',
      );
      assert.equal(measured.outcome, 'success', measured.stderr);
      assertTokenNeverPrinted([job]);
    } finally {
      await fake.close();
    }
  });

  it('pr-load-evidence: trusted code binds the digest, evaluates the gates, comments, checks, records evidence', async () => {
    const measured = await mkdtemp(join(tmpdir(), 'scalegate-measured-'));
    const end = new Date();
    const windows = {
      start: new Date(end.getTime() - 20_000).toISOString(),
      end: end.toISOString(),
      scenarios: [],
    };
    await writeFile(join(measured, 'windows.json'), JSON.stringify(windows));
    const followUp = (fake: FakeGitHub) =>
      run(fake, 'pr-load-evidence.yml', {
        event: {
          name: 'workflow_run',
          payload: {
            workflow_run: {
              id: 41,
              event: 'pull_request',
              conclusion: 'failure',
              head_sha: headSha,
              head_repository: { full_name: 'acme/shop' },
              pull_requests: [{ number: 7 }],
            },
            repository: { default_branch: 'main' },
          },
        },
        workflowEnv: { SCALEGATE_LOCAL_RUN: 'true', SCALEGATE_LOCAL_MEASURED: measured },
      });
    const evidencePath = `verifications/${digest.replace(':', '-')}.json`;
    try {
      // A digest that never ran as the canary: comment and check run, but no evidence.
      const other = `sha256:${'cd'.repeat(32)}`;
      await writeFile(join(measured, 'digest'), other);
      let fake = await startFakeGitHub();
      try {
        const [job] = await followUp(fake);
        assert.equal(step(job!, 'The measured digest ran as the canary in those windows').outcome, 'failure');
        assert.equal(step(job!, 'Comment, check run and evidence').inputs['INPUT_RECORD-DIGEST'], '');
        assert.equal(
          fake.files.get('scalegate-history')?.get(`verifications/${other.replace(':', '-')}.json`),
          undefined,
        );
        assert.equal(fake.comments.filter((c) => c.issue === 7).length, 1);
      } finally {
        await fake.close();
      }

      // The digest that ran: evidence recorded by this trusted job, for the head commit of the pull request.
      await writeFile(join(measured, 'digest'), digest);
      fake = await startFakeGitHub();
      try {
        const [job] = await followUp(fake);
        assert.equal(step(job!, 'The measured digest ran as the canary in those windows').outcome, 'success');
        const report = step(job!, 'Comment, check run and evidence');
        assert.equal(report.inputs['INPUT_RECORD-DIGEST'], digest);
        assert.match(report.summary, /^### (❌ fail|⚠️ inconclusive) · scalegate · staging/);
        const comments = fake.comments.filter((c) => c.issue === 7);
        assert.equal(comments.length, 1);
        assert.ok(comments[0]!.body.startsWith(`${stickyMarker('staging')}\n### `));
        assert.equal(fake.checkRuns.length, 1);
        const check = fake.checkRuns[0]!;
        assert.deepEqual([check.name, check.head_sha], ['scalegate (staging)', headSha]);
        const evidence = fake.files.get('scalegate-history')?.get(evidencePath);
        assert.ok(evidence);
        assert.deepEqual(
          (({ digest: d, passed, sha, environment }) => ({ d, passed, sha, environment }))(
            JSON.parse(evidence.content),
          ),
          { d: digest, passed: false, sha: headSha, environment: 'staging' },
        );
        assertTokenNeverPrinted([job!]);
      } finally {
        await fake.close();
      }
    } finally {
      await rm(measured, { recursive: true, force: true });
    }
  });

  it('promote: refuses a digest without passing evidence before the protected job starts', async () => {
    const fake = await startFakeGitHub();
    try {
      const jobs = await run(fake, 'promote.yml', {
        event: { name: 'workflow_dispatch', payload: {} },
        inputs: { environment: 'staging', 'image-digest': digest, strategy: 'canary', 'dry-run': false },
      });
      const [evidence, promote] = jobs;
      assert.equal(evidence!.status, 'failure');
      assert.match(
        evidence!.steps.at(-1)!.stdout,
        /refusing to promote sha256:abab.*: no load verification was recorded for this digest/,
      );
      assert.equal(promote!.status, 'skipped');
      assert.deepEqual(fake.writes(), []);
    } finally {
      await fake.close();
    }
  });

  it('promote: with passing evidence, a canary with gates, promotion and a GitHub Deployment with statuses', async () => {
    const fake = await startFakeGitHub();
    try {
      seedBranchFile(fake, `verifications/${digest.replace(':', '-')}.json`, {
        digest,
        image: `acme/shop/web@${digest}`,
        sha: headSha,
        environment: 'staging',
        passed: true,
        summary: '4/4 gates passed: all passed',
        runUrl: 'https://github.com/acme/shop/actions/runs/1',
        verifiedAt: '2026-11-22T06:00:00Z',
      });
      const [evidence, promote] = await run(fake, 'promote.yml', {
        event: { name: 'workflow_dispatch', payload: {} },
        inputs: { environment: 'staging', 'image-digest': digest, strategy: 'canary', 'dry-run': false },
      });
      assert.equal(evidence!.status, 'success');
      assert.deepEqual(evidence!.outputs, { 'verified-sha': headSha });
      assert.equal(promote!.environment, 'staging', 'runs in the protected GitHub environment');
      for (const s of promote!.steps.filter((x) => x.phase === 'main'))
        assert.equal(
          s.outcome,
          [
            "Check out the default branch (reviewed code only, whatever the evidence's commit)",
            'Set up Node (the builtin k6 engine loads esbuild from node_modules; or put k6 on PATH)',
            'Install dependencies',
            'Render (dry run)',
            "Use the environment's cluster",
            'Roll out stable directly',
            'Roll back',
          ].includes(s.name)
            ? 'skipped'
            : 'success',
          `${s.name}: ${s.stdout}${s.stderr}`,
        );
      assert.equal(promote!.status, 'success');
      assert.equal(fake.deployments.length, 1);
      const deployment = fake.deployments[0]!;
      assert.deepEqual(
        [deployment.ref, deployment.environment, deployment.production_environment],
        [headSha, 'staging', false],
      );
      assert.equal(JSON.parse(deployment.payload as string).digest, digest);
      assert.deepEqual(
        deployment.statuses.map((s) => s.state),
        ['in_progress', 'success'],
      );
      assertTokenNeverPrinted([evidence!, promote!]);
    } finally {
      await fake.close();
    }
  });

  it('scaling-regression: records the run on the history branch, opens and closes regression issues', async () => {
    const fake = await startFakeGitHub();
    try {
      // Ten earlier passing runs with a p95 far below what the simulator serves and a request rate far below what
      // the load reaches: this run's p95 regresses; its request rate is fine, which closes the open issue about it.
      const runs = Array.from({ length: 10 }, (_, i) => ({
        runId: `seed-${i}`,
        sha: `${i}`.repeat(7),
        startedAt: `2026-11-${String(i + 1).padStart(2, '0')}T03:00:00.000Z`,
        passed: true,
        stages: ['default:0', 'default:1'].map((name) => ({
          name,
          measurements: { p95Seconds: { value: 0.0001 }, achievedRate: { value: 0.01 } },
        })),
      }));
      const seeded: History = { schemaVersion: historySchemaVersion, environment: 'staging', runs };
      seedBranchFile(fake, 'regression/staging.json', seeded);
      fake.issues.push({
        number: 1,
        title: 'Scaling regression in staging: achievedRate (default:1)',
        body: '<!-- scalegate-regression environment=staging stage=default:1 metric=achievedRate -->\nold',
        labels: [regressionLabel],
        state: 'open',
      });
      const [job] = await run(fake, 'scaling-regression.yml', {
        event: { name: 'schedule', payload: { schedule: '23 3 * * *' } },
      });
      const regression = step(job!, 'Record, compare with the baseline, sync regression issues');
      assert.equal(regression.outcome, 'failure', 'fail-on-regression');
      assert.ok(Number(regression.outputs.regressions) >= 1);
      assert.match(regression.summary, /^### ❌ scaling regression in staging/);
      assert.match(
        regression.summary,
        /```mermaid\nxychart-beta\n {2}title "p95 \(s\) by run: default:0 \(line 1\), default:1 \(line 2\)"/,
      );
      assert.equal(step(job!, 'Report').outcome, 'success');

      const history = JSON.parse(
        fake.files.get('scalegate-history')!.get('regression/staging.json')!.content,
      ) as History;
      assert.equal(history.runs.length, 11);
      const latest = history.runs.at(-1)!;
      assert.deepEqual(
        latest.stages.map((s) => s.name),
        ['default:0', 'default:1'],
      );
      for (const stage of latest.stages) {
        assert.ok(stage.measurements.peakReplicas!.value >= 2);
        assert.ok(stage.measurements.achievedRate!.value > 0);
        assert.ok(stage.measurements.p95Seconds!.value > 0);
        assert.ok((stage.measurements.p95Seconds!.samples ?? []).length > 0);
      }
      const opened = fake.issues.filter((i) => i.number !== 1);
      assert.ok(opened.some((i) => i.title === 'Scaling regression in staging: p95Seconds (default:0)'));
      assert.ok(opened.every((i) => i.labels.includes(regressionLabel) && i.state === 'open'));
      assert.equal(fake.issues.find((i) => i.number === 1)!.state, 'closed');
      assertTokenNeverPrinted([job!]);
    } finally {
      await fake.close();
    }
  });
});
