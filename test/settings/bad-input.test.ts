/**
 * Inputs that used to crash with a stack trace, hang, or lose work: each is now one line naming the file, exit 2.
 * (Each case reproduces one of the reported ones: alias bombs, file-system oddities, malformed JSON handed between
 * steps, a missing CA, an output folder that does not exist, a 25-day pause.)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verdictSchemaVersion } from '../../actions/lib/gates/verdict-schema.js';
import { parseEnvironment } from '../../actions/lib/settings/index.js';
import { runCli } from '../gates/run-cli.js';

const root = resolve(import.meta.dirname, '../..');
let dir: string;
let settings: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scalegate-bad-input-'));
  settings = await readFile(join(root, 'environments/dev.yaml'), 'utf8');
  await mkdir(join(dir, 'environments'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function oneLine(result: { code: number; stdout: string; stderr: string }, file: RegExp): string {
  assert.equal(result.code, 2, result.stdout + result.stderr);
  const line = result.stderr.replace(/\n$/, '');
  assert.equal(line.split('\n').length, 1, result.stderr);
  assert.doesNotMatch(line, /\n\s+at /);
  assert.match(line, file);
  return line;
}

describe('bad input is one line, exit 2', () => {
  it('YAML aliases: undefined, too many, expanding too much, billion laughs', async () => {
    const big = 'x'.repeat(300_000);
    const cases: [string, RegExp][] = [
      ['service: *nope\n', /bad\.yaml:1:10: invalid YAML: alias \*nope has no anchor before it/],
      [
        `a: &a 1\n${Array.from({ length: 150 }, (_, i) => `k${i}: *a`).join('\n')}\n`,
        /bad\.yaml:102:\d+: invalid YAML: more than 100 aliases/,
      ],
      [
        `big: &b ${big}\nc1: *b\n`,
        /bad\.yaml:2:5: invalid YAML: aliases expand to more than 256 KiB of text/,
      ],
      [
        'a: &a [1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
        /bad\.yaml:1:1: invalid YAML: .*alias/i,
      ],
    ];
    for (const [text, expected] of cases)
      await assert.rejects(parseEnvironment(text, join(dir, 'bad.yaml'), 'bad.yaml'), (error: Error) => {
        assert.match(error.message, expected);
        assert.equal(error.message.split('\n').length, 1);
        return true;
      });
  });

  it('a directory, a FIFO or a /dev/zero link named x.yaml', async () => {
    const manifests = join(dir, 'manifests');
    await mkdir(manifests);
    await writeFile(
      join(dir, 'environments/odd.yaml'),
      settings
        .replace(/manifests: .*/, `manifests: ${manifests}`)
        .replace(/script: .*/, `script: ${join(root, 'environments/load/web.js')}`),
    );
    await writeFile(join(manifests, 'a.yaml'), await readFile(join(root, 'manifests/web/deployment.yaml')));
    const oddities: [string, () => Promise<void>, RegExp][] = [
      [
        'dir.yaml',
        () => mkdir(join(manifests, 'dir.yaml')),
        /dir\.yaml:1:1: cannot read manifest file: it is a directory/,
      ],
      [
        'fifo.yaml',
        async () => {
          execFileSync('mkfifo', [join(manifests, 'fifo.yaml')]);
        },
        /fifo\.yaml:1:1: cannot read manifest file: it is a FIFO/,
      ],
      [
        'zero.yaml',
        () => symlink('/dev/zero', join(manifests, 'zero.yaml')),
        /zero\.yaml:1:1: cannot read manifest file: it is a device/,
      ],
    ];
    for (const [name, make, expected] of oddities) {
      await make();
      oneLine(await runCli(['validate', '--env', 'odd'], dir), expected);
      await rm(join(manifests, name), { recursive: true });
    }
    oneLine(await runCli(['validate', '--env', 'environments'], dir), /environments/);
  });

  it('settings the API server would reject are rejected by validate', async () => {
    const prod = await readFile(join(root, 'environments/prod.yaml'), 'utf8');
    const cases: [RegExp | string, string, RegExp][] = [
      ['name: web', `name: ${'w'.repeat(60)}`, /service\.name: expected at most 56 characters/],
      ['name: web', 'name: 1web', /service\.name: expected a Service name/],
      [/cpu: 500m/, 'cpu: -100m', /requests\.cpu: .*not negative/],
      [/cpu: 500m/, 'cpu: .inf', /requests\.cpu: /],
      ['periodSeconds:', 'periodSecond:', /probes\.readiness\.periodSecond: unknown field/],
      [
        'default: { cpu: "1"',
        'default: { cpuu: "1"',
        /limitRange\.limits\[0\]\.default\.cpuu: .*resource name/,
      ],
      [
        'whenUnsatisfiable:',
        'whenUnsatisfiabel:',
        /topologySpreadConstraints\[0\]\.whenUnsatisfiable: expected one of/,
      ],
      ['url: https://prometheus.prod.example.com', 'url: localhost:9090', /prometheus\.url: /],
      [
        'url: https://prometheus.prod.example.com',
        'url: https://u:p@prom.example',
        /prometheus\.url: .*without credentials/,
      ],
      ['max: 0.5%', 'max: 0.5%\n    errorCodes: "5(("', /errorCodes: .*regular expression/],
    ];
    for (const [from, to, expected] of cases) {
      const text = prod.replace(from, to);
      assert.notEqual(text, prod, String(from));
      await assert.rejects(parseEnvironment(text, join(dir, 'prod.yaml'), 'prod.yaml'), (error: Error) => {
        assert.match(error.message, /^prod\.yaml:\d+:\d+: /);
        assert.match(error.message, expected);
        return true;
      });
    }
  });

  it('a pause beyond a week is refused instead of overflowing the timer', async () => {
    const staging = await readFile(join(root, 'environments/staging.yaml'), 'utf8');
    const text = staging.replace(/pause: 1m/, 'pause: 25d');
    assert.notEqual(text, staging);
    await assert.rejects(
      parseEnvironment(text, join(dir, 'p.yaml'), 'p.yaml'),
      /p\.yaml:\d+:\d+: canary\.steps\[\d+\]\.pause: .*at most 7d/,
    );
  });

  it('gate: malformed windows, a missing CA, an output folder that does not exist — before evaluating', async () => {
    await writeFile(join(dir, 'gates.yaml'), 'gates:\n  - name: p95\n    type: latency\n    max: 300ms\n');
    const gate = (...args: string[]) =>
      runCli(['gate', '--prometheus', 'http://127.0.0.1:9', '--gates', 'gates.yaml', ...args], dir);
    const window = ['--start', '2026-11-22T06:00:00Z', '--end', '2026-11-22T06:05:00Z'];
    for (const [text, expected] of [
      [
        '{"start": "2026-11-22T06:00:00Z", "end": "2026-11-22T06:05:00Z", "scenarios": 7}',
        /windows file w\.json: scenarios: /,
      ],
      [
        '{"start": "yesterday", "end": "2026-11-22T06:05:00Z", "scenarios": []}',
        /windows file w\.json: start: expected an RFC 3339 time/,
      ],
      ['[1', /windows file w\.json: not JSON/],
    ] as const) {
      await writeFile(join(dir, 'w.json'), text);
      oneLine(await gate('--windows', 'w.json'), expected);
    }
    oneLine(
      await gate(...window, '--ca', '/missing/ca.pem'),
      /CA bundle \/missing\/ca\.pem: cannot read \(ENOENT\)/,
    );
    oneLine(
      await gate(...window, '--out', '/missing/dir/v.json'),
      /--out: folder \/missing\/dir does not exist/,
    );
  });

  it('report: a malformed verdict', async () => {
    await writeFile(join(dir, 'v.json'), JSON.stringify({ schemaVersion: verdictSchemaVersion, gates: 'x' }));
    oneLine(
      await runCli(['report', '--verdict', 'v.json', '--out', 'r'], dir),
      /verdict file \S*v\.json: expected a verdict$/,
    );
    await writeFile(join(dir, 'v.json'), '[1, 2]');
    oneLine(
      await runCli(['report', '--verdict', 'v.json', '--out', 'r'], dir),
      /verdict file \S*v\.json: expected a verdict$/,
    );
  });
});
