/**
 * Runs a workflow's jobs on this machine the way the GitHub Actions runner does, for the steps it can run here:
 * the workflow is parsed with GitHub's own parser (@actions/workflow-parser), `${{ }}` and `if:` are evaluated with
 * GitHub's expression engine (@actions/expressions, status functions included), and each step gets what the runner
 * gives it: inputs as `INPUT_<NAME>` (upper-cased, spaces as `_`, action.yml defaults evaluated), GITHUB_OUTPUT,
 * GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY and GITHUB_STATE files, the event payload at GITHUB_EVENT_PATH, and
 * post steps (with STATE_* from their main step) in reverse order at the end of the job.
 *
 * Local actions (`uses: ./actions/<name>`) run their BUNDLED `runs.main`/`runs.post` with node; `run:` steps run with
 * bash. A third-party action cannot run here: a step using one must be skipped by its `if:` (the workflows' local-run
 * switch), otherwise the run fails loudly.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';
import {
  convertWorkflowTemplate,
  isBasicExpression,
  isMapping,
  isSequence,
  isString,
  NoOperationTraceWriter,
  parseWorkflow,
} from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { parse as parseYaml } from 'yaml';

export interface RunWorkflowOptions {
  /** Path of the workflow file. */
  workflow: string;
  /** The checked-out repository (GITHUB_WORKSPACE, cwd of every step). */
  workspace: string;
  event: { name: string; payload: Record<string, unknown> };
  repository: string;
  sha: string;
  ref?: string;
  token: string;
  /** GITHUB_API_URL: the fake GitHub server. */
  apiUrl: string;
  /** The runner machine's environment additions (e.g. KUBECONFIG): every step inherits them. */
  env?: Record<string, string>;
  /** Values replacing the workflow's top-level `env:` entries (the local-run switch). */
  workflowEnv?: Record<string, string>;
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  inputs?: Record<string, string | boolean>;
  /** Jobs to run (with their `needs` first); default all. */
  jobs?: string[];
  /** Where RUNNER_TEMP folders, the event file and the command files go; the caller removes it. */
  tempDir: string;
  /** Per step process limit. */
  stepTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface StepRun {
  id: string;
  name: string;
  uses?: string;
  /** `post` for a post step. */
  phase: 'main' | 'post';
  outcome: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  summary: string;
  /** The INPUT_* variables the step got. */
  inputs: Record<string, string>;
  /** What the step asked the runner to mask (`::add-mask::`); stdout and stderr are shown masked, as in the log. */
  masks: string[];
  stdout: string;
  stderr: string;
}

export interface JobRun {
  id: string;
  status: 'success' | 'failure' | 'skipped';
  environment?: string;
  steps: StepRun[];
  outputs: Record<string, string>;
}

const statusFunctions = ['success', 'failure', 'always', 'cancelled'];
const contextNames = [
  'github',
  'env',
  'vars',
  'secrets',
  'inputs',
  'needs',
  'steps',
  'runner',
  'job',
  'matrix',
  'strategy',
];

type Contexts = Record<string, unknown>;

function toData(value: unknown): data.Dictionary {
  return JSON.parse(JSON.stringify(value), data.reviver) as data.Dictionary;
}

function evaluate(expression: string, contexts: Contexts, jobFailed: boolean): data.ExpressionData {
  const lexed = new Lexer(expression).lex();
  const parser = new Parser(
    lexed.tokens,
    contextNames,
    statusFunctions.map((name) => ({ name, minArgs: 0, maxArgs: 0 })),
  );
  const functions = new Map(
    Object.entries({
      success: !jobFailed,
      failure: jobFailed,
      always: true,
      cancelled: false,
    }).map(([name, value]) => [
      name,
      { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) },
    ]),
  );
  return new Evaluator(parser.parse(), toData(contexts), functions).evaluate();
}

/** A template value as the runner sees it: literal text, or an expression evaluated to a string. */
function tokenText(token: TemplateToken | undefined, contexts: Contexts, jobFailed = false): string {
  if (!token) return '';
  if (isBasicExpression(token)) return evaluate(token.expression, contexts, jobFailed).coerceString();
  if (isString(token)) return token.value;
  return String((token as unknown as { value?: unknown }).value ?? '');
}

function mappingTexts(token: TemplateToken | undefined, contexts: Contexts): Record<string, string> {
  const out: Record<string, string> = {};
  if (!token || !isMapping(token)) return out;
  for (const pair of token) out[pair.key.toString()] = tokenText(pair.value, contexts);
  return out;
}

/** `name=value` lines and `name<<DELIMITER` blocks, as @actions/core writes GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE. */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i] as string);
      out[name] = body.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      out[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return out;
}

