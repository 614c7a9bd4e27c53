/**
 * NTLM authentication (MS-NLMP) as k6's `auth: 'ntlm'` does it: the request goes first without credentials; a 401
 * offering NTLM (or Negotiate) is answered with a NEGOTIATE message, the server's CHALLENGE with an AUTHENTICATE
 * message carrying an NTLMv2 response (Unicode, no key exchange; a server asking for LM keys or key exchange is not
 * answered). `DOMAIN\user` names the domain. NTLM authenticates a connection, so the three exchanges must share one.
 */
import { createHmac, randomBytes } from 'node:crypto';
// MD4 (for the NT hash) is only in OpenSSL 3's legacy provider, which Node does not load.
import md4 from 'js-md4';
import type { Credentials } from './digest-auth.js';

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
const FLAG = {
  unicode: 0x1,
  ntlm: 0x200,
  alwaysSign: 0x8000,
  extendedSessionSecurity: 0x80000,
  targetInfo: 0x800000,
  version: 0x2000000,
  bits128: 0x20000000,
  bits56: 0x80000000,
  lmKey: 0x80,
  keyExchange: 0x40000000,
};
const AV_TIMESTAMP = 7;
/** Windows FILETIME (100 ns since 1601) of the Unix epoch. */
const FILETIME_EPOCH = 116444736000000000n;

/** The scheme (NTLM or Negotiate) and token of a `WWW-Authenticate` header offering NTLM, if it does. */
export function ntlmOffer(header: string | undefined): { scheme: string; token?: Buffer } | undefined {
  const match = /(?:^|,)\s*(NTLM|Negotiate)(?:\s+([A-Za-z0-9+/]+=*))?\s*(?=,|$)/.exec(header ?? '');
  if (!match) return undefined;
  return { scheme: match[1]!, ...(match[2] ? { token: Buffer.from(match[2], 'base64') } : {}) };
}

/** The NEGOTIATE message: no domain nor workstation supplied. */
export function negotiateMessage(): Buffer {
  const message = Buffer.alloc(40);
  SIGNATURE.copy(message, 0);
  message.writeUInt32LE(1, 8);
  const flags =
    FLAG.targetInfo |
    FLAG.bits56 |
    FLAG.bits128 |
    FLAG.unicode |
    FLAG.extendedSessionSecurity |
    FLAG.ntlm |
    FLAG.alwaysSign;
  message.writeUInt32LE(flags >>> 0, 12);
  // Domain and workstation fields stay empty (offset 40); then the version: 6.1 build 7601, NTLM revision 15.
  message.writeUInt32LE(40, 20);
  message.writeUInt32LE(40, 28);
  message.writeUInt8(6, 32);
  message.writeUInt8(1, 33);
  message.writeUInt16LE(7601, 34);
  message.writeUInt8(15, 39);
  return message;
}

interface Challenge {
  flags: number;
  serverChallenge: Buffer;
  targetInfo: Buffer | undefined;
}

function parseChallenge(token: Buffer): Challenge | undefined {
  if (token.length < 32 || !token.subarray(0, 8).equals(SIGNATURE) || token.readUInt32LE(8) !== 2)
    return undefined;
  const flags = token.readUInt32LE(20);
  let targetInfo: Buffer | undefined;
  if (token.length >= 48) {
    const length = token.readUInt16LE(40);
    const offset = token.readUInt32LE(44);
    if (length > 0 && offset + length <= token.length) targetInfo = token.subarray(offset, offset + length);
  }
  return { flags, serverChallenge: token.subarray(24, 32), targetInfo };
}

/** The value of one AV pair of a target info block. */
function avPair(targetInfo: Buffer | undefined, id: number): Buffer | undefined {
  for (let at = 0; targetInfo && at + 4 <= targetInfo.length; ) {
    const avId = targetInfo.readUInt16LE(at);
    const length = targetInfo.readUInt16LE(at + 2);
    if (avId === 0) return undefined;
    if (avId === id) return targetInfo.subarray(at + 4, at + 4 + length);
    at += 4 + length;
  }
  return undefined;
}

const hmacMd5 = (key: Buffer, ...data: Buffer[]) => {
  const hmac = createHmac('md5', key);
  for (const part of data) hmac.update(part);
  return hmac.digest();
};
const utf16 = (text: string) => Buffer.from(text, 'utf16le');

/** NTOWFv2: HMAC-MD5 of the upper-cased user and the domain, keyed by the MD4 of the password. */
export function ntlmV2Key(user: string, domain: string, password: string): Buffer {
  const ntHash = Buffer.from(md4.arrayBuffer(utf16(password)));
  return hmacMd5(ntHash, utf16(user.toUpperCase() + domain));
}

/** The NTLMv2 response: the proof (HMAC-MD5 over the server challenge and the client blob), then the blob. */
export function ntlmV2Response(
  key: Buffer,
  serverChallenge: Buffer,
  clientChallenge: Buffer,
  timestamp: Buffer,
  targetInfo: Buffer,
): Buffer {
  const blob = Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    timestamp,
    clientChallenge,
    Buffer.alloc(4),
    targetInfo,
    Buffer.alloc(4),
  ]);
  return Buffer.concat([hmacMd5(key, serverChallenge, blob), blob]);
}

/** The AUTHENTICATE message answering a CHALLENGE token, or undefined when it cannot be answered. */
export function authenticateMessage(token: Buffer, credentials: Credentials): Buffer | undefined {
  const challenge = parseChallenge(token);
  if (!challenge || challenge.flags & FLAG.lmKey || challenge.flags & FLAG.keyExchange) return undefined;
  if (!(challenge.flags & FLAG.unicode)) return undefined;
  const slash = credentials.username.indexOf('\\');
  const domain = slash >= 0 ? credentials.username.slice(0, slash) : '';
  const user = slash >= 0 ? credentials.username.slice(slash + 1) : credentials.username;
  const key = ntlmV2Key(user, domain, credentials.password);
  const clientChallenge = randomBytes(8);
  let timestamp = avPair(challenge.targetInfo, AV_TIMESTAMP);
  if (!timestamp) {
    timestamp = Buffer.alloc(8);
    timestamp.writeBigUInt64LE(BigInt(Date.now()) * 10_000n + FILETIME_EPOCH);
  }
  const nt = ntlmV2Response(
    key,
    challenge.serverChallenge,
    clientChallenge,
    timestamp,
    challenge.targetInfo ?? Buffer.alloc(0),
  );
  // LMv2 only when the server sent no target info (MS-NLMP 3.3.2).
  const lm = challenge.targetInfo
    ? Buffer.alloc(0)
    : Buffer.concat([hmacMd5(key, challenge.serverChallenge, clientChallenge), clientChallenge]);
  const payload = [lm, nt, utf16(domain), utf16(user), Buffer.alloc(0)];
  const header = Buffer.alloc(64);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(3, 8);
  let offset = header.length;
  payload.forEach((field, i) => {
    header.writeUInt16LE(field.length, 12 + i * 8);
    header.writeUInt16LE(field.length, 14 + i * 8);
    header.writeUInt32LE(offset, 16 + i * 8);
    offset += field.length;
  });
  // The session key field (52) stays empty; the flags are the server's, without the version flag.
  header.writeUInt32LE((challenge.flags & ~FLAG.version) >>> 0, 60);
  return Buffer.concat([header, ...payload]);
}
