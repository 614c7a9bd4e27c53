/** `k6/encoding`: base64 in k6's four flavours (std, rawstd, url, rawurl), decoding to an ArrayBuffer or a string. */
import { isArrayBuffer } from './realm.js';

type Flavour = 'std' | 'rawstd' | 'url' | 'rawurl';

export function toBytes(input: unknown): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (isArrayBuffer(input)) return Buffer.from(input);
  if (ArrayBuffer.isView(input)) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError(`expected a string or an ArrayBuffer, got ${typeof input}`);
}

export function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function flavour(encoding: unknown): Flavour {
  const value = encoding === undefined || encoding === '' ? 'std' : String(encoding);
  if (value === 'std' || value === 'rawstd' || value === 'url' || value === 'rawurl') return value;
  throw new Error(`unsupported base64 encoding '${value}' (std, rawstd, url, rawurl)`);
}

export function base64(bytes: Buffer, encoding: unknown): string {
  const kind = flavour(encoding);
  const url = kind === 'url' || kind === 'rawurl';
  const text = bytes.toString(url ? 'base64url' : 'base64');
  if (kind === 'rawurl' || kind === 'rawstd') return text.replace(/=+$/, '');
  // Node's base64url has no padding; k6's `url` flavour has.
  return url ? text.padEnd(Math.ceil(text.length / 4) * 4, '=') : text;
}

export function createEncodingModule() {
  return {
    b64encode(input: unknown, encoding?: string): string {
      return base64(toBytes(input), encoding);
    },
    b64decode(input: string, encoding?: string, format?: string): ArrayBuffer | string {
      const kind = flavour(encoding);
      const text = String(input);
      const alphabet = kind === 'url' || kind === 'rawurl' ? /^[A-Za-z0-9_-]*=*$/ : /^[A-Za-z0-9+/]*=*$/;
      if (!alphabet.test(text)) throw new Error(`illegal base64 data in '${text.slice(0, 32)}'`);
      const bytes = Buffer.from(text, kind === 'url' || kind === 'rawurl' ? 'base64url' : 'base64');
      return format === 's' ? bytes.toString('utf8') : toArrayBuffer(bytes);
    },
  };
}
