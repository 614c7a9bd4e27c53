import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as core from '@actions/core';
import { durationInput, optionalInput, workspace } from '../lib/action/inputs.js';
import { branchStore } from '../lib/github/branch-store.js';
import { createGitHubClient } from '../lib/github/client.js';
import { syncRegressionIssues } from '../lib/github/regression-issues.js';
import { PrometheusClient } from '../lib/prometheus/client.js';
import { connectionOptions } from '../lib/prometheus/connection.js';
import { compareRun } from '../lib/regression/compare.js';
import { appendRun, emptyHistory, type History } from '../lib/regression/history.js';
import { historyPath, measureRun, parseCriteriaLines } from '../lib/regression/run.js';
import { regressionMarkdown } from '../lib/regression/trend.js';
import { readVerdict, readWindows } from '../lib/report/files.js';
import { runContext } from '../lib/report/run-context.js';
import { loadEnvironment } from '../lib/settings/index.js';
import { logSafe } from '../lib/util/log-safe.js';

export async function run(): Promise<void> {
  const token = core.getInput('github-token', { required: true });
  core.setSecret(token);
  const bearer = optionalInput('bearer-token');
  if (bearer) core.setSecret(bearer);
  const cwd = workspace();
  const environment = await loadEnvironment(core.getInput('environment', { required: true }), { cwd });
  const stepMs = durationInput('step', 15_000);
  const policies = parseCriteriaLines(core.getMultilineInput('criteria'));
  const windowsInput = core.getInput('windows', { required: true });
  const windows = await readWindows(windowsInput, cwd);
  const verdictPath = optionalInput('verdict');
  const verdict = verdictPath ? await readVerdict(resolve(cwd, verdictPath)) : undefined;
  const ctx = runContext();

  const client = new PrometheusClient(
    connectionOptions(
      { url: optionalInput('prometheus-url'), bearerToken: bearer },
      environment.settings.prometheus,
      process.env,
    ),
  );
  for (const secret of client.secrets) core.setSecret(secret);
  const record = await measureRun(environment, {
    client,
    windows,
    stepSeconds: stepMs / 1000,
    ...(optionalInput('namespace') ? { namespace: optionalInput('namespace') } : {}),
    ...(optionalInput('hpa') ? { hpa: optionalInput('hpa') } : {}),
    ...(optionalInput('service') ? { service: optionalInput('service') } : {}),
    run: {
      runId: `${process.env.GITHUB_RUN_ID ?? Date.now()}-${process.env.GITHUB_RUN_ATTEMPT ?? '1'}`,
      sha: ctx.sha,
      startedAt: windows.start,
      ...(ctx.runUrl ? { url: ctx.runUrl } : {}),
      passed: verdict?.passed ?? true,
    },
  }).finally(() => client.close());

  const github = createGitHubClient({
    token,
    ...(ctx.apiUrl ? { baseUrl: ctx.apiUrl } : {}),
    maskSecret: core.setSecret,
    log: (line) => core.info(logSafe(line)),
  });
  const store = branchStore(github, ctx.repo, core.getInput('history-branch') || undefined);
  const history = await store.update<History>(
    historyPath(environment.name),
    (current) => appendRun(current ?? emptyHistory(environment.name), record),
    `scalegate: scaling-regression run ${record.runId} (${environment.name})`,
  );
  const comparison = compareRun(record, history, { policies });
  if (core.getBooleanInput('issues')) {
    const issues = await syncRegressionIssues(github, ctx.repo, {
      environment: environment.name,
      comparison,
      runUrl: ctx.runUrl ?? record.runId,
      sha: ctx.sha,
    });
    core.info(
      logSafe(
        `regression issues: opened ${issues.opened.length}, updated ${issues.updated.length}, closed ${issues.closed.length}`,
      ),
    );
  }

  const dir = join(process.env.RUNNER_TEMP ?? cwd, 'scalegate-regression');
  await mkdir(dir, { recursive: true });
  const recordFile = join(dir, 'run-record.json');
  const comparisonFile = join(dir, 'comparison.json');
  await writeFile(recordFile, `${JSON.stringify(record, null, 2)}\n`);
  await writeFile(comparisonFile, `${JSON.stringify(comparison, null, 2)}\n`);
  core.setOutput('record', recordFile);
  core.setOutput('comparison', comparisonFile);
  core.setOutput('regressions', String(comparison.regressions.length));
  if (process.env.GITHUB_STEP_SUMMARY)
    await core.summary.addRaw(regressionMarkdown(environment.name, history, comparison)).write();
  for (const f of comparison.regressions) core.warning(`${f.stage} ${f.metric}: ${f.reason}`);
  if (comparison.regressions.length > 0 && core.getBooleanInput('fail-on-regression'))
    core.setFailed(`${comparison.regressions.length} scaling regression(s) in ${environment.name}`);
}
