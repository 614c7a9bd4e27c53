/**
 * Seeded fuzzing of everything a user or an earlier step hands scalegate: the shipped settings files, gate files
 * built from their gate lists, the load step's windows and a verdict. Each case is mutated (a key removed, renamed
 * or added, a value replaced by something odd) and run through the CLI in-process. Accepted outcomes: exit 2 with
 * one line naming the file, or success whose rendered objects pass the API server's name, label and quantity
 * rules. Never a stack trace, never another exit code, never a hang. SCALEGATE_FUZZ_SEED replays a run.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { renderEnvironment } from '../../actions/lib/render/index.js';
import { loadEnvironment } from '../../actions/lib/settings/index.js';
import { parseQuantity } from '../../actions/lib/util/quantity.js';
import { sampleVerdict, sampleWindows } from '../report/report-fixtures.js';
import { repoRoot, runCli } from './cli-harness.js';

const seed = Number(process.env.SCALEGATE_FUZZ_SEED ?? 20261206);
const perCaseMs = 10_000;

/** mulberry32: small, seeded, good enough to pick mutations reproducibly. */
function prng(start: number): () => number {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const oddValues: unknown[] = [
  null,
  '',
  -100,
  -1,
  0,
  1.5,
  1e308,
  Number.POSITIVE_INFINITY,
  '-100m',
  '.inf',
  '1web',
  'Web_App',
  'x'.repeat(70),
  'a'.repeat(300),
  'line\n::error::injected',
  '[link](https://evil.example)',
  '25d',
  '10000h',
  'localhost:9090',
  'http://user:pass@127.0.0.1:9090',
  '(((((',
  '*',
  true,
  [],
  [1, 'two'],
  {},
  { unexpected: 1 },
  '0',
  '1s',
  '99%',
  '2026-13-45T99:99:99Z',
];

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = []): Path[] {
  const found: Path[] = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value))
    for (const [i, item] of value.entries()) found.push(...paths(item, [...prefix, i]));
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) found.push(...paths(item, [...prefix, key]));
  return found;
}

function parentOf(root: unknown, path: Path): Record<string | number, unknown> {
  let node = root as Record<string | number, unknown>;
  for (const part of path.slice(0, -1)) node = node[part] as Record<string | number, unknown>;
  return node;
}

/** One random change somewhere in `document` (a deep copy is changed and returned). */
function mutate<T>(document: T): { value: T; what: string } {
  const value = structuredClone(document);
  const path = pick(paths(value));
  const parent = parentOf(value, path);
  const key = path.at(-1)!;
  const where = path.join('.');
  switch (pick(['replace', 'replace', 'replace', 'delete', 'rename', 'add'] as const)) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      return { value, what: `delete ${where}` };
    case 'rename':
      if (!Array.isArray(parent) && typeof key === 'string') {
        parent[`${key.slice(0, -1)}${key.at(-1) === 's' ? 'z' : 's'}`] = parent[key];
        delete parent[key];
        return { value, what: `rename ${where}` };
      }
      break;
    case 'add':
      if (!Array.isArray(parent)) {
        parent[pick(['extra', 'replicas', 'name', 'timeout', '__proto__'])] = pick(oddValues);
        return { value, what: `add next to ${where}` };
      }
      break;
  }
  const replacement = pick(oddValues);
  parent[key] = replacement;
  return { value, what: `set ${where} = ${JSON.stringify(replacement)}` };
}

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const rfc1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The rules the API server applies to every object, checked independently of scalegate's own validation. */
function apiServerProblems(object: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const metadata = object.metadata as { name?: string; namespace?: string; labels?: Record<string, string> };
  const name = metadata?.name ?? '';
  const nameRule = object.kind === 'Service' ? rfc1035Label : dns1123Subdomain;
  if (!nameRule.test(name) || name.length > (object.kind === 'Service' ? 63 : 253))
    problems.push(`${object.kind} name '${name}'`);
  if (
    metadata?.namespace !== undefined &&
    !(rfc1035Label.test(metadata.namespace) || /^[a-z0-9]/.test(metadata.namespace))
  )
    problems.push(`namespace '${metadata.namespace}'`);
  for (const [key, value] of Object.entries(metadata?.labels ?? {}))
    if (!labelValue.test(value) || value.length > 63) problems.push(`label ${key}=${value}`);
  const walk = (value: unknown, key = ''): void => {
    if (Array.isArray(value)) for (const item of value) walk(item);
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) {
        // Container resources: requests and limits are maps of quantities.
        if (key === 'resources' && (k === 'requests' || k === 'limits') && v && typeof v === 'object')
          for (const [resource, quantity] of Object.entries(v)) {
            const amount =
              typeof quantity === 'number'
                ? quantity
                : typeof quantity === 'string'
                  ? parseQuantity(quantity)
                  : NaN;
            if (!(amount >= 0 && Number.isFinite(amount))) problems.push(`${resource} quantity ${quantity}`);
          }
        walk(v, k);
      }
    else if (typeof value === 'number' && !Number.isFinite(value)) problems.push(`${key} = ${value}`);
  };
  walk(object.spec);
  return problems;
}