/** The runner hides every value a step registered with `::add-mask::` from the log, from then on. */
function applyMasks(text: string, masks: string[]): string {
  return masks.filter(Boolean).reduce((out, secret) => out.split(secret).join('***'), text);
}

function collectMasks(text: string, masks: string[]): void {
  for (const match of text.matchAll(/^::add-mask::(.*)$/gm)) if (match[1]) masks.push(match[1]);
}

/** The runner's rule: `INPUT_` + the name with spaces replaced by `_`, upper-cased. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

interface RawStep {
  with?: TemplateToken;
}

/** The converter drops `with:`; read it from the raw template, by job id and step index. */
function rawSteps(root: TemplateToken): Map<string, RawStep[]> {
  const out = new Map<string, RawStep[]>();
  if (!isMapping(root)) return out;
  const jobs = root.find('jobs');
  if (!jobs || !isMapping(jobs)) return out;
  for (const job of jobs) {
    const steps = isMapping(job.value) ? job.value.find('steps') : undefined;
    const list: RawStep[] = [];
    if (steps && isSequence(steps))
      for (let i = 0; i < steps.count; i++) {
        const step = steps.get(i);
        list.push({ with: isMapping(step) ? step.find('with') : undefined });
      }
    out.set(job.key.toString(), list);
  }
  return out;
}

