/** What reaches the Actions log and Markdown cannot act: no workflow command, no live link or image, no new row. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { logSafe } from '../../actions/lib/util/log-safe.js';
import { escapeMarkdown } from '../../actions/lib/util/markdown-escape.js';
import { runCli } from '../gates/run-cli.js';

test('logSafe: no line of the text can be read as a workflow command', () => {
  const text = 'gate p95\n::add-mask::x\r::error file=a::boom\n  ##[set-output name=x]1\nfine :: here';
  const lines = logSafe(text).split('\n');
  assert.equal(lines.length, 5);
  for (const line of lines) assert.doesNotMatch(line, /^\s*(::|##\[)/);
  assert.equal(lines[0], 'gate p95');
  assert.equal(lines[4], 'fine :: here');
});

test('escapeMarkdown: links, images, HTML, pipes and line breaks stay literal', () => {
  assert.equal(
    escapeMarkdown('![x](https://t.example/p.png) [click](https://evil) <b>|</b>\nnext'),
    '\\!\\[x\\](https://t.example/p.png) \\[click\\](https://evil) &lt;b&gt;\\|&lt;/b&gt; next',
  );
});

test('a gate name carrying a workflow command or Markdown is rejected at validation, on one line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'scalegate-names-'));
  try {
    for (const name of ['"p95\\n::add-mask::secret"', '"[x](https://evil)"', '"::error::x"']) {
      await writeFile(
        join(dir, 'gates.yaml'),
        `gates:\n  - name: ${name}\n    type: latency\n    max: 300ms\n`,
      );
      const result = await runCli(
        ['gate', '--prometheus', 'http://127.0.0.1:9', '--gates', 'gates.yaml', '--start', '1', '--end', '2'],
        dir,
      );
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /^gates\.yaml:2:\d+: gates\[0\]\.name: .*a gate name: letters, digits/);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
