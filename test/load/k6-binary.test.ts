import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { selectRunner } from '../../actions/lib/load/index.js';
import { findK6, keyNumbersFromExport, runK6Binary } from '../../actions/lib/load/k6-binary.js';
import { eventually } from '../support/eventually.js';
import { startNodeProgram } from '../support/node-program.js';

const fixtures = fileURLToPath(new URL('../fixtures/k6/', import.meta.url));

/**
 * A stand-in `k6` executable: records its argv, writes the summary export and NDJSON files it was asked for, and
 * exits with the code from FAKE_K6_EXIT, as the real binary would after a run.
 */
const fakeK6 = `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.writeFileSync(process.env.FAKE_K6_ARGS, JSON.stringify(args));
const summary = args.find((a) => a.startsWith('--summary-export=')).slice('--summary-export='.length);
const out = args[args.indexOf('--out') + 1].slice('json='.length);
const point = (metric, value, time, tags) => JSON.stringify({ metric, type: 'Point', data: { time, value, tags } });
fs.writeFileSync(out, [
  point('http_reqs', 1, '2026-01-01T00:00:01.000Z', { scenario: 'default' }),
  point('http_req_duration', 12, '2026-01-01T00:00:01.000Z', { scenario: 'default' }),
  point('http_reqs', 1, '2026-01-01T00:00:04.500Z', { scenario: 'default' }),
].join('\\n') + '\\n');
fs.writeFileSync(summary, JSON.stringify({ metrics: {
  http_reqs: { count: 2, rate: 0.5 },
  http_req_duration: { avg: 11, 'p(95)': 12, 'p(99)': 12.5, thresholds: { 'p(95)<500': false } },
  http_req_failed: { value: 0.25, passes: 1, fails: 3, thresholds: { 'rate<0.1': process.env.FAKE_K6_EXIT === '99' } },
  iterations: { count: 2, rate: 0.5 },
} }, null, 4));
process.stdout.write('summary text\\n');
process.exit(Number(process.env.FAKE_K6_EXIT || 0));
`;

describe('k6 binary runner', () => {
  let dir: string;
  let savedPath: string | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scalegate-fake-k6-'));
    await writeFile(join(dir, 'k6'), fakeK6);
    await chmod(join(dir, 'k6'), 0o755);
    savedPath = process.env.PATH;
  });
  after(async () => {
    process.env.PATH = savedPath;
    delete process.env.FAKE_K6_EXIT;
    delete process.env.FAKE_K6_ARGS;
    await rm(dir, { recursive: true, force: true });
  });

  it('auto picks k6 only when it is on PATH', () => {
    assert.equal(findK6({ PATH: dir }), join(dir, 'k6'));
    assert.equal(selectRunner('auto', { PATH: dir }), 'k6');
    assert.equal(selectRunner('auto', { PATH: join(dir, 'none') }), 'builtin');
    assert.equal(selectRunner('operator', { PATH: dir }), 'operator');
  });

  it('passes flags through and reads the summary export, NDJSON windows and exit code', async () => {
    process.env.FAKE_K6_ARGS = join(dir, 'args.json');
    process.env.FAKE_K6_EXIT = '99';
    let stdout = '';
    const summaryExport = join(dir, 'summary.json');
    const result = await runK6Binary(
      {
        script: join(fixtures, 'long-run.js'),
        env: { TARGET: 'http://127.0.0.1:1' },
        stages: '2s:3,1s:0',
        summaryExport,
        k6Args: ['--quiet'],
        stdout: (text) => {
          stdout += text;
        },
        log: () => undefined,
      },
      join(dir, 'k6'),
    );
    const args = JSON.parse(await readFile(join(dir, 'args.json'), 'utf8'));
    assert.deepEqual(args.slice(0, 1), ['run']);
    assert.equal(args[1], `--summary-export=${summaryExport}`);
    assert.ok(args.includes('--summary-trend-stats=avg,min,med,max,p(90),p(95),p(99)'), 'p(99) requested');
    assert.deepEqual(args.slice(args.indexOf('-e'), args.indexOf('-e') + 2), [
      '-e',
      'TARGET=http://127.0.0.1:1',
    ]);
    assert.deepEqual(
      args.flatMap((a: string, i: number) => (a === '--stage' ? [args[i + 1]] : [])),
      ['2s:3', '1s:0'],
    );
    assert.deepEqual(args.slice(-2), ['--quiet', join(fixtures, 'long-run.js')]);
    assert.equal(stdout, 'summary text\n');
    assert.equal(result.exitCode, 99);
    assert.equal(result.runner, 'k6');
    assert.equal(result.thresholdsPassed, false);
    assert.equal(result.summaryPath, summaryExport);
    assert.deepEqual(result.metrics, {
      requests: 2,
      requestRate: 0.5,
      p95Ms: 12,
      p99Ms: 12.5,
      errorRate: 0.25,
      iterations: 2,
      droppedIterations: 0,
      checksPassRate: undefined,
    });
    // The --stages override makes the scenario a ramping-vus whose start is the first sample k6 wrote.
    const [scenario] = result.windows.scenarios;
    assert.equal(scenario!.executor, 'ramping-vus');
    assert.equal(scenario!.start, '2026-01-01T00:00:01.000Z');
    assert.equal(scenario!.end, '2026-01-01T00:00:04.500Z');
    assert.deepEqual(
      scenario!.stages.map((s) => [s.start, s.end, s.target]),
      [
        ['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:03.000Z', 3],
        ['2026-01-01T00:00:03.000Z', '2026-01-01T00:00:04.000Z', 0],
      ],
    );
  });

  it('k6 dies with scalegate when scalegate is SIGKILLed, so no load goes on unattended', async () => {
    // A k6 that prints its pid as a JSON line, then becomes `sleep` (one pid throughout, as the real binary runs).
    const sleeper = join(dir, 'k6-sleeps');
    await writeFile(sleeper, '#!/bin/sh\necho $$\nexec sleep 600\n');
    await chmod(sleeper, 0o755);
    const script = join(dir, 'idle.js');
    await writeFile(script, 'export default function () {}\n');
    const parent = startNodeProgram([
      '--import',
      'tsx',
      'test/fixtures/process-lifetime/hold-k6.ts',
      sleeper,
      script,
    ]);
    const pid = await parent.firstJsonLine<number>('the k6 runner', 30_000);
    const program = async () =>
      (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')[0] || undefined;
    await eventually('k6 to be running', async () => (await program()) === 'sleep');
    parent.child.kill('SIGKILL');
    await eventually('k6 to end with scalegate', async () => (await program()) === undefined, {
      timeoutMs: 10_000,
    });
  });

  it('reads thresholds as failed when the export marks them true', () => {
    assert.equal(
      keyNumbersFromExport({ metrics: { a: { thresholds: { 'x<1': true } } } }).thresholdsPassed,
      false,
    );
    assert.equal(
      keyNumbersFromExport({ metrics: { a: { thresholds: { 'x<1': false } } } }).thresholdsPassed,
      true,
    );
  });
});
