import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderHtmlReport } from '../../actions/lib/report/html.js';
import { renderMarkdownReport } from '../../actions/lib/report/markdown.js';
import { runCli } from '../settings/cli-harness.js';
import { sampleVerdict, sampleWindows } from './report-fixtures.js';

describe('scalegate report', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scalegate-report-cli-'));
    await writeFile(join(dir, 'verdict.json'), JSON.stringify(sampleVerdict()));
    await writeFile(join(dir, 'windows.json'), JSON.stringify(sampleWindows));
    await writeFile(join(dir, 'old.json'), JSON.stringify({ ...sampleVerdict(), schemaVersion: 'v0' }));
    // A quantity must be a number: the report never parses text such as "300ms" again.
    const bad = structuredClone(sampleVerdict());
    bad.gates[0]!.threshold = { maxMs: { value: 300 } as unknown as number };
    await writeFile(join(dir, 'bad-threshold.json'), JSON.stringify(bad));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('prints the Markdown report of a verdict and its windows', async () => {
    const result = await runCli(
      ['report', '--verdict', 'verdict.json', '--windows', 'windows.json', '--env', 'staging'],
      dir,
    );
    assert.equal(result.code, 0, result.stderr);
    const expected = renderMarkdownReport({
      verdict: sampleVerdict(),
      environment: 'staging',
      windows: sampleWindows,
      links: {},
    });
    assert.equal(result.stdout, expected);
  });

  it('writes the HTML page and one SVG per chart', async () => {
    const result = await runCli(
      [
        'report',
        '--verdict',
        'verdict.json',
        '--format',
        'html',
        '--out',
        'report.html',
        '--charts-dir',
        'charts',
        '--prometheus-url',
        'http://p:9090',
      ],
      dir,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^wrote report.html \(fail: 2\/4 gates passed;/);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    assert.equal(
      html,
      renderHtmlReport({
        verdict: sampleVerdict(),
        environment: 'local',
        links: { prometheusUrl: 'http://p:9090' },
      }),
    );
    assert.deepEqual((await readdir(join(dir, 'charts'))).sort(), [
      'latency.svg',
      'pendingPods.svg',
      'replicas.svg',
    ]);
    assert.match(await readFile(join(dir, 'charts', 'replicas.svg'), 'utf8'), /^<svg xmlns=/);
  });

  it('refuses bad usage and unreadable inputs with one line and exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['report'], /^scalegate report: --verdict is required\n$/],
      [
        ['report', '--verdict', 'verdict.json', '--format', 'pdf'],
        /^scalegate report: --format: expected md or html \(got 'pdf'\)\n$/,
      ],
      [
        ['report', '--verdict', 'missing.json'],
        /^\S*missing.json:1:1: cannot read verdict file \(ENOENT\)\n$/,
      ],
      [
        ['report', '--verdict', 'old.json'],
        /^verdict file .*old.json: schemaVersion: expected scalegate.dev\/verdict\/v2 \(got "v0"\)\n$/,
      ],
      [
        ['report', '--verdict', 'bad-threshold.json'],
        /^verdict file .*bad-threshold.json: gates\[0\]\.threshold\.maxMs: Invalid input[^\n]*\n$/,
      ],
      [
        ['report', '--verdict', 'verdict.json', '--windows', 'verdict.json'],
        /^windows file .*verdict.json: expected the load step's windows \{start, end, scenarios\}\n$/,
      ],
    ];
    for (const [argv, message] of cases) {
      const result = await runCli(argv, dir);
      assert.equal(result.code, 2, argv.join(' '));
      assert.match(result.stderr, message);
    }
  });
});
