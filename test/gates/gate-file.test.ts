/** Bad gate files and environment gate lists: exit code 2 and one line naming file:line:column and the field. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { parseGateFile } from '../../actions/lib/gates/load.js';
import { resolveGateSource } from '../../actions/lib/settings/gate-source.js';
import { runCli } from './run-cli.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scalegate-gate-file-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[]) {
  return runCli(['gate', ...args], dir);
}

const window = ['--start', '2026-11-22T06:00:00Z', '--end', '2026-11-22T06:05:00Z'];
// Port 9 (discard) is never asked: every case below fails before the first query.
const prometheus = ['--prometheus', 'http://127.0.0.1:9'];

async function gateFileError(text: string): Promise<string> {
  await writeFile(join(dir, 'gates.yaml'), text);
  const result = await run([...prometheus, '--gates', 'gates.yaml', ...window]);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr.split('\n').length, 2, 'one line');
  return result.stderr.trim();
}

const good = `gates:
  - name: p95
    type: latency
    max: 300ms
  - name: up
    type: hpaScaleOut
    hpa: web
    minReplicas: 3
    within: 90s
`;

test('an unknown key names its position and the closest known key', async () => {
  const line = await gateFileError(good.replace('within: 90s', 'withn: 90s'));
  assert.equal(line, "gates.yaml:9:5: gates[1].withn: unknown field (did you mean 'within'?)");
});

test('a bad duration, a bad ratio and an unknown gate type', async () => {
  assert.match(
    await gateFileError(good.replace('max: 300ms', 'max: 300 millis')),
    /gates\.yaml:4:10: gates\[0\]\.max: expected a duration such as 500ms, 30s or 2m \(got '300 millis'\)$/,
  );
  assert.match(
    await gateFileError('gates:\n  - {name: e, type: errorRate, max: 5 percent}\n'),
    /gates\.yaml:2:37: gates\[0\]\.max: expected a ratio such as 1% or 0\.01 \(got '5 percent'\)$/,
  );
  assert.match(
    await gateFileError(good.replace('type: latency', 'type: latencyy')),
    /gates\.yaml:3:11: gates\[0\]\.type: expected one of .* \(got 'latencyy'\) \(did you mean 'latency'\?\)$/,
  );
});

test('a duplicate name points at the second one and says where the first is', async () => {
  const line = await gateFileError(good.replace('name: up', 'name: p95'));
  assert.match(
    line,
    /gates\.yaml:5:11: gates\[1\]\.name: duplicate gate name 'p95' \(first defined on line 2\)$/,
  );
});

test('a bad condition, missing alternatives and YAML syntax errors', async () => {
  assert.match(
    await gateFileError(
      'gates:\n  - name: c\n    type: promql\n    query: up\n    successCondition: result <\n',
    ),
    /gates\.yaml:5:23: gates\[0\]\.successCondition: expected a condition over result: unexpected end of expression at column 9$/,
  );
  assert.match(
    await gateFileError('gates:\n  - {name: c, type: promql, query: up}\n'),
    /gates\.yaml:2:5: gates\[0\]\.successCondition: missing required field \(expected successCondition or failureCondition\)$/,
  );
  assert.match(await gateFileError('gates:\n  - name: [\n'), /gates\.yaml:\d+:\d+: invalid YAML/);
});

test('a PromQL typo in a promql gate fails at load, naming the query and the column in it', async () => {
  assert.match(
    await gateFileError(
      'gates:\n  - name: c\n    type: promql\n    query: sum(rate(http_requests_total[$window])\n    successCondition: result < 5\n',
    ),
    /gates\.yaml:4:12: gates\[0\]\.query: invalid PromQL: unexpected end of query at column 39$/,
  );
  assert.match(
    await gateFileError(
      'gates:\n  - name: c\n    type: promql\n    query: sun(rate(errors_total[5m]))\n    successCondition: result < 5\n',
    ),
    /gates\.yaml:4:12: gates\[0\]\.query: invalid PromQL at column 4, near '\(rate\(errors_tot'$/,
  );
});

test('usage errors: missing window, bad time, unreadable file', async () => {
  await writeFile(join(dir, 'gates.yaml'), good);
  const noWindow = await run([...prometheus, '--gates', 'gates.yaml']);
  assert.equal(noWindow.code, 2);
  assert.equal(noWindow.stderr, 'the window is required: start and end, or the load windows\n');
  const badTime = await run([...prometheus, '--gates', 'gates.yaml', '--start', 'yesterday', '--end', '1']);
  assert.equal(badTime.code, 2);
  assert.match(badTime.stderr, /^start: expected an RFC 3339 time or unix seconds \(got 'yesterday'\)\n$/);
  const missing = await run([...prometheus, '--gates', 'nope.yaml', ...window]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'nope.yaml:1:1: cannot read gate file (ENOENT)\n');
});

test("an environment's gates: defaults from the service, errors located in the environment file", async () => {
  // The shipped dev environment, moved to a temporary folder with its paths made absolute.
  const dev = await readFile(resolve('environments/dev.yaml'), 'utf8');
  await writeFile(join(dir, 'web.js'), 'export default function () {}\n');
  const settings = dev
    .replace('manifests: ../manifests/web', `manifests: ${resolve('manifests/web')}`)
    .replace('script: load/web.js', `script: ${join(dir, 'web.js')}`);
  await writeFile(join(dir, 'env.yaml'), settings);
  const loaded = await resolveGateSource({ env: join(dir, 'env.yaml'), cwd: dir });
  assert.deepEqual(loaded.defaults, { namespace: 'shop', service: 'web' });
  assert.deepEqual(
    loaded.set.gates.map((g) => g.name),
    ['no-errors', 'scaled-out'],
  );
  assert.equal(loaded.prometheus?.url, 'http://127.0.0.1:9090');

  const broken = settings.replace('    within: 2m', '    within: soon');
  await writeFile(join(dir, 'broken.yaml'), broken);
  const line = broken.split('\n').findIndex((l) => l.includes('within: soon')) + 1;
  const result = await run(['--env', 'broken.yaml', ...window]);
  assert.equal(result.code, 2, result.stderr);
  assert.equal(
    result.stderr,
    `broken.yaml:${line}:13: gates[1].within: expected a duration such as 500ms, 30s or 2m (got 'soon')\n`,
  );
});

test('parsed gates carry milliseconds, fractions and defaults', () => {
  const set = parseGateFile(
    'gates:\n  - {name: e, type: errorRate, max: 2.5%}\n  - {name: l, type: latency, max: 1m30s}\nmetrics: {requestsTotal: requests_total}\n',
    'g.yaml',
  );
  assert.deepEqual(set.gates, [
    { name: 'e', type: 'errorRate', max: 0.025, errorCodes: '5..' },
    { name: 'l', type: 'latency', max: 90_000, quantile: 0.95 },
  ]);
  assert.deepEqual(set.metrics, {
    requestDuration: 'http_request_duration_seconds',
    requestsTotal: 'requests_total',
  });
});
