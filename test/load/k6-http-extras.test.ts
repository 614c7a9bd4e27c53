/**
 * k6/http APIs beyond plain requests, on the builtin engine against local targets: multipart bodies (http.file),
 * Response.submitForm and Response.clickLink, client certificates (tlsAuth), NTLM authentication; jslib modules
 * loaded from their npm packages.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { ntlmV2Key, ntlmV2Response } from '../../actions/lib/load/builtin/ntlm-auth.js';
import {
  certificateAuthority,
  clientCertificate,
  pkcs8EncryptedKey,
} from '../support/client-certificates.js';
import { startNtlmServer } from '../support/ntlm-server.js';
import { selfSignedCertificate } from '../support/self-signed.js';
import { builtinRuns } from './builtin-runs.js';
import { startTarget } from './target-server.js';

const fixtures = fileURLToPath(new URL('../fixtures/k6/', import.meta.url));

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const pages: Record<string, string> = {
  '/shop/form':
    '<html><body><a href="/home">home</a><form method="post" action="order">' +
    '<input type="hidden" name="csrf" value="t0k"><input type="text" name="qty" value="1">' +
    '<input type="checkbox" name="gift" value="yes" checked="checked"><input type="checkbox" name="wrap" value="yes">' +
    '<input type="text" name="off" value="x" disabled="disabled"><textarea name="note">fast please</textarea>' +
    '<select name="size"><option value="s">S</option><option value="m" selected>M</option></select>' +
    '<select name="extras" multiple><option value="olives" selected>O</option><option selected>basil</option></select>' +
    '<input type="file" name="upload"><button type="submit" name="go" value="buy">Buy</button></form>' +
    '<a class="next" href="../catalog?page=2">next</a></body></html>',
  '/shop/more':
    '<html><body><form id="search" action="/find?old=1"><input name="q" value=""></form>' +
    '<form id="nomethod"><input name="a" value="1"><input type="submit" id="first" name="s" value="one">' +
    '<input type="submit" id="second" name="s" value="two"></form></body></html>',
};

/** The tags of every http_reqs point of a run's JSON output, in order. */
async function requestTags(outJson: string): Promise<Record<string, string>[]> {
  return (await readFile(outJson, 'utf8'))
    .trim()
    .split('\n')
    .map(
      (line) => JSON.parse(line) as { type: string; metric: string; data: { tags: Record<string, string> } },
    )
    .filter((p) => p.type === 'Point' && p.metric === 'http_reqs')
    .map((p) => p.data.tags);
}

