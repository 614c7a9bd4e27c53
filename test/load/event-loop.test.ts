import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RunLoadOptions } from '../../actions/lib/load/types.js';
import { eventually } from '../support/eventually.js';
import { builtinRuns } from './builtin-runs.js';
import { startTarget, type TargetServer } from './target-server.js';

const fixtures = fileURLToPath(new URL('../fixtures/k6/', import.meta.url));

describe('builtin engine: the event loop of each VU and the interruption of iterations', () => {
  let target: TargetServer;
  const runs = builtinRuns(fixtures, () => ({ env: { TARGET: target.url }, stdout: () => undefined }));
  const { logs } = runs;
  const run = (script: string, extra: Partial<RunLoadOptions> = {}) => {
    target.requests.length = 0;
    return runs.run(script, extra);
  };
  const count = (path: string) => target.requests.filter((r) => r.path === path).length;

  before(async () => {
    target = await startTarget();
  });
  after(() => target.close());

  it('runs async setup and iterations to the end of their promises and timers', async () => {
    const result = await run('async-vu.js');
    assert.equal(result.exitCode, 0, logs.join('\n'));
    assert.equal(count('/setup'), 1);
    for (const path of ['/after-await', '/async/a', '/async/b', '/timer', '/top-level-await'])
      assert.equal(count(path), 4, `${path} once per iteration`);
    assert.equal(result.metrics.iterations, 4);
    assert.equal(result.metrics.checksPassRate, 1);
    assert.equal(target.requests.find((r) => r.path === '/async/b')!.body, 'x=1');
  });

  it('fails an iteration on an error thrown in a timer, an unhandled rejection or after an await', async () => {
    const result = await run('async-errors.js');
    assert.equal(result.exitCode, 0, logs.join('\n'));
    assert.equal(result.metrics.iterations, 3);
    for (const message of ['thrown in a timer', 'rejected without a handler', 'thrown after an await'])
      assert.ok(
        logs.some((l) => l.startsWith('ERRO') && l.includes(message)),
        `logged: ${message}\n${logs.join('\n')}`,
      );
    assert.equal(count('/last'), 1);
  });

  it('interrupts iterations that never yield at the end of gracefulStop, counting none as complete', async () => {
    const result = await run('busy-iterations.js');
    assert.equal(result.exitCode, 0, logs.join('\n'));
    assert.equal(count('/busy/cpu'), 1);
    assert.equal(count('/busy/microtasks'), 1);
    assert.equal(result.metrics.iterations, 0);
    const took = Date.parse(result.windows.end) - Date.parse(result.windows.start);
    assert.ok(took < 30_000, `ended long before the 30 s loops would (${took} ms)`);
  });

  it('gives a VU stopped while busy a fresh thread that serves its next iterations with the setup data', async () => {
    const result = await run('revived-vu.js');
    assert.equal(result.exitCode, 0, logs.join('\n'));
    assert.equal(count('/busy/start'), 1);
    assert.ok(count('/revived/abc/1') > 0, 'the revived VU 1 iterated with the setup data');
    assert.ok(
      !target.requests.some((r) => r.path.startsWith('/revived/undefined')),
      'never without setup data',
    );
  });

  it('ends a run stuck on the CPU when aborted (SIGTERM), with exit code 105', async () => {
    const controller = new AbortController();
    const poll = setInterval(() => {
      if (count('/busy/start') > 0) controller.abort();
    }, 20);
    const result = await run('busy-abort.js', { signal: controller.signal }).finally(() =>
      clearInterval(poll),
    );
    assert.equal(result.exitCode, 105);
    const took = Date.parse(result.windows.end) - Date.parse(result.windows.start);
    assert.ok(took < 60_000, `ended before the planned 60 s (${took} ms)`);
  });

  it('scalegate load ends on SIGTERM with exit code 105 while its VU is stuck on the CPU', async () => {
    target.requests.length = 0;
    const bin = fileURLToPath(new URL('../../bin/scalegate.mjs', import.meta.url));
    const dir = await mkdtemp(join(tmpdir(), 'scalegate-sigterm-'));
    const windows = join(dir, 'windows.json');
    const args = [
      'load',
      '--runner',
      'builtin',
      '--script',
      `${fixtures}busy-abort.js`,
      '--windows',
      windows,
    ];
    const child = spawn(process.execPath, [bin, ...args, '-e', `TARGET=${target.url}`], { stdio: 'ignore' });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    await eventually('the stuck iteration to start', () => count('/busy/start') > 0, { timeoutMs: 60_000 });
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    assert.equal(signal, null, 'exited by itself, not killed by the signal');
    assert.equal(code, 105);
    const { start, end } = JSON.parse(await readFile(windows, 'utf8')) as { start: string; end: string };
    await rm(dir, { recursive: true, force: true });
    assert.ok(Date.parse(end) - Date.parse(start) < 60_000, 'ended before the 60 s iteration and scenario');
  });
});
