import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatData } from '../../actions/lib/load/text-summary.js';
import type { RunLoadOptions } from '../../actions/lib/load/types.js';
import { selfSignedCertificate } from '../support/self-signed.js';
import { builtinRuns } from './builtin-runs.js';
import { startTarget, type TargetServer } from './target-server.js';

const fixtures = fileURLToPath(new URL('../fixtures/k6/', import.meta.url));

interface Point {
  type: string;
  metric: string;
  data: { tags: Record<string, string> };
}

describe('builtin engine: k6 behaviours scripts rely on', () => {
  let target: TargetServer;
  let dir: string;
  const runs = builtinRuns(fixtures, () => ({ env: { TARGET: target.url }, stdout: () => undefined }));
  const { logs } = runs;
  const run = (script: string, extra: Partial<RunLoadOptions> = {}) => {
    target.requests.length = 0;
    return runs.run(script, extra);
  };
  /** Runs a script whose checks state the k6 behaviour: it must pass them all. */
  const passesItsChecks = async (script: string, extra: Partial<RunLoadOptions> = {}) => {
    const result = await run(script, extra);
    assert.equal(result.exitCode, 0, logs.join('\n'));
    assert.equal(result.metrics.checksPassRate, 1);
    return result;
  };

  before(async () => {
    target = await startTarget();
    dir = await mkdtemp(join(tmpdir(), 'scalegate-k6-edges-'));
  });
  after(async () => {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends URL credentials as Basic auth and masks them in tags; templates name tags; errors on relative URLs', async () => {
    const outJson = join(dir, 'points.ndjson');
    const result = await run('k6-edges.js', { outJson });
    assert.equal(result.exitCode, 0, logs.join('\n'));
    assert.equal(result.metrics.checksPassRate, 1, logs.join('\n'));
    const secret = target.requests.find((r) => r.path === '/private');
    assert.ok(secret, 'the request with credentials was sent');
    assert.equal(secret.headers.authorization, `Basic ${Buffer.from('alice:s:cret').toString('base64')}`);

    const text = await readFile(outJson, 'utf8');
    assert.ok(
      !text.includes('s%3Acret') && !text.includes('s:cret') && !text.includes('alice'),
      'no credential in the metrics',
    );
    const points = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Point)
      .filter((p) => p.type === 'Point' && p.metric === 'http_reqs');
    const tagsOf = (path: string) => points.find((p) => p.data.tags.url?.endsWith(path))?.data.tags;
    const port = new URL(target.url).port;
    assert.equal(tagsOf('/private')?.name, `http://****:****@127.0.0.1:${port}/private`);
    const item = points.find((p) => p.data.tags.name?.includes('/items/'))?.data.tags;
    // Every interpolated value becomes k6's literal `${}` placeholder, the base URL too.
    const placeholder = '$' + '{}';
    assert.equal(item?.name, `${placeholder}/items/${placeholder}`);
    assert.equal(target.requests.filter((r) => r.path === '/items/42').length, 1);
    assert.ok(!points.some((p) => p.data.tags.url?.includes('relative')), 'a relative URL is sent nowhere');
    const staged = points.find((p) => p.data.tags.url?.endsWith('/staged'))?.data.tags;
    assert.equal(staged?.stage, '0');
    assert.equal(staged?.stage_profile, 'ramp-up');
  });

  it("repeats a VU's k6-utils randomness after randomSeed, as k6 does, pooled or not; a secure uuidv4 stays random", async () => {
    const drawn = async (extra: Partial<RunLoadOptions>) => {
      const result = await run('seeded-random.js', extra);
      assert.equal(result.exitCode, 0, logs.join('\n'));
      return logs
        .filter((l) => l.includes('drawn {'))
        .map((l) => JSON.parse(l.slice(l.indexOf('{'), l.lastIndexOf('}') + 1)) as Record<string, unknown>);
    };
    for (const extra of [{}, { vuHosting: 'threads' as const }]) {
      const [first, second, ...more] = await drawn(extra);
      assert.equal(more.length, 0);
      const { secure: a, ...seededA } = first!;
      const { secure: b, ...seededB } = second!;
      assert.deepEqual(seededA, seededB, 'two VUs seeded alike draw alike');
      assert.notEqual(a, b);
      for (const uuid of [seededA.uuid, a, b])
        assert.match(String(uuid), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('prints console.debug only with verbose', async () => {
    assert.equal((await run('k6-edges.js')).exitCode, 0);
    assert.ok(logs.some((l) => l.includes('an info line')));
    assert.ok(!logs.some((l) => l.includes('a debug line')), 'no debug line without verbose');
    assert.equal((await run('k6-edges.js', { verbose: true })).exitCode, 0);
    assert.ok(
      logs.some((l) => l.startsWith('DEBU') && l.includes('a debug line')),
      logs.join('\n'),
    );
  });

  it('refuses to load a script importing a name its module lacks (exit 107, naming it)', async () => {
    const result = await run('unknown-export.js');
    assert.equal(result.exitCode, 107);
    assert.ok(
      logs.some((l) => l.includes('notAThing')),
      logs.join('\n'),
    );
    assert.ok(
      logs.some((l) => l.includes('k6-utils/1.2.0') && l.includes('parseDuration')),
      logs.join('\n'),
    );
  });

  it('computes k6/crypto digests and HMACs and k6/encoding base64 as k6 does', async () => {
    await passesItsChecks('crypto-encoding.js');
  });

  it('keeps cookies in the VU jar as k6 does (redirects, params.cookies, own jars, per-iteration reset, noCookiesReset)', async () => {
    await passesItsChecks('cookies.js');
    await passesItsChecks('cookies-kept.js');
  });

  it('reads remote modules from the local module cache, and fails naming the URL when one is missing', async () => {
    const missing = await run('remote-module.js');
    assert.equal(missing.exitCode, 107);
    assert.ok(
      logs.some((l) => l.includes("remote module 'https://jslib.example.test/greeter/1.0.0/index.js'")),
      logs.join('\n'),
    );
    const cache = join(dir, 'modules');
    await mkdir(join(cache, 'jslib.example.test', 'greeter', '1.0.0'), { recursive: true });
    await writeFile(
      join(cache, 'jslib.example.test', 'greeter', '1.0.0', 'index.js'),
      // A cached module as k6 would download it: its own relative import, a template literal.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source text of the module.
      "import { version } from './version.js';\nexport function greet(name) { return `hello, ${name} (${version})`; }\n",
    );
    await writeFile(
      join(cache, 'jslib.example.test', 'greeter', '1.0.0', 'version.js'),
      "export const version = 'v1';\n",
    );
    process.env.SCALEGATE_K6_MODULES = cache;
    try {
      await passesItsChecks('remote-module.js');
    } finally {
      delete process.env.SCALEGATE_K6_MODULES;
    }
  });

  it('refuses unknown certificates unless insecureSkipTLSVerify, and speaks HTTP/2 where offered', async () => {
    const { key, cert } = await selfSignedCertificate(dir);
    const server = createSecureServer({ key, cert, allowHTTP1: true }, (req, res) =>
      res.end(req.httpVersion),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const tlsTarget = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      await passesItsChecks('tls.js', { env: { TLS_TARGET: tlsTarget } });
      await passesItsChecks('tls.js', { env: { TLS_TARGET: tlsTarget, SKIP_VERIFY: '1' } });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('parses HTML responses into k6 selections (res.html, parseHTML)', async () => {
    await passesItsChecks('html.js');
  });

  it('answers digest challenges with auth: digest', async () => {
    await passesItsChecks('digest.js');
    // Each request is answered once: a 401 challenge, then the authenticated exchange.
    assert.equal(target.requests.filter((r) => r.path === '/digest').length, 4);
  });

  it('formats data sizes and rates as k6 does, sub-1000 B/s included', () => {
    assert.equal(formatData(0), '0 B');
    assert.equal(formatData(7.4567), '7.5 B');
    assert.equal(formatData(123.4), '123 B');
    assert.equal(formatData(1234), '1.2 kB');
    assert.equal(formatData(45_678), '46 kB');
  });
});
