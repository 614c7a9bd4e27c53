import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { repoRoot, runCli } from '../settings/cli-harness.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scalegate-regression-cli-'));
  await writeFile(
    join(dir, 'windows.json'),
    JSON.stringify({ start: '2026-11-22T03:00:00.000Z', end: '2026-11-22T03:01:00.000Z', scenarios: [] }),
  );
  await writeFile(join(dir, 'old-history.json'), JSON.stringify({ schemaVersion: 'v0', runs: [] }));
});
after(() => rm(dir, { recursive: true, force: true }));

it('scalegate regression refuses bad usage and unreadable files with one line and exit code 2', async () => {
  const w = join(dir, 'windows.json');
  const cases: Array<[string[], RegExp]> = [
    [['regression', '--windows', w, '--history', 'h.json'], /^scalegate regression: --env is required\n$/],
    [
      ['regression', '--env', 'dev', '--history', 'h.json'],
      /^scalegate regression: --windows is required\n$/,
    ],
    [['regression', '--env', 'dev', '--windows', w], /^scalegate regression: --history is required\n$/],
    [
      ['regression', '--env', 'dev', '--windows', w, '--history', 'h.json', '--step', 'soon'],
      /^scalegate regression: --step: expected a duration such as 15s \(got 'soon'\)\n$/,
    ],
    [
      ['regression', '--env', 'dev', '--windows', w, '--history', 'h.json', '--criterion', 'p95: <=+5%'],
      /^criteria 'p95: <=\+5%': expected '<figure>: <criterion>' with a figure among timeToScaleOutSeconds, /,
    ],
    [
      ['regression', '--env', 'dev', '--windows', w, '--history', join(dir, 'old-history.json')],
      /^history file .*old-history.json: history for dev: schemaVersion 'v0' is not scalegate.dev\/history\/v1\n$/,
    ],
  ];
  for (const [argv, message] of cases) {
    const result = await runCli(argv, repoRoot);
    assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
});
