import { resolve } from 'node:path';
import * as core from '@actions/core';
import { choiceInput, workspace } from '../lib/action/inputs.js';
import { parseEnvAssignments } from '../lib/load/env.js';
import { formatProgress, runLoad } from '../lib/load/index.js';
import type { RunnerName } from '../lib/load/types.js';
import { ScalegateError } from '../lib/util/errors.js';
import { logSafe } from '../lib/util/log-safe.js';

const progressEveryMs = 10_000;

export async function run(): Promise<void> {
  const cwd = workspace();
  const runner = choiceInput<RunnerName>('runner', ['auto', 'k6', 'builtin', 'operator'], 'auto');
  const env = parseEnvAssignments(core.getMultilineInput('env'), 'input env');
  const parallelism = Number(core.getInput('parallelism') || '1');
  if (!Number.isInteger(parallelism) || parallelism < 1)
    throw new ScalegateError(
      `input parallelism: expected a positive integer, got '${core.getInput('parallelism')}'`,
    );
  const summary = core.getInput('summary');
  const outJson = core.getInput('out-json');
  const stages = core.getInput('stages');
  const namespace = core.getInput('namespace');
  let lastProgress = Number.NEGATIVE_INFINITY;
  core.startGroup(`k6 ${core.getInput('script', { required: true })}`);
  const result = await runLoad({
    script: resolve(cwd, core.getInput('script', { required: true })),
    runner,
    env,
    cwd,
    ...(summary ? { summaryExport: summary } : {}),
    ...(outJson ? { outJson } : {}),
    ...(stages ? { stages } : {}),
    kube: { parallelism, ...(namespace ? { namespace } : {}) },
    log: (line) => core.info(logSafe(line)),
    stdout: (text) => core.info(logSafe(text.replace(/\n$/, ''))),
    onProgress: (progress) => {
      if (progress.elapsedMs - lastProgress < progressEveryMs) return;
      lastProgress = progress.elapsedMs;
      core.info(logSafe(formatProgress(progress)));
    },
  }).finally(() => core.endGroup());
  core.setOutput('windows', JSON.stringify(result.windows));
  core.setOutput('summary', result.summaryPath ?? '');
  core.setOutput('thresholds-passed', String(result.thresholdsPassed));
  core.setOutput('exit-code', String(result.exitCode));
  core.setOutput('runner', result.runner);
  const m = result.metrics;
  core.info(
    logSafe(
      `${result.runner}: exit ${result.exitCode}, ${m.requests} requests (${m.requestRate.toFixed(1)}/s), p95 ${m.p95Ms.toFixed(1)} ms, p99 ${m.p99Ms.toFixed(1)} ms, errors ${(m.errorRate * 100).toFixed(2)} %`,
    ),
  );
  const failOnThresholds = core.getBooleanInput('fail-on-thresholds');
  if (result.exitCode !== 0 && (result.exitCode !== 99 || failOnThresholds))
    core.setFailed(
      `k6 exited with code ${result.exitCode}${result.exitCode === 99 ? ' (thresholds crossed)' : ''}`,
    );
}
