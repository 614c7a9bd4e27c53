import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { spawnTied } from '../../actions/lib/util/tied-spawn.js';
import { eventually } from '../support/eventually.js';
import { startNodeProgram } from '../support/node-program.js';

/** The program a pid runs now (after every exec), or undefined once it has ended. */
const programOf = async (pid: number) =>
  (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')[0] || undefined;

describe('spawnTied', () => {
  it('runs the binary itself under the pid it returns, and passes signals and exit codes through', async () => {
    const child = spawnTied('sleep', ['600'], { stdio: 'ignore' });
    const pid = child.pid as number;
    await eventually('sleep to be exec-ed', async () => (await programOf(pid)) === 'sleep');
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 'SIGTERM');

    const failing = spawnTied(process.execPath, ['-e', 'process.exit(3)'], { stdio: 'ignore' });
    assert.equal(await new Promise((resolve) => failing.once('exit', resolve)), 3);
  });

  it('the child dies when its parent is SIGKILLed', async () => {
    const parent = startNodeProgram(['--import', 'tsx', 'test/fixtures/process-lifetime/hold-sleep.ts']);
    const pid = await parent.firstJsonLine<number>('the parent', 20_000);
    await eventually('sleep to be exec-ed', async () => (await programOf(pid)) === 'sleep');
    parent.child.kill('SIGKILL');
    await eventually('the child to end with its parent', async () => (await programOf(pid)) === undefined, {
      timeoutMs: 10_000,
    });
  });
});
