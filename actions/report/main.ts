import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import * as core from '@actions/core';
import { choiceInput, optionalInput, workspace } from '../lib/action/inputs.js';
import { branchStore } from '../lib/github/branch-store.js';
import { createGitHubClient } from '../lib/github/client.js';
import { recordVerification } from '../lib/github/evidence.js';
import { gateAnnotations } from '../lib/report/annotations.js';
import { readVerdict, readWindows, writeReport } from '../lib/report/files.js';
import { renderMarkdownReport } from '../lib/report/markdown.js';
import type { ReportInput } from '../lib/report/model.js';
import { publishReport } from '../lib/report/publish.js';
import { isPermissionError, runContext } from '../lib/report/run-context.js';
import { UsageError } from '../lib/util/errors.js';
import { logSafe } from '../lib/util/log-safe.js';

function pullRequestNumber(fromEvent: number | undefined): number | undefined {
  const given = optionalInput('pr-number');
  if (given === undefined) return fromEvent;
  if (!/^\d+$/.test(given))
    throw new UsageError(`pr-number: expected a pull request number (got '${given}')`);
  return Number(given);
}

export async function run(): Promise<void> {
  const token = core.getInput('github-token');
  if (token) core.setSecret(token);
  const cwd = workspace();
  const environment = core.getInput('environment', { required: true });
  const failOn = choiceInput('fail-on', ['fail', 'inconclusive', 'never'], 'never');
  const verdict = await readVerdict(resolve(cwd, core.getInput('verdict', { required: true })));
  const windowsInput = optionalInput('windows');
  const ctx = runContext();
  const input: ReportInput = {
    verdict,
    environment,
    ...(windowsInput
      ? {
          windows: await readWindows(windowsInput, cwd),
        }
      : {}),
    links: {
      ...(optionalInput('prometheus-url') ? { prometheusUrl: optionalInput('prometheus-url') } : {}),
      ...(optionalInput('grafana-url') ? { grafanaUrl: optionalInput('grafana-url') } : {}),
      ...(optionalInput('grafana-datasource')
        ? { grafanaDatasource: optionalInput('grafana-datasource') }
        : {}),
    },
    context: {
      ...(optionalInput('image') ? { image: optionalInput('image') } : {}),
      ...(ctx.sha ? { sha: ctx.sha } : {}),
      ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
    },
  };

  const dir = resolve(
    cwd,
    optionalInput('out-dir') ?? join(process.env.RUNNER_TEMP ?? cwd, 'scalegate-report', environment),
  );
  const written = await writeReport(input, dir);
  const markdown = renderMarkdownReport(input);
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
  core.setOutput('status', verdict.status);
  core.setOutput('dir', dir);
  core.setOutput('markdown', written.markdown);
  core.setOutput('html', written.html);
  core.info(logSafe(`report written to ${dir} (${verdict.status}: ${verdict.summary})`));

  if (!token) {
    core.notice('no github-token: the report was written to the job summary and files only');
  } else {
    const github = createGitHubClient({
      token,
      ...(ctx.apiUrl ? { baseUrl: ctx.apiUrl } : {}),
      maskSecret: core.setSecret,
      log: (line) => core.info(logSafe(line)),
    });
    const envFile = optionalInput('environment-file') ?? join('environments', `${environment}.yaml`);
    const envPath = resolve(cwd, envFile);
    const annotations = existsSync(envPath)
      ? gateAnnotations(verdict, await readFile(envPath, 'utf8'), relative(cwd, envPath))
      : [];
    const pullRequest = core.getBooleanInput('comment') ? pullRequestNumber(ctx.pullRequest) : undefined;
    const result = await publishReport(github, ctx.repo, {
      environment,
      verdict,
      markdown,
      ...(pullRequest !== undefined ? { pullRequest } : {}),
      ...(core.getBooleanInput('check-run') && ctx.sha
        ? {
            checkRun: {
              name: optionalInput('check-name') ?? `scalegate (${environment})`,
              headSha: ctx.sha,
              annotations,
              ...(ctx.runUrl ? { detailsUrl: ctx.runUrl } : {}),
            },
          }
        : {}),
    });
    for (const reason of result.skipped) core.warning(reason);
    if (result.comment) {
      core.setOutput('comment-url', result.comment.url);
      core.info(
        logSafe(
          `${result.comment.created ? 'created' : 'updated'} the pull-request comment ${result.comment.url}`,
        ),
      );
    }
    if (result.checkRunId !== undefined) core.setOutput('check-run-id', String(result.checkRunId));

    const digest = optionalInput('record-digest');
    if (digest) {
      try {
        await recordVerification(
          branchStore(github, ctx.repo, core.getInput('history-branch') || undefined),
          {
            digest,
            image: optionalInput('image') ?? digest,
            sha: ctx.sha,
            environment,
            passed: verdict.passed,
            summary: verdict.summary,
            runUrl: ctx.runUrl ?? '',
            verifiedAt: verdict.evaluatedAt,
          },
        );
        core.info(logSafe(`recorded the ${verdict.status} verification of ${digest}`));
      } catch (error) {
        if (!isPermissionError(error)) throw error;
        core.warning(`evidence for ${digest} was not recorded: the token may not write to the repository`);
      }
    }
  }
  const failing =
    verdict.status === 'fail' || (verdict.status === 'inconclusive' && failOn === 'inconclusive');
  if (failing && failOn !== 'never') core.setFailed(`verdict ${verdict.status}: ${verdict.summary}`);
}
