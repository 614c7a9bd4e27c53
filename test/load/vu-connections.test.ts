/**
 * Connections per VU, as k6 has them (each VU its own transport): VUs that sleep between requests each keep one
 * connection of their own across iterations, over plain HTTP (the lean client) and https (undici), pooled and with a
 * thread per VU; `noVUConnectionReuse` gives every iteration a new one; `http.batch` runs at most `batch` requests
 * at once and `batchPerHost` to one host. A loopback server tells which connection each request came on.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually } from '../support/eventually.js';
import { selfSignedCertificate } from '../support/self-signed.js';
import { builtinRuns } from './builtin-runs.js';

const fixtures = fileURLToPath(new URL('../fixtures/k6/', import.meta.url));

interface Arrival {
  connection: number;
  vu: string;
  iter: string;
}

/** A loopback server numbering its connections; `handle` answers (default: `ok` at once). */
async function connectionServer(
  tls?: { key: Buffer; cert: Buffer },
  handle: (req: IncomingMessage, res: ServerResponse) => void = (_, res) => res.end('ok'),
) {
  const ids = new WeakMap<Socket, number>();
  const arrivals: Arrival[] = [];
  let connections = 0;
  let open = 0;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    arrivals.push({
      connection: ids.get(req.socket) ?? -1,
      vu: query.get('vu') ?? '',
      iter: query.get('iter') ?? '',
    });
    handle(req, res);
  };
  const server: Server = tls ? createHttpsServer(tls, onRequest) : createServer(onRequest);
  // Idle connections stay open until the client closes them: closing them is the engine's job here.
  server.keepAliveTimeout = 0;
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    ids.set(socket, connections++);
  });
  server.on('connection', (socket: Socket) => {
    open++;
    socket.on('close', () => open--);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    connections: () => connections,
    open: () => open,
  };
}

const hostings = ['auto', 'threads'] as const;

describe('connections belong to a VU', () => {
  let dir: string;
  let tls: { key: Buffer; cert: Buffer };
  const runs = builtinRuns(fixtures, () => ({ verbose: true }));
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vu-connections-'));
    tls = await selfSignedCertificate(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const scheme of ['http', 'https'] as const)
    for (const vuHosting of hostings)
      it(`${scheme}, ${vuHosting === 'auto' ? 'VUs pooled' : 'a thread per VU'}: one connection per VU, kept across iterations; a new one per iteration with noVUConnectionReuse`, async () => {
        for (const noVuReuse of [false, true]) {
          const server = await connectionServer(scheme === 'https' ? tls : undefined);
          const result = await runs.run('vu-connections.js', {
            vuHosting,
            env: { TARGET: server.url, NO_VU_REUSE: String(noVuReuse) },
          });
          assert.equal(result.exitCode, 0, runs.logs.join('\n'));
          assert.ok(
            runs.logs.some((l) =>
              l.includes(vuHosting === 'auto' ? 'VUs run pooled' : 'VUs run a thread each'),
            ),
            runs.logs.join('\n'),
          );
          assert.equal(result.metrics.requests, 12);
          assert.equal(server.arrivals.length, 12);
          const byVu = new Map<string, Arrival[]>();
          for (const a of server.arrivals) byVu.set(a.vu, [...(byVu.get(a.vu) ?? []), a]);
          assert.deepEqual([...byVu.keys()].sort(), ['1', '2', '3', '4']);
          if (noVuReuse) {
            assert.equal(server.connections(), 12, 'noVUConnectionReuse: a connection per iteration');
            assert.equal(new Set(server.arrivals.map((a) => a.connection)).size, 12);
          } else {
            for (const [vu, arrivals] of byVu)
              assert.equal(
                new Set(arrivals.map((a) => a.connection)).size,
                1,
                `VU ${vu}'s iterations share its connection: ${JSON.stringify(arrivals)}`,
              );
            assert.equal(server.connections(), 4, 'a connection per VU');
          }
          await eventually('every connection closed at the end of the run', () => server.open() === 0);
        }
      });
});

/**
 * A server that answers the oldest request it holds only once `limit` are in flight (or all that remain of
 * `total`): a batch that keeps fewer in flight never completes, and one that keeps more shows it in the connections
 * it opens, since a request in flight has a connection to itself and one after it reuses the freed connection.
 */
async function holdingServer(limit: number, total: number) {
  const held: ServerResponse[] = [];
  let answered = 0;
  return connectionServer(undefined, (_, res) => {
    held.push(res);
    while (held.length > 0 && held.length >= Math.min(limit, total - answered)) {
      held.shift()!.end('ok');
      answered++;
    }
  });
}

describe('http.batch runs as k6 runs it', () => {
  const runs = builtinRuns(fixtures, () => ({}));

  for (const vuHosting of hostings)
    it(`${vuHosting === 'auto' ? 'VUs pooled' : 'a thread per VU'}: 6 requests at once to one host (batchPerHost), on 6 connections`, async () => {
      const server = await holdingServer(6, 10);
      const result = await runs.run('batch-limits.js', {
        vuHosting,
        env: { TARGETS: server.url, COUNT: '10' },
      });
      assert.equal(result.exitCode, 0, runs.logs.join('\n'));
      assert.equal(result.metrics.requests, 10);
      assert.equal(result.metrics.checksPassRate, 1);
      assert.equal(server.connections(), 6);
    });

  it('batch limits the requests in flight over all hosts, batchPerHost those to each (0: no limit)', async () => {
    const server = await holdingServer(4, 10);
    const result = await runs.run('batch-limits.js', {
      env: { TARGETS: server.url, COUNT: '10', BATCH: '4', BATCH_PER_HOST: '0' },
    });
    assert.equal(result.exitCode, 0, runs.logs.join('\n'));
    assert.equal(result.metrics.checksPassRate, 1);
    assert.equal(server.connections(), 4);

    const [a, b] = [await holdingServer(3, 8), await holdingServer(3, 8)];
    const perHost = await runs.run('batch-limits.js', {
      env: { TARGETS: `${a.url},${b.url}`, COUNT: '8', BATCH_PER_HOST: '3' },
    });
    assert.equal(perHost.exitCode, 0, runs.logs.join('\n'));
    assert.equal(perHost.metrics.requests, 16);
    assert.equal(perHost.metrics.checksPassRate, 1);
    assert.deepEqual([a.connections(), b.connections()], [3, 3]);

    // More requests waiting for a host than it has slots: each freed slot goes to the next of them, never two.
    const queued = await holdingServer(2, 8);
    const handedOver = await runs.run('batch-limits.js', {
      env: { TARGETS: queued.url, COUNT: '8', BATCH: '6', BATCH_PER_HOST: '2' },
    });
    assert.equal(handedOver.metrics.checksPassRate, 1, runs.logs.join('\n'));
    assert.equal(queued.connections(), 2);
  });

  it('refuses a batch of 0 (k6 would wait forever) with a config error', async () => {
    const result = await runs.run('batch-limits.js', {
      env: { TARGETS: 'http://127.0.0.1:9', COUNT: '1', BATCH: '0' },
    });
    assert.equal(result.exitCode, 104);
    assert.ok(
      runs.logs.some((l) => l.includes('options: batch must be a whole number of at least 1, got 0')),
      runs.logs.join('\n'),
    );
  });
});
