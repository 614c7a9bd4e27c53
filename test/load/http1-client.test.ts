/**
 * HttpIo's own HTTP/1.1 client (http1-client.ts) against undici's path on the same requests: the same bytes on the
 * wire, the same responses and samples; and what only a socket-level client can get wrong: keep-alive reuse, a server
 * dropping idle connections, timeouts, long bodies, never two requests in flight on one connection.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { HttpIo } from '../../actions/lib/load/builtin/http-io.js';
import type { HttpRequestSpec, HttpResponseData } from '../../actions/lib/load/builtin/protocol.js';
import { runLoad } from '../../actions/lib/load/index.js';
import { MetricRegistry, type Sample } from '../../actions/lib/load/metrics.js';
import { eventually } from '../support/eventually.js';

function spec(url: string, extra: Partial<HttpRequestSpec> = {}): HttpRequestSpec {
  return {
    method: 'GET',
    url,
    headers: { 'User-Agent': 'k6/1.0.0 (https://k6.io/)' },
    body: null,
    timeoutMs: 10_000,
    redirects: 10,
    responseType: 'text',
    tags: { scenario: 'default' },
    expected: { codes: [], ranges: [{ min: 200, max: 399 }] },
    ...extra,
  };
}

/** An HttpIo on one of the two clients, with the samples it emits. */
function client(
  http1: boolean,
  options: { noConnectionReuse?: boolean; noVUConnectionReuse?: boolean } = {},
) {
  const registry = new MetricRegistry();
  const samples: Sample[] = [];
  registry.onSample((metric, value, tags, time) => samples.push([metric.name, value, tags, time]));
  const io = new HttpIo(registry, { http1, ...options });
  after(() => io.close());
  return { io, samples };
}

async function listen(server: Server | ReturnType<typeof createServer>): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  after(() => {
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

/** A raw TCP server: records each connection's bytes and answers each request with `answer`. */
async function rawServer(answer: (request: string, socket: Socket, index: number) => void) {
  const connections: Socket[] = [];
  const requests: string[] = [];
  const server = createTcpServer((socket) => {
    connections.push(socket);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const request = buffered.slice(0, end + 4 + length);
        buffered = buffered.slice(request.length);
        requests.push(request);
        answer(request, socket, requests.length - 1);
      }
    });
    socket.on('error', () => undefined);
  });
  after(() => {
    for (const c of connections) c.destroy();
  });
  const port = await listen(server);
  return { port, connections, requests, server };
}

const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

/** The response data both clients must agree on (timings are each client's own). */
function comparable(response: HttpResponseData) {
  const { timings: _, ...rest } = response;
  return {
    ...rest,
    body: response.body instanceof ArrayBuffer ? Buffer.from(response.body).toString('hex') : response.body,
  };
}

/** The samples both clients must agree on: names, values that are not times, tags. */
function comparableSamples(samples: Sample[]) {
  return samples.map(([name, value, tags]) => [
    name,
    /^(http_reqs|http_req_failed|data_sent|data_received)$/.test(name) ? value : 'time',
    tags,
  ]);
}

async function targetApp(req: IncomingMessage, res: ServerResponse) {
  // No Date header: the two clients' runs may fall in different seconds.
  res.sendDate = false;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const url = req.url ?? '/';
  switch (url.split('?')[0]) {
    case '/text':
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'x-lower-case': 'v' });
      res.end(`héllo ${req.method} ${body.length}`);
      return;
    case '/binary':
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(Buffer.from([0, 1, 254, 255]));
      return;
    case '/multi':
      res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/']);
      res.setHeader('X-Multi', ['one', 'two']);
      res.setHeader('ETag', '"e1"');
      res.end('multi');
      return;
    case '/chunked':
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      for (let i = 0; i < 64; i++) res.write(`${String(i).padStart(4, '0')}${'x'.repeat(1020)}`);
      res.end();
      return;
    case '/empty':
      res.writeHead(204).end();
      return;
    case '/not-modified':
      res.writeHead(304, { ETag: '"e1"' }).end();
      return;
    case '/missing':
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no such thing');
      return;
    case '/boom':
      res.writeHead(500).end('boom');
      return;
    case '/hints':
      res.writeEarlyHints({ link: '</style.css>; rel=preload' });
      res.end('after hints');
      return;
    case '/login':
      res.writeHead(302, { 'Set-Cookie': 'session=s1; Path=/', Location: '/echo' }).end();
      return;
    case '/post-redirect':
      res.writeHead(301, { Location: '/echo' }).end();
      return;
    case '/echo':
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({ method: req.method, cookie: req.headers.cookie ?? '', body: body.toString() }),
      );
      return;
    default:
      res.writeHead(200).end(url);
  }
}

