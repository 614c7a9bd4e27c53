/**
 * `k6/crypto`: digests and HMACs with k6's output encodings (hex, base64, base64url, base64rawurl, binary =
 * ArrayBuffer), incremental hashers (createHash, createHMAC) and randomBytes, on Node's crypto.
 */

import { base64, toArrayBuffer, toBytes } from './encoding-module.js';
import { nodeCrypto } from './node-crypto.js';

/** k6's algorithm names → OpenSSL's. */
const algorithms: Record<string, string> = {
  md4: 'md4',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
  ripemd160: 'ripemd160',
};

function algorithm(name: unknown): string {
  const found = algorithms[String(name)];
  if (!found) throw new Error(`unsupported hash algorithm '${String(name)}'`);
  return found;
}

function encode(digest: Buffer, encoding: unknown): string | ArrayBuffer {
  switch (encoding) {
    case 'hex':
      return digest.toString('hex');
    case 'base64':
      return base64(digest, 'std');
    case 'base64url':
      return base64(digest, 'url');
    case 'base64rawurl':
      return base64(digest, 'rawurl');
    case 'binary':
      return toArrayBuffer(digest);
    default:
      throw new Error(
        `invalid output encoding '${String(encoding)}' (hex, base64, base64url, base64rawurl, binary)`,
      );
  }
}

interface Digester {
  update(data: Buffer): void;
  digest(): Buffer;
}

/** k6's Hasher: update() any number of times, digest(encoding) once. */
class Hasher {
  constructor(private readonly inner: Digester) {}
  update(input: unknown): void {
    this.inner.update(toBytes(input));
  }
  digest(encoding: string): string | ArrayBuffer {
    return encode(this.inner.digest(), encoding);
  }
}

export function createCryptoModule() {
  const digest = (name: string) => (input: unknown, encoding: string) =>
    encode(nodeCrypto().createHash(algorithm(name)).update(toBytes(input)).digest(), encoding);
  const hashes = Object.fromEntries(Object.keys(algorithms).map((name) => [name, digest(name)]));
  return {
    ...hashes,
    hmac(name: string, secret: unknown, data: unknown, encoding: string): string | ArrayBuffer {
      return encode(
        nodeCrypto().createHmac(algorithm(name), toBytes(secret)).update(toBytes(data)).digest(),
        encoding,
      );
    },
    createHash(name: string): Hasher {
      return new Hasher(nodeCrypto().createHash(algorithm(name)));
    },
    createHMAC(name: string, secret: unknown): Hasher {
      return new Hasher(nodeCrypto().createHmac(algorithm(name), toBytes(secret)));
    },
    randomBytes(size: number): ArrayBuffer {
      return toArrayBuffer(nodeCrypto().randomBytes(Number(size)));
    },
  };
}
