/** Credentials given in a Prometheus URL travel as Basic auth and never reach stdout, stderr or the verdict. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { scrubSecrets, splitUrlCredentials } from '../../actions/lib/util/secrets.js';
import { runCli } from '../gates/run-cli.js';

let dir: string;
let server: Server;
let port: number;
const authorizations: (string | undefined)[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scalegate-creds-'));
  // A Prometheus (or proxy in front of it) that echoes the request's credentials in its error, as some do.
  server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      authorizations.push(req.headers.authorization);
      res.writeHead(400, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          status: 'error',
          errorType: 'bad_data',
          error: `bad request from ${req.headers.authorization} (password=s3cr3t-pa55 via http://ops:s3cr3t-pa55@proxy)`,
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

test('URL credentials become an Authorization header and are printed nowhere', async () => {
  await writeFile(join(dir, 'gates.yaml'), 'gates:\n  - name: p95\n    type: latency\n    max: 300ms\n');
  const result = await runCli(
    [
      'gate',
      '--prometheus',
      `http://ops:s3cr3t-pa55@127.0.0.1:${port}`,
      '--gates',
      'gates.yaml',
      '--start',
      '2026-11-22T06:00:00Z',
      '--end',
      '2026-11-22T06:05:00Z',
      '--retries',
      '0',
      '--out',
      'verdict.json',
    ],
    dir,
  );
  const encoded = Buffer.from('ops:s3cr3t-pa55').toString('base64');
  assert.ok(authorizations.length > 0);
  assert.ok(authorizations.every((a) => a === `Basic ${encoded}`));
  const verdict = await readFile(join(dir, 'verdict.json'), 'utf8');
  for (const text of [result.stdout, result.stderr, verdict]) {
    assert.doesNotMatch(text, /s3cr3t-pa55/);
    assert.ok(!text.includes(encoded), text);
  }
  assert.match(verdict, /"url": "http:\/\/127\.0\.0\.1:\d+"/);
  assert.match(
    verdict,
    /Prometheus rejected the query: bad request from \*\*\* \(password=\*\*\* via http:\/\/\*\*\*@proxy\)/,
  );
});

test('splitUrlCredentials and scrubSecrets', () => {
  assert.deepEqual(splitUrlCredentials('https://u%40x:p%3Aw@mimir.example/prometheus'), {
    url: 'https://mimir.example/prometheus',
    basic: { username: 'u@x', password: 'p:w' },
  });
  assert.deepEqual(splitUrlCredentials('http://127.0.0.1:9090'), { url: 'http://127.0.0.1:9090' });
  assert.equal(
    scrubSecrets('token t0ps3cret in Bearer abc.def and ?api_token=xyz, https://a:b@h', ['t0ps3cret']),
    'token *** in Bearer *** and ?api_token=***, https://***@h',
  );
});
