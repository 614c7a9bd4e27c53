import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as core from '@actions/core';
import { runGates } from '../lib/gates/run.js';
import { resolveGateSource } from '../lib/gates/source.js';
import { verdictMarkdown } from '../lib/gates/verdict.js';
import { resolveWindow } from '../lib/gates/windows.js';
import { PrometheusClient } from '../lib/prometheus/client.js';
import { connectionOptions, parseHeaderLines } from '../lib/prometheus/connection.js';
import { tryParseDuration } from '../lib/util/duration.js';
import { ScalegateError, UsageError } from '../lib/util/errors.js';
import { checkOutputPath, readInputFile } from '../lib/util/input-file.js';
import { logSafe } from '../lib/util/log-safe.js';

function optional(name: string): string | undefined {
  const value = core.getInput(name);
  return value === '' ? undefined : value;
}

async function run(): Promise<void> {
  const cwd = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const failOn = core.getInput('fail-on') || 'inconclusive';
  if (!['fail', 'inconclusive', 'never'].includes(failOn))
    throw new UsageError(`fail-on: expected fail, inconclusive or never (got '${failOn}')`);
  const stepMs = tryParseDuration(core.getInput('step') || '15s');
  if (!stepMs) throw new UsageError(`step: expected a duration such as 15s (got '${core.getInput('step')}')`);
  const targetRate = optional('target-rate') === undefined ? undefined : Number(optional('target-rate'));
  if (targetRate !== undefined && !(targetRate > 0))
    throw new UsageError(`target-rate: expected a positive number (got '${optional('target-rate')}')`);
  // The windows input is the load step's JSON output, or a file holding it.
  const windows = optional('windows');
  const windowsFile = windows !== undefined && !windows.trimStart().startsWith('{') ? windows : undefined;
  const window = resolveWindow({
    start: optional('start'),
    end: optional('end'),
    windowsJson: windowsFile
      ? await readInputFile(resolve(cwd, windowsFile), windowsFile, 'windows file')
      : windows,
    ...(windowsFile ? { windowsSource: `windows file ${windowsFile}` } : {}),
    stage: optional('stage'),
  });

  const out = resolve(cwd, optional('out') ?? join(process.env.RUNNER_TEMP ?? cwd, 'scalegate-verdict.json'));
  await checkOutputPath(out, 'out');
  const source = await resolveGateSource({
    gates: optional('gates'),
    env: optional('env'),
    cwd,
  });
  const token = optional('bearer-token');
  const password = optional('basic-auth-password');
  for (const secret of [token, password]) if (secret) core.setSecret(secret);
  const username = optional('basic-auth-username');
  const client = new PrometheusClient(
    connectionOptions(
      {
        url: optional('prometheus-url'),
        bearerToken: token,
        basic: username !== undefined && password !== undefined ? { username, password } : undefined,
        headers: parseHeaderLines(core.getMultilineInput('headers')),
        ca: optional('ca') && resolve(cwd, optional('ca')!),
        insecureSkipVerify: core.getBooleanInput('insecure-skip-verify'),
      },
      source.prometheus,
      process.env,
    ),
  );
  // Credentials from the URL, the settings' environment variables or headers: masked in every later log line.
  for (const secret of client.secrets) core.setSecret(secret);
  try {
    const verdict = await runGates({
      set: source.set,
      defaults: source.defaults,
      client,
      window,
      stepSeconds: stepMs / 1000,
      targetRate,
    });
    await writeFile(out, `${JSON.stringify(verdict, null, 2)}\n`);
    for (const gate of verdict.gates)
      core.info(logSafe(`${gate.status.toUpperCase()} ${gate.name} (${gate.type}): ${gate.reason}`));
    core.setOutput('verdict', out);
    core.setOutput('passed', String(verdict.passed));
    core.setOutput('status', verdict.status);
    core.setOutput('summary', verdict.summary);
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(verdictMarkdown(verdict)).write();
    const failing =
      verdict.status === 'fail' || (verdict.status === 'inconclusive' && failOn === 'inconclusive');
    if (failing && failOn !== 'never') core.setFailed(`gates ${verdict.status}: ${verdict.summary}`);
  } finally {
    await client.close();
  }
}

run().catch((error: unknown) => {
  if (error instanceof ScalegateError) core.setFailed(error.message);
  else core.setFailed(error instanceof Error ? (error.stack ?? error.message) : String(error));
});
