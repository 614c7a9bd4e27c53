import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../../cli/main.js';
import { startTarget, type TargetServer } from './target-server.js';

const fixtures = fileURLToPath(new URL('../fixtures/k6/', import.meta.url));

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => {
    out += c;
  });
  stderr.on('data', (c) => {
    err += c;
  });
  return { stdout, stderr, text: () => ({ out, err }) };
}

describe('scalegate load', () => {
  let target: TargetServer;
  let dir: string;
  before(async () => {
    target = await startTarget();
    dir = await mkdtemp(join(tmpdir(), 'scalegate-load-cli-'));
  });
  after(async () => {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a script with -e and --stages, writing windows, summary export and NDJSON', async () => {
    const io = capture();
    const windows = join(dir, 'windows.json');
    const code = await main(
      [
        'load',
        '--script',
        join(fixtures, 'long-run.js'),
        '--runner',
        'builtin',
        '-e',
        `TARGET=${target.url}`,
        '--stages',
        '1s:2,1s:0',
        '--windows',
        windows,
        '--summary-export',
        join(dir, 'summary.json'),
        '--out',
        `json=${join(dir, 'points.json')}`,
      ],
      { ...io, cwd: dir },
    );
    assert.equal(code, 0, io.text().err);
    const written = JSON.parse(await readFile(windows, 'utf8'));
    assert.equal(written.scenarios[0].executor, 'ramping-vus');
    assert.deepEqual(
      written.scenarios[0].stages.map((s: { durationMs: number; target: number }) => [
        s.durationMs,
        s.target,
      ]),
      [
        [1000, 2],
        [1000, 0],
      ],
    );
    assert.match(written.start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(target.requests.length > 0, 'requests were sent');
    assert.ok(
      target.requests.every((r) => r.path === '/tick'),
      'only the script requests',
    );
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    assert.equal(summary.metrics.http_reqs.count, target.requests.length);
    assert.match(io.text().out, /http_reqs/);
  });

  it('returns k6 exit codes and one-line usage errors', async () => {
    const io = capture();
    assert.equal(
      await main(['load', '--script', join(fixtures, 'bad-threshold.js'), '--runner', 'builtin'], io),
      104,
    );
    assert.equal(
      await main(['load', '--script', join(fixtures, 'init-error.js'), '--runner', 'builtin'], io),
      107,
    );
    assert.equal(await main(['load', '--runner', 'builtin'], io), 2);
    assert.equal(await main(['load', '--script', 'x.js', '--runner', 'jmeter'], io), 2);
    assert.equal(await main(['load', '--script', 'x.js', '--out', 'csv=x'], io), 2);
    assert.equal(await main(['load', '--script', 'x.js', '-e', 'no-equals'], io), 2);
    const { err } = io.text();
    assert.match(err, /--script is required/);
    assert.match(err, /--runner must be auto, k6, builtin or operator, got 'jmeter'/);
    assert.match(err, /--out supports json=<file>/);
  });
});
