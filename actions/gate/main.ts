import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as core from '@actions/core';
import { choiceInput, durationInput, optionalInput, workspace } from '../lib/action/inputs.js';
import { runGates } from '../lib/gates/run.js';
import { verdictMarkdown } from '../lib/gates/verdict.js';
import { resolveWindow } from '../lib/gates/windows.js';
import { PrometheusClient } from '../lib/prometheus/client.js';
import { connectionOptions, parseHeaderLines } from '../lib/prometheus/connection.js';
import { resolveGateSource } from '../lib/settings/gate-source.js';
import { UsageError } from '../lib/util/errors.js';
import { checkOutputPath, readInputFile } from '../lib/util/input-file.js';
import { logSafe } from '../lib/util/log-safe.js';

export async function run(): Promise<void> {
  const cwd = workspace();
  const failOn = choiceInput('fail-on', ['fail', 'inconclusive', 'never'], 'inconclusive');
  const stepMs = durationInput('step', 15_000);
  const targetRate =
    optionalInput('target-rate') === undefined ? undefined : Number(optionalInput('target-rate'));
  if (targetRate !== undefined && !(targetRate > 0))
    throw new UsageError(`target-rate: expected a positive number (got '${optionalInput('target-rate')}')`);
  // The windows input is the load step's JSON output, or a file holding it.
  const windows = optionalInput('windows');
  const windowsFile = windows !== undefined && !windows.trimStart().startsWith('{') ? windows : undefined;
  const window = resolveWindow({
    start: optionalInput('start'),
    end: optionalInput('end'),
    windowsJson: windowsFile
      ? await readInputFile(resolve(cwd, windowsFile), windowsFile, 'windows file')
      : windows,
    ...(windowsFile ? { windowsSource: `windows file ${windowsFile}` } : {}),
    stage: optionalInput('stage'),
  });

  const out = resolve(
    cwd,
    optionalInput('out') ?? join(process.env.RUNNER_TEMP ?? cwd, 'scalegate-verdict.json'),
  );
  await checkOutputPath(out, 'out');
  const source = await resolveGateSource({
    gates: optionalInput('gates'),
    env: optionalInput('env'),
    cwd,
  });
  const token = optionalInput('bearer-token');
  const password = optionalInput('basic-auth-password');
  for (const secret of [token, password]) if (secret) core.setSecret(secret);
  const username = optionalInput('basic-auth-username');
  const client = new PrometheusClient(
    connectionOptions(
      {
        url: optionalInput('prometheus-url'),
        bearerToken: token,
        basic: username !== undefined && password !== undefined ? { username, password } : undefined,
        headers: parseHeaderLines(core.getMultilineInput('headers')),
        ca: optionalInput('ca') && resolve(cwd, optionalInput('ca')!),
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
