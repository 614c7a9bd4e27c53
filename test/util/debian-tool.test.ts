import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type DebianTool, ensureTool, findTool } from '../../cli/local/debian-tool.js';

const tool: DebianTool = {
  title: 'Example',
  package: 'example-pkg',
  binaries: ['example', 'example-alt'],
  envVar: 'EXAMPLE_BIN',
};

test('finds the binary named by the environment variable first, else the first name on PATH', async () => {
  const first = await mkdtemp(join(tmpdir(), 'scalegate-tool-a-'));
  const second = await mkdtemp(join(tmpdir(), 'scalegate-tool-b-'));
  try {
    await writeFile(join(second, 'example-alt'), '#!/bin/sh\n', { mode: 0o755 });
    await writeFile(join(first, 'example'), 'not executable\n', { mode: 0o644 });
    assert.equal(findTool(tool, { PATH: `${first}:${second}` }), join(second, 'example-alt'));
    assert.equal(findTool(tool, { PATH: `${first}:${second}`, EXAMPLE_BIN: '/bin/true' }), '/bin/true');
    assert.equal(
      findTool(tool, { PATH: `${first}:${second}`, EXAMPLE_BIN: '/nonexistent/example' }),
      undefined,
    );
  } finally {
    await rm(first, { recursive: true, force: true });
    await rm(second, { recursive: true, force: true });
  }
});

test('a missing tool without permission to install is a one-line error naming the package and the variable', () => {
  const saved = process.env.EXAMPLE_BIN;
  process.env.EXAMPLE_BIN = '/nonexistent/example';
  try {
    assert.throws(
      () => ensureTool(tool, { install: false }),
      (error: Error) =>
        error.message ===
        'Example is not installed: install it (apt-get install --no-install-recommends example-pkg) or set EXAMPLE_BIN',
    );
  } finally {
    if (saved === undefined) delete process.env.EXAMPLE_BIN;
    else process.env.EXAMPLE_BIN = saved;
  }
});
