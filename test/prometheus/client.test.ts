/** The Prometheus client against local fake HTTP(S) servers whose answers the test controls. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PrometheusClient, type PrometheusError } from '../../actions/lib/prometheus/client.js';
import { selfSignedCertificate } from '../support/self-signed.js';

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

const vector = JSON.stringify({
  status: 'success',
  data: { resultType: 'vector', result: [{ metric: { pod: 'a' }, value: [1700000000, '4'] }] },
});

async function fake(
  answer: (seen: Seen, count: number, res: ServerResponse) => void,
  tls?: { key: Buffer; cert: Buffer },
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      answer(seen.at(-1)!, seen.length, res);
    });
  };
  const server = tls ? createHttpsServer(tls, handler) : createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

test('retries 503 with backoff, then returns the parsed vector', async () => {
  const { url, seen } = await fake((_, n, res) => {
    if (n === 1) res.writeHead(503).end('overloaded');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(vector);
  });
  const client = new PrometheusClient({ url, backoffMs: 10 });
  const result = await client.query('up', new Date(1_700_000_000_000));
  assert.deepEqual(result, [{ metric: { pod: 'a' }, value: [1700000000, 4] }]);
  assert.equal(seen.length, 2);
  assert.equal(seen[0]!.url, '/api/v1/query');
  const params = new URLSearchParams(seen[1]!.body);
  assert.equal(params.get('query'), 'up');
  assert.equal(params.get('time'), '1700000000.000');
  await client.close();
});

test('gives up after the retries with a typed, transient error', async () => {
  const { url, seen } = await fake((_, __, res) => res.writeHead(502).end('bad gateway'));
  const client = new PrometheusClient({ url, retries: 2, backoffMs: 5 });
  await assert.rejects(client.query('up'), (error: PrometheusError) => {
    assert.equal(error.kind, 'server');
    assert.equal(error.status, 502);
    assert.match(error.message, /HTTP 502: bad gateway \(after 3 attempts\)/);
    return true;
  });
  assert.equal(seen.length, 3);
  await client.close();
});

test('a rejected query is not retried', async () => {
  const { url, seen } = await fake((_, __, res) =>
    res
      .writeHead(400)
      .end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 4' })),
  );
  const client = new PrometheusClient({ url, backoffMs: 5 });
  await assert.rejects(client.query('up{'), {
    kind: 'bad-query',
    message: 'Prometheus rejected the query: parse error at char 4',
  });
  assert.equal(seen.length, 1);
  await client.close();
});

test('timeouts and refused connections are retried, then reported', async () => {
  const { url, seen } = await fake(() => {});
  const slow = new PrometheusClient({ url, retries: 1, backoffMs: 5, timeoutMs: 200 });
  await assert.rejects(slow.query('up'), { kind: 'timeout' });
  assert.equal(seen.length, 2);
  await slow.close();
  const refused = new PrometheusClient({ url: 'http://127.0.0.1:1', retries: 1, backoffMs: 5 });
  await assert.rejects(refused.query('up'), { kind: 'unreachable' });
  await refused.close();
});

test('range queries send start, end and step and parse NaN and Inf', async () => {
  const matrix = JSON.stringify({
    status: 'success',
    data: {
      resultType: 'matrix',
      result: [
        {
          metric: {},
          values: [
            [1, '1'],
            [2, 'NaN'],
            [3, '+Inf'],
          ],
        },
      ],
    },
  });
  const { url, seen } = await fake((_, __, res) => res.writeHead(200).end(matrix));
  const client = new PrometheusClient({ url });
  const [series] = await client.queryRange('x', new Date(1000), new Date(3000), 1);
  assert.deepEqual(series!.values, [
    [1, 1],
    [2, Number.NaN],
    [3, Number.POSITIVE_INFINITY],
  ]);
  const params = new URLSearchParams(seen[0]!.body);
  assert.deepEqual(
    [seen[0]!.url, params.get('start'), params.get('end'), params.get('step')],
    ['/api/v1/query_range', '1.000', '3.000', '1'],
  );
  await client.close();
});

test('bearer, basic and tenant headers are sent; 401 is an auth error', async () => {
  const { url, seen } = await fake((_, n, res) =>
    n < 3 ? res.writeHead(200).end(vector) : res.writeHead(401).end(),
  );
  const bearer = new PrometheusClient({
    url,
    auth: { type: 'bearer', token: 't0k' },
    headers: { 'X-Scope-OrgID': 'tenant-1' },
  });
  await bearer.query('up');
  assert.equal(seen[0]!.headers.authorization, 'Bearer t0k');
  assert.equal(seen[0]!.headers['x-scope-orgid'], 'tenant-1');
  const basic = new PrometheusClient({ url, auth: { type: 'basic', username: 'u', password: 'p:w' } });
  await basic.query('up');
  assert.equal(seen[1]!.headers.authorization, `Basic ${Buffer.from('u:p:w').toString('base64')}`);
  await assert.rejects(basic.query('up'), { kind: 'auth', status: 401 });
  await bearer.close();
  await basic.close();
});

test('TLS: a self-signed server is refused unless its CA is given or verification is skipped', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'scalegate-tls-'));
  try {
    const { key, cert, certPath } = await selfSignedCertificate(dir);
    const { url } = await fake((_, __, res) => res.writeHead(200).end(vector), { key, cert });
    const strict = new PrometheusClient({ url, retries: 0 });
    await assert.rejects(strict.query('up'), { kind: 'tls' });
    const withCa = new PrometheusClient({ url, tls: { ca: certPath } });
    assert.equal((await withCa.query('up')).length, 1);
    const skipping = new PrometheusClient({ url, tls: { insecureSkipVerify: true } });
    assert.equal((await skipping.query('up')).length, 1);
    await Promise.all([strict.close(), withCa.close(), skipping.close()]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
