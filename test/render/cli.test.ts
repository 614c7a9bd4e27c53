// The CLI (in-process, plus one run of the real binary) and the action entry (as a process, as GitHub runs it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { renderEnvironment } from '../../actions/lib/render/index.js';
import { loadEnvironment } from '../../actions/lib/settings/index.js';
import { repoRoot as root, runCli } from '../settings/cli-harness.js';

function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 120_000, env });
}

async function library(ref: string, options: Parameters<typeof renderEnvironment>[1] = {}) {
  return renderEnvironment(await loadEnvironment(ref, { cwd: root }), { cwd: root, ...options });
}

describe('scalegate render', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'scalegate-render-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('the real binary prints the same multi-document YAML as another run', async () => {
    const result = run(['bin/scalegate.mjs', 'render', '--env', 'staging']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, (await library('staging')).documents);
    const inProcess = await runCli(['render', '--env', 'staging']);
    assert.equal(inProcess.stdout, result.stdout);
    const documents = parseAllDocuments(result.stdout);
    assert.equal(documents.length, 11);
    assert.ok(documents.every((doc) => doc.errors.length === 0));
  });

  it('-o json prints a v1 List of the same objects', async () => {
    const result = await runCli([
      'render',
      '--env',
      'prod',
      '-o',
      'json',
      '--track',
      'canary',
      '--canary-weight',
      '5',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const list = JSON.parse(result.stdout);
    assert.equal(list.kind, 'List');
    const expected = await library('prod', { track: 'canary', canaryWeight: 5 });
    assert.deepEqual(list.items, JSON.parse(JSON.stringify(expected.objects)));
  });

  it('--out writes one file per object and replaces the files of an earlier render', async () => {
    const out = join(scratch, 'dev');
    const all = await runCli(['render', '--env', 'dev', '--out', out]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stderr, /^rendered 9 objects of dev into .* \(sha256:[0-9a-f]{64}\)\n$/);
    assert.equal((await readdir(out)).length, 9);
    await writeFile(join(out, 'notes.txt'), 'not rendered');
    const canary = await runCli(['render', '--env', 'dev', '--track', 'canary', '--out', out, '-o', 'json']);
    assert.equal(canary.code, 0, canary.stderr);
    assert.deepEqual((await readdir(out)).sort(), [
      '01-service-web-canary.json',
      '02-deployment-web-canary.json',
      '03-horizontalpodautoscaler-web-canary.json',
      'notes.txt',
    ]);
    const deployment = JSON.parse(await readFile(join(out, '02-deployment-web-canary.json'), 'utf8'));
    assert.equal(deployment.metadata.name, 'web-canary');
  });

  it('validate --all checks every shipped environment', async () => {
    const result = await runCli(['validate', '--all']);
    assert.equal(result.code, 0, result.stderr);
    const digests = await Promise.all(
      ['dev', 'prod', 'staging'].map(async (env) => (await library(env)).digest),
    );
    assert.deepEqual(
      result.stdout.split('\n').filter(Boolean),
      ['dev', 'prod', 'staging'].map((env, i) => {
        const count = env === 'dev' ? 9 : env === 'prod' ? 15 : 11;
        return `environments/${env}.yaml: ok (${count} objects, ${digests[i]})`;
      }),
    );
  });
});

describe('actions/render (process)', () => {
  it('writes the files and sets the manifests, count and digest outputs', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'scalegate-action-'));
    try {
      const outputFile = join(scratch, 'github-output');
      await writeFile(outputFile, '');
      const result = run(['--import', 'tsx', 'actions/render/index.ts'], {
        ...process.env,
        GITHUB_WORKSPACE: root,
        GITHUB_OUTPUT: outputFile,
        INPUT_ENV: 'staging',
        INPUT_TRACK: 'all',
        INPUT_OUT: join(scratch, 'out'),
        INPUT_FORMAT: 'yaml',
        'INPUT_CANARY-WEIGHT': '10',
        INPUT_IMAGE: '',
      });
      assert.equal(result.status, 0, result.stdout + result.stderr);
      const outputs = await readFile(outputFile, 'utf8');
      const expected = await library('staging', { canaryWeight: 10 });
      const value = (name: string) => new RegExp(`^${name}<<(.+)\\n([^]*?)\\n\\1$`, 'm').exec(outputs)?.[2];
      assert.equal(value('manifests'), join(scratch, 'out'));
      assert.equal(value('count'), String(expected.objects.length));
      assert.equal(value('digest'), expected.digest);
      assert.equal((await readdir(join(scratch, 'out'))).length, expected.objects.length);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('fails the step with the one-line settings error', () => {
    const result = run(['--import', 'tsx', 'actions/render/index.ts'], {
      ...process.env,
      GITHUB_WORKSPACE: root,
      INPUT_ENV: 'test/fixtures/settings/bad/typo.yaml',
    });
    assert.equal(result.status, 1);
    assert.match(
      result.stdout,
      /::error::test\/fixtures\/settings\/bad\/typo.yaml:6:3: service.replicaz: unknown field \(did you mean 'replicas'\?\)/,
    );
  });
});