function assertOneLineNaming(
  result: { code: number; stdout: string; stderr: string },
  file: string,
  what: string,
) {
  const context = `${what}\n${result.stderr}`;
  assert.doesNotMatch(result.stderr, /\n\s+at |TypeError|RangeError|ReferenceError/, context);
  assert.equal(result.stderr.replace(/\n$/, '').split('\n').length, 1, context);
  assert.ok(result.stderr.includes(file), context);
}

/** Runs `body`, failing the case if it takes longer than `perCaseMs` (a hang). */
async function bounded<T>(what: string, body: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what}`)), perCaseMs);
  });
  try {
    return await Promise.race([body(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** `scalegate gate` against a Prometheus that refuses connections at once: valid input ends inconclusive. */
const gate = (...args: string[]) =>
  runCli(['gate', '--prometheus', 'http://127.0.0.1:9', '--retries', '0', '--timeout', '1s', ...args], dir);

let dir: string;
const shipped: { name: string; settings: Record<string, unknown> }[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scalegate-fuzz-'));
  const files = [
    ...(await readdir(join(repoRoot, 'environments')))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(repoRoot, 'environments', f)),
    ...(await readdir(join(repoRoot, 'examples'), { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => join(repoRoot, 'examples', d.name)),
  ];
  for (const entry of files) {
    const settingsFiles = entry.endsWith('.yaml')
      ? [entry]
      : (await readdir(entry)).filter((f) => f.endsWith('.yaml')).map((f) => join(entry, f));
    for (const file of settingsFiles) {
      const settings = parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      // Paths made absolute, so the mutated copy in the temporary folder finds the same manifests and script.
      settings.manifests = resolve(dirname(file), settings.manifests as string);
      const load = settings.load as { script?: string } | undefined;
      if (load?.script) load.script = resolve(dirname(file), load.script);
      shipped.push({ name: basename(file, '.yaml'), settings });
    }
  }
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(`fuzzing the inputs (seed ${seed})`, () => {
  it('settings files: validate gives one line naming the file, or objects the API server accepts', async () => {
    let accepted = 0;
    for (let i = 0; i < 180; i++) {
      const base = pick(shipped);
      const { value, what } = mutate(base.settings);
      const file = join(dir, `fz${i}.yaml`);
      await writeFile(file, stringify(value));
      const result = await bounded(what, () => runCli(['validate', '--env', file], dir));
      if (result.code === 0) {
        accepted++;
        const loaded = await loadEnvironment(file, { cwd: dir });
        const { objects } = await renderEnvironment(loaded, { track: 'all', cwd: dir });
        for (const object of objects)
          assert.deepEqual(apiServerProblems(object as Record<string, unknown>), [], `${base.name}: ${what}`);
      } else {
        assert.equal(result.code, 2, `${base.name}: ${what}\n${result.stderr}`);
        assertOneLineNaming(result, `fz${i}.yaml`, `${base.name}: ${what}`);
      }
    }
    // The mutations are not all fatal: some must pass, or the oracle above never ran.
    assert.ok(accepted > 0);
  });

  it('gate files: one line naming the file, or an evaluation (Prometheus unreachable here)', async () => {
    const gateLists = shipped.map((s) => s.settings.gates).filter((g): g is unknown[] => Array.isArray(g));
    for (let i = 0; i < 60; i++) {
      const { value, what } = mutate({ gates: pick(gateLists) });
      const file = `g${i}.yaml`;
      await writeFile(join(dir, file), stringify(value));
      const result = await bounded(what, () =>
        gate('--gates', file, '--start', '2026-11-22T06:00:00Z', '--end', '2026-11-22T06:05:00Z'),
      );
      if (result.code !== 2) {
        assert.ok([0, 1, 3].includes(result.code), `${what}: exit ${result.code}\n${result.stderr}`);
        assert.doesNotMatch(result.stderr, /\n\s+at /, what);
      } else assertOneLineNaming(result, file, what);
    }
  });

  it('windows JSON: one line naming the file, or a window', async () => {
    for (let i = 0; i < 40; i++) {
      const { value, what } = mutate(sampleWindows);
      const file = `w${i}.json`;
      await writeFile(join(dir, file), JSON.stringify(value));
      await writeFile(join(dir, 'one.yaml'), 'gates:\n  - name: p95\n    type: latency\n    max: 300ms\n');
      const result = await bounded(what, () => gate('--gates', 'one.yaml', '--windows', file));
      if (result.code !== 2) assert.ok([0, 1, 3].includes(result.code), `${what}: exit ${result.code}`);
      else assertOneLineNaming(result, file, what);
    }
  });

  it('verdicts: report gives one line naming the file, or a report', async () => {
    for (let i = 0; i < 40; i++) {
      const { value, what } = mutate(JSON.parse(JSON.stringify(sampleVerdict())));
      const file = `v${i}.json`;
      await writeFile(join(dir, file), JSON.stringify(value));
      const result = await bounded(what, () => runCli(['report', '--verdict', file, '--out', `r${i}`], dir));
      if (result.code !== 2) assert.equal(result.code, 0, `${what}: exit ${result.code}\n${result.stderr}`);
      else assertOneLineNaming(result, file, what);
    }
  });
});