function spawnStep(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

interface ActionMeta {
  inputs?: Record<string, { default?: string }>;
  runs: { using: string; main: string; post?: string; 'post-if'?: string };
}

/** The deployment GitHub Actions creates, as github-actions[bot], when a job starts in an environment. */
async function environmentDeployment(options: RunWorkflowOptions, environment: string): Promise<void> {
  const response = await fetch(`${options.apiUrl}/repos/${options.repository}/deployments`, {
    method: 'POST',
    headers: { authorization: `token ${options.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      ref: options.sha,
      environment,
      task: 'deploy',
      auto_merge: false,
      required_contexts: [],
    }),
  });
  if (!response.ok)
    throw new Error(`the environment's deployment: ${response.status} ${await response.text()}`);
}

export async function runWorkflow(options: RunWorkflowOptions): Promise<JobRun[]> {
  const content = await readFile(options.workflow, 'utf8');
  const parsed = parseWorkflow({ name: options.workflow, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors();
  if (errors.length > 0 || !parsed.value)
    throw new Error(`${options.workflow}: ${errors.map((e) => e.message).join('; ')}`);
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  if (template.errors?.length) throw new Error(template.errors.map((e) => e.Message).join('; '));
  const withs = rawSteps(parsed.value);
  const log = options.log ?? (() => {});
  const root = options.tempDir;
  const eventPath = join(root, 'event.json');
  await writeFile(eventPath, JSON.stringify(options.event.payload));
  const runId = String(4000 + Math.floor(Math.random() * 1000));
  const github = {
    event_name: options.event.name,
    event: options.event.payload,
    repository: options.repository,
    repository_owner: options.repository.split('/')[0],
    sha: options.sha,
    ref: options.ref ?? 'refs/heads/main',
    token: options.token,
    run_id: runId,
    run_number: '1',
    run_attempt: '1',
    actor: 'octocat',
    workflow: options.workflow,
    server_url: 'https://github.com',
    api_url: options.apiUrl,
    workspace: options.workspace,
  };
  const base: Contexts = {
    github,
    vars: options.vars ?? {},
    secrets: { GITHUB_TOKEN: options.token, ...options.secrets },
    inputs: options.inputs ?? {},
    matrix: {},
    strategy: {},
  };
  const workflowEnv: Record<string, string> = {};
  if (template.env && isMapping(template.env))
    for (const pair of template.env) {
      const key = pair.key.toString();
      workflowEnv[key] = options.workflowEnv?.[key] ?? tokenText(pair.value, { ...base, env: workflowEnv });
    }

  const wanted = new Set(options.jobs ?? template.jobs.map((j) => j.id.value));
  const results: JobRun[] = [];
  const needsOutputs: Record<string, { result: string; outputs: Record<string, string> }> = {};
  for (const job of template.jobs) {
    if (job.type !== 'job' || !wanted.has(job.id.value)) continue;
    const needs = Object.fromEntries((job.needs ?? []).map((n) => [n.value, needsOutputs[n.value]]));
    const temp = join(root, job.id.value);
    await mkdir(temp, { recursive: true });
    const runner = { temp, os: 'Linux', arch: 'X64', name: 'scalegate-local' };
    const contexts = (
      env: Record<string, string>,
      steps: Record<string, unknown>,
      jobStatus: string,
    ): Contexts => ({
      ...base,
      env,
      needs,
      steps,
      runner,
      job: { status: jobStatus },
    });
    const jobRun: JobRun = { id: job.id.value, status: 'success', steps: [], outputs: {} };
    results.push(jobRun);
    if (job.environment) {
      const environment = isMapping(job.environment) ? job.environment.find('name') : job.environment;
      jobRun.environment = tokenText(environment, contexts(workflowEnv, {}, 'success'));
    }
    // A job's status functions look at the jobs it needs: success() only when all of them succeeded.
    const needFailed = Object.values(needs).some((n) => n?.result !== 'success');
    if (
      !truthy(evaluate(job.if?.expression ?? 'success()', contexts(workflowEnv, {}, 'success'), needFailed))
    ) {
      jobRun.status = 'skipped';
      needsOutputs[job.id.value] = { result: 'skipped', outputs: {} };
      continue;
    }
    // GitHub makes a deployment of its own for a job in an environment, unless the job says `deployment: false`.
    const deployment =
      job.environment && isMapping(job.environment) ? job.environment.find('deployment') : undefined;
    if (jobRun.environment && tokenText(deployment, contexts(workflowEnv, {}, 'success')) !== 'false')
      await environmentDeployment(options, jobRun.environment);
    let env: Record<string, string> = { ...workflowEnv };
    for (const [k, v] of Object.entries(mappingTexts(job.env, contexts(env, {}, 'success')))) env[k] = v;
    const masks: string[] = [];
    const stepsContext: Record<
      string,
      { outputs: Record<string, string>; outcome: string; conclusion: string }
    > = {};
    const extraPath: string[] = [];
    const posts: Array<{
      step: StepRun;
      file: string;
      state: Record<string, string>;
      env: Record<string, string>;
      postIf: string;
    }> = [];

    const processEnv = (
      stepEnv: Record<string, string>,
      files: Record<string, string>,
      inputs: Record<string, string>,
    ) => ({
      PATH: [...extraPath, process.env.PATH ?? ''].join(':'),
      HOME: process.env.HOME ?? root,
      ...options.env,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_REPOSITORY: options.repository,
      GITHUB_REPOSITORY_OWNER: github.repository_owner ?? '',
      GITHUB_SHA: options.sha,
      GITHUB_REF: github.ref,
      GITHUB_EVENT_NAME: options.event.name,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_RUN_ID: runId,
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_ACTOR: 'octocat',
      GITHUB_JOB: job.id.value,
      GITHUB_SERVER_URL: github.server_url,
      GITHUB_API_URL: options.apiUrl,
      RUNNER_TEMP: temp,
      RUNNER_OS: 'Linux',
      ...stepEnv,
      ...files,
      ...inputs,
    });

    for (const [index, step] of job.steps.entries()) {
      if (!('uses' in step) && !('run' in step)) continue;
      const failed = jobRun.status === 'failure';
      const ctx = contexts(env, stepsContext, failed ? 'failure' : 'success');
      const name = step.name ? tokenText(step.name, ctx) : step.id;
      const uses = 'uses' in step ? step.uses.value : undefined;
      const record: StepRun = {
        id: step.id,
        name,
        phase: 'main',
        outcome: 'skipped',
        outputs: {},
        summary: '',
        inputs: {},
        masks: [],
        stdout: '',
        stderr: '',
      };
      if (uses !== undefined) record.uses = uses;
      jobRun.steps.push(record);
      const condition = step.if?.expression ?? 'success()';
      if (!truthy(evaluate(condition, ctx, failed))) {
        stepsContext[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
        log(`- skipped: ${name}`);
        continue;
      }
      const stepEnv = { ...env, ...mappingTexts(step.env, ctx) };
      const files = {
        GITHUB_OUTPUT: join(temp, `output-${index}`),
        GITHUB_ENV: join(temp, `env-${index}`),
        GITHUB_PATH: join(temp, `path-${index}`),
        GITHUB_STEP_SUMMARY: join(temp, `summary-${index}`),
        GITHUB_STATE: join(temp, `state-${index}`),
      };
      for (const file of Object.values(files)) await writeFile(file, '');
      let result: { code: number; stdout: string; stderr: string };
      if (uses !== undefined) {
        if (!uses.startsWith('./'))
          throw new Error(
            `step '${name}' uses ${uses}, which cannot run on this machine: its if: must skip it in a local run`,
          );
        const actionDir = resolve(options.workspace, uses);
        const meta = parseYaml(await readFile(join(actionDir, 'action.yml'), 'utf8')) as ActionMeta;
        const given = mappingTexts(withs.get(job.id.value)?.[index]?.with, ctx);
        const inputs: Record<string, string> = {};
        for (const [input, spec] of Object.entries(meta.inputs ?? {})) {
          const value = given[input] ?? expandDefault(spec.default ?? '', ctx);
          inputs[inputVariable(input)] = value;
        }
        for (const [input, value] of Object.entries(given)) inputs[inputVariable(input)] = value;
        record.inputs = inputs;
        log(`- run: ${name} (${uses})`);
        const envForAction = processEnv(stepEnv, files, inputs);
        result = await spawnStep(
          process.execPath,
          [join(actionDir, meta.runs.main)],
          envForAction,
          options.workspace,
          options.stepTimeoutMs ?? 240_000,
        );
        if (meta.runs.post)
          posts.push({
            step: record,
            file: join(actionDir, meta.runs.post),
            state: {},
            env: envForAction,
            postIf: meta.runs['post-if'] ?? 'always()',
          });
      } else {
        const script = join(temp, `script-${index}.sh`);
        await writeFile(script, tokenText((step as { run: TemplateToken }).run, ctx));
        log(`- run: ${name} (bash)`);
        result = await spawnStep(
          'bash',
          ['--noprofile', '--norc', '-eo', 'pipefail', script],
          processEnv(stepEnv, files, {}),
          options.workspace,
          options.stepTimeoutMs ?? 240_000,
        );
      }
      collectMasks(result.stdout, masks);
      record.masks = [...masks];
      record.stdout = applyMasks(result.stdout, masks);
      record.stderr = applyMasks(result.stderr, masks);
      record.outputs = parseCommandFile(await readFile(files.GITHUB_OUTPUT, 'utf8'));
      record.summary = await readFile(files.GITHUB_STEP_SUMMARY, 'utf8');
      const state = parseCommandFile(await readFile(files.GITHUB_STATE, 'utf8'));
      const post = posts.find((p) => p.step === record);
      if (post) post.state = state;
      env = { ...env, ...parseCommandFile(await readFile(files.GITHUB_ENV, 'utf8')) };
      extraPath.unshift(...(await readFile(files.GITHUB_PATH, 'utf8')).split('\n').filter(Boolean));
      const ok = result.code === 0;
      const continueOnError = step['continue-on-error'] === true;
      record.outcome = ok ? 'success' : 'failure';
      stepsContext[step.id] = {
        outputs: record.outputs,
        outcome: record.outcome,
        conclusion: ok || continueOnError ? 'success' : 'failure',
      };
      if (!ok) log(`  failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
      if (!ok && !continueOnError) jobRun.status = 'failure';
    }

    for (const post of posts.reverse()) {
      const failed = jobRun.status === 'failure';
      const ctx = contexts(env, stepsContext, failed ? 'failure' : 'success');
      const record: StepRun = {
        ...post.step,
        phase: 'post',
        outcome: 'skipped',
        outputs: {},
        summary: '',
        masks: [...masks],
        stdout: '',
        stderr: '',
      };
      jobRun.steps.push(record);
      if (!truthy(evaluate(post.postIf, ctx, failed))) continue;
      const stateEnv = Object.fromEntries(Object.entries(post.state).map(([k, v]) => [`STATE_${k}`, v]));
      log(`- post: ${post.step.name}`);
      const result = await spawnStep(
        process.execPath,
        [post.file],
        { ...post.env, ...stateEnv },
        options.workspace,
        options.stepTimeoutMs ?? 240_000,
      );
      collectMasks(result.stdout, masks);
      record.stdout = applyMasks(result.stdout, masks);
      record.stderr = applyMasks(result.stderr, masks);
      record.outcome = result.code === 0 ? 'success' : 'failure';
      if (result.code !== 0) jobRun.status = 'failure';
    }

    jobRun.outputs = mappingTexts(job.outputs, contexts(env, stepsContext, jobRun.status));
    needsOutputs[job.id.value] = { result: jobRun.status, outputs: jobRun.outputs };
  }
  return results;

  function expandDefault(text: string, ctx: Contexts): string {
    return text.replace(/\$\{\{(.*?)\}\}/g, (_, expr: string) =>
      evaluate(expr.trim(), ctx, false).coerceString(),
    );
  }
}

/** Ensures the bundled actions exist before a workflow is run (GitHub runs dist/, never the sources). */
export async function requireBundles(workspace: string, actions: string[]): Promise<void> {
  for (const name of actions) {
    const meta = parseYaml(
      await readFile(join(workspace, 'actions', name, 'action.yml'), 'utf8'),
    ) as ActionMeta;
    const main = resolve(workspace, 'actions', name, meta.runs.main);
    await readFile(main).catch(() => {
      throw new Error(`${main} is missing: run npm run build first (${dirname(main)})`);
    });
  }
}
