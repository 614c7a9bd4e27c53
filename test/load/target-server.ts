/** A loopback HTTP server for load tests that records every request it receives. */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TargetServer {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

export async function startTarget(): Promise<TargetServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '';
      requests.push({
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (path === '/redirect') {
        res.writeHead(302, { Location: '/items/redirected' }).end();
        return;
      }
      if (path === '/cookies/set') {
        res
          .writeHead(200, { 'Set-Cookie': ['session=s1; Path=/', 'theme=dark; Path=/cookies; HttpOnly'] })
          .end('set');
        return;
      }
      if (path === '/cookies/login') {
        res.writeHead(302, { 'Set-Cookie': 'auth=ok; Path=/', Location: '/cookies/echo' }).end();
        return;
      }
      if (path === '/cookies/echo') {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end(req.headers.cookie ?? '');
        return;
      }
      if (path === '/page') {
        res
          .writeHead(200, { 'Content-Type': 'text/html' })
          .end(
            '<html><head><title>Shop</title></head><body><ul id="items"><li data-id="1"><a href="/a">A</a></li>' +
              '<li data-id="2"><a href="/b">B</a></li></ul><input name="csrf" value="tok3n"></body></html>',
          );
        return;
      }
      if (path === '/digest') {
        // RFC 7616 MD5 with qop=auth, user `ann`, password `pw`.
        const fields = Object.fromEntries(
          [...(req.headers.authorization ?? '').matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)].map((m) => [
            m[1],
            m[2] ?? m[3],
          ]),
        );
        const md5 = (text: string) => createHash('md5').update(text).digest('hex');
        const expected = md5(
          `${md5('ann:scalegate:pw')}:n0nce:${fields.nc}:${fields.cnonce}:auth:${md5(`${req.method}:${fields.uri}`)}`,
        );
        if (fields.username === 'ann' && fields.opaque === 'op' && fields.response === expected) {
          res.writeHead(200).end('welcome');
          return;
        }
        res
          .writeHead(401, {
            'WWW-Authenticate': 'Digest realm="scalegate", qop="auth", nonce="n0nce", opaque="op"',
          })
          .end();
        return;
      }
      if (path === '/missing') {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      const item = /^\/items\/([^?]+)/.exec(path);
      if (item) {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ who: item[1] }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