describe('http1-client', () => {
  test('writes the same request bytes as undici', async () => {
    const server = await rawServer((_, socket) => socket.write(ok));
    const base = `http://127.0.0.1:${server.port}`;
    const requests: Partial<HttpRequestSpec>[] = [
      {
        method: 'GET',
        headers: { 'User-Agent': 'k6/1', 'X-Many': 'a, b', Accept: '*/*', 'X-Latin': 'café' },
      },
      { method: 'POST', body: 'a=1&b=é', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      { method: 'POST', body: new Uint8Array([0, 1, 2, 255]), headers: {} },
      { method: 'POST', body: null, headers: {} },
      { method: 'PUT', body: '', headers: {} },
      { method: 'PATCH', body: null, headers: {} },
      { method: 'DELETE', body: null, headers: {} },
      { method: 'OPTIONS', body: null, headers: {} },
      { method: 'GET', body: null, headers: { Host: 'example.test', Cookie: 'a=1' } },
      // Beyond one socket write: `sending` lasts until the kernel took the last byte.
      { method: 'PUT', body: new Uint8Array(4 << 20).fill(0x61), headers: { 'Content-Type': 'text/plain' } },
    ];
    const sent: string[][] = [];
    for (const http1 of [false, true]) {
      const { io } = client(http1);
      const from = server.requests.length;
      for (const [i, extra] of requests.entries()) {
        const response = await io.perform(spec(`${base}/p/${i}?q=a%20b&r=1`, extra), 0);
        assert.equal(response.status, 200, response.error);
        const { sending, waiting, receiving } = response.timings;
        assert.ok(sending >= 0 && waiting >= 0 && receiving >= 0, JSON.stringify(response.timings));
      }
      sent.push(server.requests.slice(from));
      await io.close();
    }
    assert.deepEqual(sent[1], sent[0]);
    assert.match(sent[1]![1]!, /^POST \/p\/1\?q=a%20b&r=1 HTTP\/1\.1\r\nhost: 127\.0\.0\.1:\d+\r\n/);
  });

  test('gives the same responses and samples as undici', async () => {
    const port = await listen(createServer((req, res) => void targetApp(req, res)));
    const base = `http://127.0.0.1:${port}`;
    const requests: HttpRequestSpec[] = [
      spec(`${base}/text`),
      spec(`${base}/text`, { method: 'POST', body: 'hello', headers: { 'Content-Type': 'text/plain' } }),
      spec(`${base}/binary`, { responseType: 'binary' }),
      spec(`${base}/multi`),
      spec(`${base}/chunked`),
      spec(`${base}/chunked`, { responseType: 'none' }),
      spec(`${base}/empty`),
      spec(`${base}/not-modified`),
      spec(`${base}/missing`),
      spec(`${base}/boom`, { tags: { scenario: 'default', name: 'boom' } }),
      spec(`${base}/hints`),
      spec(`${base}/text`, { method: 'HEAD' }),
      spec(`${base}/login`, { headers: { Cookie: 'pre=0' } }),
      spec(`${base}/post-redirect`, {
        method: 'POST',
        body: 'x=1',
        headers: { 'Content-Type': 'text/plain' },
      }),
      spec(`${base}/login`, { redirects: 0 }),
      spec(`${base}/text`, { expected: null }),
      spec(`${base}/text`, { headers: { 'X-Bad': 'a\r\nInjected: yes' } }),
      spec('http://127.0.0.1:1/refused'),
      spec(`http://localhost:${port}/text?by=name`),
      spec(`${base}/echo`, { method: 'GET', body: 'a body on a GET', headers: {} }),
    ];
    const results = [];
    for (const http1 of [false, true]) {
      const { io, samples } = client(http1);
      const responses = [];
      for (const request of requests) responses.push(comparable(await io.perform(request, 0)));
      results.push({ responses, samples: comparableSamples(samples) });
      await io.close();
    }
    const [undici, http1] = results;
    for (const [i, response] of http1!.responses.entries())
      assert.deepEqual(response, undici!.responses[i], `${requests[i]!.method} ${requests[i]!.url}`);
    assert.deepEqual(http1!.samples, undici!.samples);
    // What the comparison covers, seen once from the new client's side.
    const [text, , binary, multi, chunked, discarded, empty, notModified, missing] = http1!.responses;
    assert.equal(text!.body, 'héllo GET 0');
    assert.equal(text!.headers['X-Lower-Case'], 'v');
    assert.equal(binary!.body, '0001feff');
    assert.equal(multi!.headers['Set-Cookie'], 'a=1; Path=/, b=2; Path=/');
    assert.equal(multi!.headers['X-Multi'], 'one, two');
    assert.equal(chunked!.body?.length, 64 * 1024);
    assert.equal(discarded!.body, null);
    assert.equal(empty!.status_text, '204 No Content');
    assert.equal(notModified!.status, 304);
    assert.equal(missing!.status_text, '404 Not Found');
    assert.equal(missing!.error_code, 1404);
    const hints = http1!.responses[10]!;
    assert.equal(hints.status, 200);
    assert.equal(hints.body, 'after hints');
    const head = http1!.responses[11]!;
    assert.equal(head.body, '');
    assert.equal(JSON.parse(http1!.responses[12]!.body as string).cookie, 'pre=0; session=s1');
    assert.equal(JSON.parse(http1!.responses[13]!.body as string).method, 'GET');
    assert.equal(http1!.responses[17]!.error_code, 1212);
    assert.equal(http1!.responses[18]!.body, 'héllo GET 0');
    assert.equal(JSON.parse(http1!.responses[19]!.body as string).body, 'a body on a GET');
  });

  test('measures connecting, sending, waiting and receiving on the socket', async () => {
    const server = await rawServer((_, socket) => {
      // The response's first bytes, then the rest a moment later: waiting and receiving are both visible.
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab');
      setTimeout(() => socket.write('cd'), 20);
    });
    const { io, samples } = client(true);
    const first = await io.perform(spec(`http://127.0.0.1:${server.port}/`), 0);
    const second = await io.perform(spec(`http://127.0.0.1:${server.port}/`), 0);
    assert.equal(first.body, 'abcd');
    assert.ok(first.timings.connecting > 0, `connecting ${first.timings.connecting}`);
    assert.equal(second.timings.connecting, 0, 'the second request reuses the connection');
    for (const t of [first.timings, second.timings]) {
      assert.ok(t.sending > 0 && t.waiting > 0 && t.blocked > 0, JSON.stringify(t));
      assert.ok(t.receiving > 0, `receiving ${t.receiving}`);
      assert.equal(t.tls_handshaking, 0);
      assert.equal(t.duration, t.sending + t.waiting + t.receiving);
    }
    const durations = samples.filter(([name]) => name === 'http_req_duration').map(([, v]) => v);
    assert.deepEqual(durations, [first.timings.duration, second.timings.duration]);
    assert.equal(server.connections.length, 1);
  });

  test('reuses keep-alive connections per origin and never pipelines', async () => {
    let inFlight = 0;
    let overlapped = false;
    const busy = new WeakSet<Socket>();
    const server = await rawServer((_, socket) => {
      if (busy.has(socket)) overlapped = true;
      busy.add(socket);
      inFlight++;
      setTimeout(() => {
        busy.delete(socket);
        inFlight--;
        socket.write(ok);
      }, 5);
    });
    const { io } = client(true);
    const url = `http://127.0.0.1:${server.port}/`;
    for (let i = 0; i < 5; i++) assert.equal((await io.perform(spec(url), 0)).status, 200);
    assert.equal(server.connections.length, 1, 'sequential requests share one connection');
    for (let round = 0; round < 3; round++) {
      const responses = await Promise.all(Array.from({ length: 8 }, () => io.perform(spec(url), 0)));
      assert.deepEqual(
        responses.map((r) => r.status),
        Array(8).fill(200),
      );
    }
    assert.equal(server.connections.length, 8, 'concurrent requests reuse the connections they opened');
    assert.equal(overlapped, false, 'one request at a time per connection');
    assert.equal(inFlight, 0);
  });

  test('a response with Connection: close, a body ending at the close, and noConnectionReuse', async () => {
    const server = await rawServer((request, socket) => {
      if (request.startsWith('GET /close'))
        socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye');
      else if (request.startsWith('GET /eof'))
        socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end');
      else socket.write(ok);
    });
    const url = `http://127.0.0.1:${server.port}`;
    const { io } = client(true);
    assert.equal((await io.perform(spec(`${url}/close`), 0)).body, 'bye');
    assert.equal((await io.perform(spec(`${url}/eof`), 0)).body, 'until the end');
    assert.equal((await io.perform(spec(`${url}/`), 0)).body, 'ok');
    assert.equal((await io.perform(spec(`${url}/`), 0)).body, 'ok');
    assert.equal(server.connections.length, 3, 'a closed connection is never reused; the last one is');
    for (const http1 of [true, false]) {
      const { io: fresh } = client(http1, { noConnectionReuse: true });
      const [requestsBefore, connectionsBefore]: number[] = [
        server.requests.length,
        server.connections.length,
      ];
      for (let i = 0; i < 3; i++) assert.equal((await fresh.perform(spec(`${url}/`), 0)).body, 'ok');
      assert.equal(
        server.connections.length - connectionsBefore!,
        3,
        'noConnectionReuse: a connection per request',
      );
      for (const request of server.requests.slice(requestsBefore))
        assert.match(request, /\r\nconnection: close\r\n/);
    }
  });

  test("a script's noConnectionReuse reaches the engine's client", async () => {
    const server = await rawServer((_, socket) => socket.write(ok));
    const dir = await mkdtemp(join(tmpdir(), 'http1-reuse-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const connectionsFor = async (noConnectionReuse: boolean) => {
      const script = join(dir, `reuse-${noConnectionReuse}.js`);
      await writeFile(
        script,
        `import http from 'k6/http';
export const options = { vus: 1, iterations: 4, noConnectionReuse: ${noConnectionReuse} };
export default function () { http.get('http://127.0.0.1:${server.port}/'); }`,
      );
      const from = server.connections.length;
      const result = await runLoad({
        script,
        runner: 'builtin',
        log: () => undefined,
        stdout: () => undefined,
      });
      assert.equal(result.exitCode, 0);
      assert.equal(result.metrics.requests, 4);
      return server.connections.length - from;
    };
    assert.equal(await connectionsFor(false), 1);
    assert.equal(await connectionsFor(true), 4);
  });

  test("noVUConnectionReuse: a VU's iteration end closes its idle connections, and one in use once it is free unless the VU sent another request first (Go's CloseIdleConnections)", async () => {
    const held: Socket[] = [];
    const server = await rawServer((request, socket) => {
      if (request.startsWith('GET /hold')) held.push(socket);
      else socket.write(ok);
    });
    const url = `http://127.0.0.1:${server.port}`;
    const { io } = client(true, { noVUConnectionReuse: true });
    assert.equal((await io.perform(spec(`${url}/`), 1)).status, 200);
    assert.equal((await io.perform(spec(`${url}/`), 2)).status, 200);
    io.iterationEnded(1);
    await eventually("VU 1's idle connection closed", () => server.connections[0]!.closed);
    assert.equal((await io.perform(spec(`${url}/`), 2)).status, 200);
    assert.equal(server.connections.length, 2, 'VU 2 kept its connection');

    const inFlight = io.perform(spec(`${url}/hold`), 1);
    await eventually('the request held', () => held.length === 1);
    io.iterationEnded(1);
    held[0]!.write(ok);
    assert.equal((await inFlight).status, 200);
    await eventually('the connection closed once free', () => held[0]!.closed);

    const second = io.perform(spec(`${url}/hold`), 1);
    await eventually('the request held', () => held.length === 2);
    io.iterationEnded(1);
    assert.equal((await io.perform(spec(`${url}/`), 1)).status, 200);
    held[1]!.write(ok);
    assert.equal((await second).status, 200);
    const opened = server.connections.length;
    assert.equal((await io.perform(spec(`${url}/`), 1)).status, 200);
    assert.equal((await io.perform(spec(`${url}/`), 1)).status, 200);
    assert.equal(server.connections.length, opened, 'connections freed after the next request are reused');
  });

  test('a server closing idle connections: retried once when safe, reported when not', async () => {
    // The server drops the connection when the second request on it arrives, as a server whose idle timeout
    // fires just as the request is sent: nothing of a response comes back.
    const perConnection = new WeakMap<Socket, number>();
    const server = await rawServer((_, socket) => {
      const n = (perConnection.get(socket) ?? 0) + 1;
      perConnection.set(socket, n);
      if (n === 2) socket.destroy();
      else socket.write(ok);
    });
    const url = `http://127.0.0.1:${server.port}/`;
    const { io } = client(true);
    assert.equal((await io.perform(spec(url), 0)).status, 200);
    const retried = await io.perform(spec(url), 0);
    assert.equal(retried.status, 200, retried.error);
    assert.equal(server.connections.length, 2, 'the GET went again on a fresh connection');
    const post = await io.perform(spec(url, { method: 'POST', body: 'once', headers: {} }), 0);
    assert.equal(post.status, 0, 'a POST is never sent twice');
    assert.equal(post.error_code, 1220);
    assert.equal(server.requests.filter((r) => r.startsWith('POST')).length, 1);

    // A server that closes idle connections after a while: the closed one is dropped from the pool.
    const idle = await rawServer((_, socket) => {
      socket.write(ok);
      setTimeout(() => socket.end(), 20);
    });
    const idleUrl = `http://127.0.0.1:${idle.port}/`;
    assert.equal((await io.perform(spec(idleUrl), 0)).status, 200);
    await eventually('the server closed the idle connection', () => idle.connections[0]!.closed);
    assert.equal((await io.perform(spec(idleUrl), 0)).status, 200);
    assert.equal(idle.connections.length, 2);
  });

  test('a slow server: request timeout (1050), the connection not reused; no limit at timeout 0', async () => {
    const server = await rawServer((request, socket) => {
      if (request.startsWith('GET /slow')) setTimeout(() => !socket.destroyed && socket.write(ok), 3_000);
      else if (request.startsWith('GET /later')) setTimeout(() => socket.write(ok), 300);
      else socket.write(ok);
    });
    const url = `http://127.0.0.1:${server.port}`;
    for (const http1 of [true, false]) {
      const { io } = client(http1);
      const from = server.connections.length;
      const slow = await io.perform(spec(`${url}/slow`, { timeoutMs: 200 }), 0);
      assert.equal(slow.status, 0);
      assert.equal(slow.error_code, 1050);
      assert.equal(slow.error, 'request timeout');
      assert.ok(slow.timings.duration >= 190, `duration ${slow.timings.duration}`);
      await eventually('the timed-out connection closed', () => server.connections[from]!.closed);
      assert.equal((await io.perform(spec(`${url}/fast`), 0)).body, 'ok');
      // timeout 0: no limit, as in k6.
      assert.equal((await io.perform(spec(`${url}/later`, { timeoutMs: 0 }), 0)).body, 'ok');
      await io.close();
    }
  });

  test('a long chunked body arrives whole, and is counted when discarded', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'z');
    const chunks = 160; // 10 MiB
    const port = await listen(
      createServer((_, res) => {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        let sent = 0;
        const more = () => {
          while (sent < chunks) {
            sent++;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end();
        };
        more();
      }),
    );
    const { io, samples } = client(true);
    const whole = await io.perform(spec(`http://127.0.0.1:${port}/`, { responseType: 'binary' }), 0);
    assert.equal((whole.body as ArrayBuffer).byteLength, chunk.length * chunks);
    assert.ok(Buffer.from(whole.body as ArrayBuffer).every((b) => b === 0x7a));
    const discarded = await io.perform(spec(`http://127.0.0.1:${port}/`, { responseType: 'none' }), 0);
    assert.equal(discarded.body, null);
    const received = samples.filter(([name]) => name === 'data_received').map(([, v]) => v);
    assert.equal(received.length, 2);
    assert.equal(received[1], received[0]);
    assert.ok(received[0]! > chunk.length * chunks);
  });

  test('a malformed response is an error, not a crash', async () => {
    const server = await rawServer((_, socket) => socket.end('HTTP/1.1 abc nonsense\r\n\r\n'));
    for (const http1 of [true, false]) {
      const { io } = client(http1);
      const response = await io.perform(spec(`http://127.0.0.1:${server.port}/`), 0);
      // Both report k6's generic code; the parsers word the message each their own way.
      assert.equal(response.status, 0);
      assert.equal(response.error_code, 1000);
      assert.match(response.error, http1 ? /Parse Error/ : /does not match the HTTP\/1\.1 protocol/);
    }
  });
});