/** Records every request; serves the HTML pages above, `ok` elsewhere. */
async function startRecorder(): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      seen.push({ method: req.method ?? '', url, headers: req.headers, body: Buffer.concat(chunks) });
      const page = pages[url];
      if (page) res.writeHead(200, { 'Content-Type': 'text/html' }).end(page);
      else res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('builtin engine: k6/http forms, files and links', () => {
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  let dir: string;
  const runs = builtinRuns(fixtures, () => ({ env: { TARGET: recorder.url }, stdout: () => undefined }));

  before(async () => {
    recorder = await startRecorder();
    dir = await mkdtemp(join(tmpdir(), 'scalegate-k6-forms-'));
  });
  after(async () => {
    recorder.server.closeAllConnections();
    await new Promise((r) => recorder.server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('sends http.file bodies as multipart/form-data and submits forms and follows links as k6 does', async () => {
    const outJson = join(dir, 'points.ndjson');
    const result = await runs.run('forms.js', { outJson });
    assert.equal(result.exitCode, 0, runs.logs.join('\n'));
    assert.equal(result.metrics.checksPassRate, 1, runs.logs.join('\n'));
    const { seen } = recorder;

    // Multipart: Go's mime/multipart framing, byte for byte, with a 60-hex-digit boundary.
    const upload = seen.find((s) => s.url === '/upload');
    assert.ok(upload, 'the upload was sent');
    const boundary = /^multipart\/form-data; boundary=([0-9a-f]{60})$/.exec(
      upload.headers['content-type'] ?? '',
    )?.[1];
    assert.ok(boundary, `content-type ${upload.headers['content-type']}`);
    const expected = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nfirst` +
          `\r\n--${boundary}\r\nContent-Disposition: form-data; name="doc"; filename="a \\"quoted\\".txt"\r\n` +
          'Content-Type: text/plain\r\n\r\nhello "k6"' +
          `\r\n--${boundary}\r\nContent-Disposition: form-data; name="bin"; filename="b.bin"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      ),
      Buffer.from([0, 1, 2, 255]),
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="n"\r\n\r\n7` +
          // A field's name is escaped, a file's is not (k6 writes that header itself).
          `\r\n--${boundary}\r\nContent-Disposition: form-data; name="say \\"hi\\""\r\n\r\ntext` +
          `\r\n--${boundary}\r\nContent-Disposition: form-data; name="file "hi""; filename="hi.txt"\r\n` +
          `Content-Type: text/plain\r\n\r\nhi\r\n--${boundary}--\r\n`,
      ),
    ]);
    assert.deepEqual(upload.body, expected);
    // An independent multipart parser (undici's) reads the fields and files of another upload (it does not take
    // the backslash-escaped quotes of Go's filenames).
    const plain = seen.find((s) => s.url === '/upload/plain');
    assert.ok(plain, 'the second upload was sent');
    assert.equal(plain.method, 'PUT');
    const form = await new Response(plain.body, {
      headers: { 'content-type': plain.headers['content-type']! },
    }).formData();
    assert.equal(form.get('kind'), 'csv');
    const sheet = form.get('sheet') as File;
    assert.equal(sheet.name, 'data.csv');
    assert.equal(sheet.type, 'text/csv');
    assert.equal(await sheet.text(), 'a,b\n1,2\n');
    assert.deepEqual([...new Uint8Array(await (form.get('bin') as File).arrayBuffer())], [0, 1, 2, 255]);

    // The formdata jslib's framing: every part with a Content-Type, quotes in filenames as %22. Its version 0.0.1
    // reads a string value as a FileData: an empty application/octet-stream part.
    const jslibUpload = (url: string, titlePart: string, filename: string) => {
      const upload = seen.find((s) => s.url === url);
      const b = /boundary=(------RWWorkerFormDataBoundary0\.[0-9a-z]+)$/.exec(
        upload?.headers['content-type'] ?? '',
      )?.[1];
      assert.ok(b, `${url}: content-type ${upload?.headers['content-type']}`);
      assert.equal(
        upload?.body.toString(),
        `--${b}\r\nContent-Disposition: form-data; name="title"\r\nContent-Type: ${titlePart}\r\n` +
          `--${b}\r\nContent-Disposition: form-data; name="sheet"; filename="${filename}"\r\n` +
          `Content-Type: text/csv\r\n\r\na,b\n\r\n--${b}--\r\n`,
      );
    };
    jslibUpload('/upload/formdata', 'text/plain\r\n\r\nreport', 'r %221%22.csv');
    jslibUpload('/upload/formdata-0.0.1', 'application/octet-stream\r\n\r\n', 'r.csv');

    // submitForm: POST to the relative action; successful controls, the submit button, then `fields`, keys in order.
    const order = seen.find((s) => s.url === '/shop/order');
    assert.ok(order, 'the form was posted to its action');
    assert.equal(order.method, 'POST');
    assert.equal(order.headers['content-type'], 'application/x-www-form-urlencoded');
    // A multiple select is sent as k6 prints its Go list of values.
    assert.equal(
      order.body.toString(),
      'csrf=t0k&extras=%5Bolives+basil%5D&gift=yes&go=buy&note=fast+please&qty=3&size=m',
    );
    // A form without method is sent with GET, its values replacing the action's query.
    assert.ok(seen.some((s) => s.method === 'GET' && s.url === '/find?q=pizza+%26+pasta'));
    assert.ok(
      seen.some((s) => s.method === 'GET' && s.url === '/shop/more?a=1&s=two'),
      seen.map((s) => s.url).join(' '),
    );
    // clickLink: the href resolved against the page's URL; the first a[href] by default.
    assert.ok(seen.some((s) => s.method === 'GET' && s.url === '/catalog?page=2'));
    assert.ok(seen.some((s) => s.method === 'GET' && s.url === '/home'));

    const points = await requestTags(outJson);
    const posted = points.find((t) => t.url === `${recorder.url}/shop/order`);
    assert.equal(posted?.method, 'POST');
    assert.equal(posted?.status, '200');
    const next = points.find((t) => t.url === `${recorder.url}/catalog?page=2`);
    assert.equal(next?.step, 'next', 'the params given to clickLink tag its request');
  });

  it('presents the tlsAuth certificate for the host (else the first) to a server that requires one, and refuses bad ones', async () => {
    const ca = certificateAuthority(dir, 'client-ca');
    const client = clientCertificate(dir, ca, 'vu-client', 's3cret');
    const other = clientCertificate(dir, ca, 'other-client');
    const { key, cert } = await selfSignedCertificate(dir);
    const server = createHttpsServer(
      { key, cert, ca: await readFile(ca.certPath), requestCert: true, rejectUnauthorized: true },
      (req, res) => res.end(`hello ${(req.socket as TLSSocket).getPeerCertificate().subject.CN}`),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const env = {
      TLS_TARGET: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      CLIENT_CERT: client.certPath,
      CLIENT_KEY: client.keyPath,
      KEY_PASSWORD: 's3cret',
      OTHER_CERT: other.certPath,
      OTHER_KEY: other.keyPath,
    };
    try {
      const presented = await runs.run('tls-auth.js', { env });
      assert.equal(presented.exitCode, 0, runs.logs.join('\n'));
      assert.equal(presented.metrics.checksPassRate, 1, runs.logs.join('\n'));
      // k6 presents a certificate whatever its domains (grafana/k6#5153): an entry for other hosts still works.
      const elsewhere = await runs.run('tls-auth.js', { env: { ...env, MODE: 'elsewhere' } });
      assert.equal(elsewhere.exitCode, 0, runs.logs.join('\n'));
      assert.equal(elsewhere.metrics.checksPassRate, 1, runs.logs.join('\n'));
      const refused = await runs.run('tls-auth.js', { env: { TLS_TARGET: env.TLS_TARGET, MODE: 'none' } });
      assert.equal(refused.exitCode, 0, runs.logs.join('\n'));
      assert.equal(refused.metrics.checksPassRate, 1, runs.logs.join('\n'));
      // A key that does not open is bad config (104), named by its place in the option, before any request.
      const wrong = await runs.run('tls-auth.js', { env: { ...env, KEY_PASSWORD: 'wrong' } });
      assert.equal(wrong.exitCode, 104);
      assert.ok(
        runs.logs.some((l) => l.includes('tlsAuth[1]')),
        runs.logs.join('\n'),
      );
      assert.equal(wrong.metrics.requests, 0);
      // As k6, a password opens only a legacy encrypted PEM key: not encrypted PKCS#8, not a plain key.
      const pkcs8 = pkcs8EncryptedKey(dir, 'vu-client', 's3cret');
      assert.equal((await runs.run('tls-auth.js', { env: { ...env, CLIENT_KEY: pkcs8 } })).exitCode, 104);
      assert.ok(
        runs.logs.some((l) => l.includes('tlsAuth[1].key: encrypted pkcs8 formatted key is not supported')),
        runs.logs.join('\n'),
      );
      const plainKey = { ...env, MODE: 'elsewhere', CLIENT_KEY: other.keyPath, CLIENT_CERT: other.certPath };
      assert.equal((await runs.run('tls-auth.js', { env: plainKey })).exitCode, 104);
      assert.ok(
        runs.logs.some((l) => l.includes('tlsAuth[0].password: the key is not encrypted')),
        runs.logs.join('\n'),
      );
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('authenticates with NTLM (auth: ntlm) on one connection, which then stays authenticated', async () => {
    const ntlm = await startNtlmServer({ 'SCALEGATE\\ann': 's3cret' });
    const outJson = join(dir, 'ntlm.ndjson');
    try {
      const result = await runs.run('ntlm.js', { env: { NTLM_TARGET: ntlm.url }, outJson });
      assert.equal(result.exitCode, 0, runs.logs.join('\n'));
      assert.equal(result.metrics.checksPassRate, 1, runs.logs.join('\n'));
      // The handshake (no credentials, NEGOTIATE, AUTHENTICATE) on one connection, then a request on it needing
      // none; wrong credentials handshake on a connection of their own and are refused.
      const seen = (connection: number) =>
        ntlm.exchanges.filter((e) => e.connection === connection).map((e) => `${e.message}:${e.status}`);
      assert.deepEqual(seen(1), ['0:401', '1:401', '3:200', '0:200']);
      assert.deepEqual(seen(2), ['0:401', '1:401', '3:401']);
      // Each exchange is a request in the metrics; the first 401 of a handshake counts as expected, as in k6.
      const requests = (await requestTags(outJson)).map(
        (tags) => `${tags.method}:${tags.status}:${tags.expected_response}`,
      );
      assert.deepEqual(requests, [
        'GET:401:true',
        'GET:401:false',
        'GET:200:true',
        'POST:200:true',
        'GET:401:true',
        'GET:401:false',
        'GET:401:false',
      ]);
    } finally {
      await ntlm.close();
    }
  });

  it('counts the first 401 of a digest request as expected, as k6 does', async () => {
    const target = await startTarget();
    const outJson = join(dir, 'digest.ndjson');
    try {
      const result = await runs.run('digest.js', { env: { TARGET: target.url }, outJson });
      assert.equal(result.exitCode, 0, runs.logs.join('\n'));
      const requests = (await requestTags(outJson)).map((t) => `${t.status}:${t.expected_response}`);
      // Right password: challenge, then accepted; wrong password: challenge, then refused.
      assert.deepEqual(requests, ['401:true', '200:true', '401:true', '401:false']);
    } finally {
      await target.close();
    }
  });

  it("computes NTLMv2 keys and responses as MS-NLMP's worked example (4.2.4) does", () => {
    const key = ntlmV2Key('User', 'Domain', 'Password');
    assert.equal(key.toString('hex'), '0c868a403bfd7a93a3001ef22ef02e3f');
    const av = (id: number, text: string) => {
      const value = Buffer.from(text, 'utf16le');
      return Buffer.concat([Buffer.from([id, 0, value.length, 0]), value]);
    };
    const targetInfo = Buffer.concat([av(2, 'Domain'), av(1, 'Server'), Buffer.alloc(4)]);
    const response = ntlmV2Response(
      key,
      Buffer.from('0123456789abcdef', 'hex'),
      Buffer.from('aaaaaaaaaaaaaaaa', 'hex'),
      Buffer.alloc(8),
      targetInfo,
    );
    assert.equal(response.subarray(0, 16).toString('hex'), '68cd0ab851e51c96aabc927bebef6a1c');
  });

  it('loads jslib modules that are builds of npm packages from those packages, with no module cache', async () => {
    const cache = process.env.SCALEGATE_K6_MODULES;
    delete process.env.SCALEGATE_K6_MODULES;
    try {
      const result = await runs.run('jslib-packages.js');
      assert.equal(result.exitCode, 0, runs.logs.join('\n'));
      assert.equal(result.metrics.checksPassRate, 1, runs.logs.join('\n'));
    } finally {
      if (cache !== undefined) process.env.SCALEGATE_K6_MODULES = cache;
    }
    const posted = recorder.seen.find((s) => s.url === '/form');
    assert.equal(posted?.body.toString(), 'name=k6+user&tags%5B0%5D=a&tags%5B1%5D=b');
    // A name the package does not export fails the load (exit 107), naming it.
    const script = join(dir, 'missing-export.js');
    await writeFile(
      script,
      "import { parseEverything } from 'https://jslib.k6.io/papaparse/5.1.1/index.js';\nexport default function () { parseEverything(); }\n",
    );
    assert.equal((await runs.run(script)).exitCode, 107);
    assert.ok(
      runs.logs.some((l) => l.includes('parseEverything')),
      runs.logs.join('\n'),
    );
  });
});
