#!/usr/bin/env node
// Bundles every action entry (actions/<name>/index.ts, and post.ts where present: one-line entries that run what
// main.ts exports) into dist/<name>/ with esbuild.
// GitHub runs actions without `npm install`, so dist/ is committed; `--check` rebuilds into a temporary folder and
// fails when the committed dist/ differs from what the sources produce.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { parse } from 'yaml';

const root = new URL('..', import.meta.url).pathname;
const check = process.argv.includes('--check');

async function exists(path) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function actionEntries() {
  const entries = {};
  for (const name of (await readdir(join(root, 'actions'))).sort()) {
    for (const [source, output] of [
      ['index.ts', 'index'],
      ['post.ts', 'post'],
    ]) {
      const file = join(root, 'actions', name, source);
      if (await exists(file)) entries[`${name}/${output}`] = file;
    }
  }
  // Worker threads are loaded by path at run time, so each needs a bundle of its own next to the actions.
  const workers = join(root, 'actions', 'lib', 'workers');
  if (await exists(workers)) {
    for (const file of (await readdir(workers)).sort()) {
      if (file.endsWith('.ts')) entries[`workers/${file.slice(0, -3)}`] = join(workers, file);
    }
  }
  return entries;
}

/**
 * The Node runtime the actions declare (`runs.using: node24` in every action.yml), as esbuild's target: the bundles
 * are built for the runtime GitHub runs them on. Actions that disagree are an error, not a lowest common target.
 */
async function declaredRuntime() {
  const runtimes = new Set();
  for (const name of await readdir(join(root, 'actions'))) {
    const file = join(root, 'actions', name, 'action.yml');
    if (await exists(file)) runtimes.add(parse(await readFile(file, 'utf8')).runs?.using);
  }
  const [runtime, ...others] = runtimes;
  if (others.length > 0 || !/^node\d+$/.test(runtime ?? ''))
    throw new Error(
      `actions/*/action.yml must all declare one runs.using nodeNN (found ${[...runtimes].join(', ')})`,
    );
  return runtime;
}

async function bundle(outdir) {
  await build({
    entryPoints: await actionEntries(),
    outdir,
    bundle: true,
    platform: 'node',
    target: await declaredRuntime(),
    format: 'esm',
    splitting: false,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    // Some bundled dependencies are CommonJS and call require(); ESM output needs one in scope.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
}

async function listFiles(dir) {
  if (!(await exists(dir))) return [];
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath ?? entry.path, entry.name)));
  }
  return out.sort();
}

if (!check) {
  await rm(join(root, 'dist'), { recursive: true, force: true });
  await bundle(join(root, 'dist'));
} else {
  const fresh = await mkdtemp(join(tmpdir(), 'scalegate-dist-'));
  try {
    await bundle(fresh);
    const [want, have] = [await listFiles(fresh), await listFiles(join(root, 'dist'))];
    const problems = [];
    for (const file of want) {
      if (!have.includes(file)) problems.push(`missing dist/${file}`);
      else if (!(await readFile(join(fresh, file))).equals(await readFile(join(root, 'dist', file))))
        problems.push(`stale dist/${file}`);
    }
    for (const file of have) if (!want.includes(file)) problems.push(`extra dist/${file}`);
    if (problems.length > 0) {
      console.error(`dist/ does not match the sources (run npm run build):\n  ${problems.join('\n  ')}`);
      process.exit(1);
    }
    console.log(`dist/ matches the sources (${want.length} files)`);
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }
}
