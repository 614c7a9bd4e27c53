/**
 * The action-entry kit: inputs read one way, `run()` callable in-process (no bundle, no child process), and the
 * cancellation every step and command shares. The bundled entries are run as the runner runs them in
 * test/workflows; here the same `run()` is called directly with INPUT_* set, as GitHub's runner would set them.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { run as gate } from '../../actions/gate/main.js';
import { choiceInput, durationInput, optionalInput } from '../../actions/lib/action/inputs.js';
import { renderEnvironment } from '../../actions/lib/render/index.js';
import { loadEnvironment } from '../../actions/lib/settings/index.js';
import { UsageError } from '../../actions/lib/util/errors.js';
import { ExitCode } from '../../actions/lib/util/exit-codes.js';
import { cancelledExitCode, onTermination } from '../../actions/lib/util/termination.js';
import { run as render } from '../../actions/render/main.js';

const root = new URL('../..', import.meta.url).pathname;
const saved = { ...process.env };

/** Sets inputs the way the runner does: INPUT_<NAME>, upper-cased, empty when not given. */
function inputs(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

describe('action inputs', () => {
  it('treats an empty input as not given and validates choices and durations with one-line errors', () => {
    inputs({ track: 'canary', 'fail-on': '', step: '30s', timeout: 'soon', mode: 'sideways' });
    assert.equal(optionalInput('fail-on'), undefined);
    assert.equal(choiceInput('track', ['stable', 'canary']), 'canary');
    assert.equal(choiceInput('fail-on', ['fail', 'inconclusive', 'never'], 'never'), 'never');
    assert.throws(
      () => choiceInput('mode', ['up', 'down']),
      (error: unknown) =>
        error instanceof UsageError && error.message === "mode: expected up or down (got 'sideways')",
    );
    assert.throws(
      () => choiceInput('absent', ['a', 'b', 'c']),
      /^UsageError: absent: expected a, b or c \(got ''\)$/,
    );
    assert.equal(durationInput('step', 15_000), 30_000);
    assert.equal(durationInput('absent', 15_000), 15_000);
    assert.throws(
      () => durationInput('timeout', 10_000),
      /^UsageError: timeout: expected a duration such as 15s \(got 'soon'\)$/,
    );
  });
});

describe('run() of an action, in-process', () => {
  it('render writes the manifests and sets its outputs', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'scalegate-entry-'));
    try {
      const outputFile = join(scratch, 'github-output');
      await writeFile(outputFile, '');
      process.env.GITHUB_WORKSPACE = root;
      process.env.GITHUB_OUTPUT = outputFile;
      inputs({ env: 'staging', track: 'stable', out: join(scratch, 'out'), format: 'yaml', image: '' });
      await render();
      const expected = await renderEnvironment(await loadEnvironment('staging', { cwd: root }), {
        track: 'stable',
        cwd: root,
      });
      const outputs = await readFile(outputFile, 'utf8');
      assert.match(outputs, new RegExp(`^digest<<.+\\n${expected.digest}\\n`, 'm'));
      assert.equal((await readdir(join(scratch, 'out'))).length, expected.objects.length);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('gate refuses a bad input before it reads a gate or asks Prometheus', async () => {
    inputs({ 'fail-on': 'sometimes' });
    await assert.rejects(
      gate(),
      (error: unknown) =>
        error instanceof UsageError &&
        error.exitCode === ExitCode.usage &&
        error.message === "fail-on: expected fail, inconclusive or never (got 'sometimes')",
    );
  });
});

describe('cancellation', () => {
  it('aborts one signal on the first SIGINT or SIGTERM, names it, and stops listening when disposed', () => {
    const before = process.listenerCount('SIGTERM');
    const announced: string[] = [];
    const termination = onTermination((signal) => announced.push(signal));
    assert.equal(process.listenerCount('SIGTERM'), before + 1);
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGINT', 'SIGINT');
    assert.equal(termination.signal.aborted, true);
    assert.equal(termination.received, 'SIGTERM');
    assert.deepEqual(announced, ['SIGTERM']);
    assert.equal(cancelledExitCode('SIGTERM'), ExitCode.terminated);
    assert.equal(cancelledExitCode('SIGINT'), ExitCode.interrupted);
    termination.dispose();
    assert.equal(process.listenerCount('SIGTERM'), before);
  });
});
