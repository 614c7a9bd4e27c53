/**
 * A loopback HTTP server that requires NTLM (MS-NLMP) and verifies NTLMv2 responses itself: it challenges each
 * connection, checks the client's proof with the user's password, and then serves that connection as authenticated
 * (NTLM authenticates connections). Written from the specification, apart from the client under test.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import md4 from 'js-md4';

export interface NtlmExchange {
  /** Which connection carried it (1, 2…). */
  connection: number;
  /** The NTLM message type the request carried (1 or 3), 0 for none. */
  message: number;
  status: number;
}

export interface NtlmServer {
  url: string;
  exchanges: NtlmExchange[];
  close(): Promise<void>;
}

const utf16 = (text: string) => Buffer.from(text, 'utf16le');
const hmac = (key: Buffer, ...parts: Buffer[]) =>
  parts.reduce((h, p) => h.update(p), createHmac('md5', key)).digest();
/** A field of an NTLM message: length at `at`, offset at `at + 4`. */
const field = (message: Buffer, at: number) =>
  message.subarray(message.readUInt32LE(at + 4), message.readUInt32LE(at + 4) + message.readUInt16LE(at));

function avPairs(pairs: [number, Buffer][]): Buffer {
  const parts = pairs.flatMap(([id, value]) => {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(id, 0);
    head.writeUInt16LE(value.length, 2);
    return [head, value];
  });
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

function challengeMessage(serverChallenge: Buffer, targetInfo: Buffer): Buffer {
  const name = utf16('SCALEGATE');
  const head = Buffer.alloc(56);
  head.write('NTLMSSP\0', 0, 'latin1');
  head.writeUInt32LE(2, 8);
  head.writeUInt16LE(name.length, 12);
  head.writeUInt16LE(name.length, 14);
  head.writeUInt32LE(56, 16);
  // Unicode, request target, NTLM, domain target, extended session security, target info.
  head.writeUInt32LE(0x1 | 0x4 | 0x200 | 0x10000 | 0x80000 | 0x800000, 20);
  serverChallenge.copy(head, 24);
  head.writeUInt16LE(targetInfo.length, 40);
  head.writeUInt16LE(targetInfo.length, 42);
  head.writeUInt32LE(56 + name.length, 44);
  return Buffer.concat([head, name, targetInfo]);
}

/** `users`: `DOMAIN\user` → password. */
export async function startNtlmServer(users: Record<string, string>): Promise<NtlmServer> {
  const exchanges: NtlmExchange[] = [];
  const connections = new Map<
    Socket,
    { id: number; challenge?: Buffer; targetInfo?: Buffer; user?: string }
  >();
  const stateOf = (socket: Socket) => {
    let state = connections.get(socket);
    if (!state) {
      state = { id: connections.size + 1 };
      connections.set(socket, state);
    }
    return state;
  };

  /** The authenticated user if an AUTHENTICATE message proves the password, else undefined. */
  const verify = (message: Buffer, challenge: Buffer, targetInfo: Buffer): string | undefined => {
    const nt = field(message, 20);
    const domain = field(message, 28).toString('utf16le');
    const user = field(message, 36).toString('utf16le');
    const password = users[`${domain}\\${user}`];
    if (password === undefined || nt.length < 48) return undefined;
    const proof = nt.subarray(0, 16);
    const blob = nt.subarray(16);
    // The blob must carry this connection's target info (after the 28-byte header and the 4 reserved bytes).
    if (!blob.subarray(28, 28 + targetInfo.length).equals(targetInfo)) return undefined;
    const key = hmac(Buffer.from(md4.arrayBuffer(utf16(password))), utf16(user.toUpperCase() + domain));
    return hmac(key, challenge, blob).equals(proof) ? `${domain}\\${user}` : undefined;
  };

  const server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      const state = stateOf(req.socket);
      const token = /^NTLM (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      const message = token ? Buffer.from(token, 'base64') : undefined;
      const type = message && message.length >= 12 ? message.readUInt32LE(8) : 0;
      const answer = (status: number, headers: Record<string, string>, body = '') => {
        exchanges.push({ connection: state.id, message: type, status });
        res.writeHead(status, headers).end(body);
      };
      if (type === 1) {
        state.challenge = randomBytes(8);
        const timestamp = Buffer.alloc(8);
        timestamp.writeBigUInt64LE(BigInt(Date.now()) * 10_000n + 116444736000000000n);
        state.targetInfo = avPairs([
          [2, utf16('SCALEGATE')],
          [1, utf16('TARGET')],
          [7, timestamp],
        ]);
        const challenge = challengeMessage(state.challenge, state.targetInfo).toString('base64');
        answer(401, { 'WWW-Authenticate': `NTLM ${challenge}` });
        return;
      }
      if (type === 3 && message && state.challenge && state.targetInfo) {
        state.user = verify(message, state.challenge, state.targetInfo);
        state.challenge = undefined;
      }
      if (state.user) answer(200, { 'Content-Type': 'text/plain' }, `hello ${state.user}`);
      else answer(401, { 'WWW-Authenticate': 'NTLM' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
