/**
 * Object bodies of `k6/http` requests, encoded as k6 encodes them: `application/x-www-form-urlencoded`, or
 * `multipart/form-data` as soon as one value is an `http.file()`. Multipart bodies are framed as Go's
 * mime/multipart writer frames them (k6 uses it): a 60-hex-digit random boundary, part headers in key order, CRLF
 * line ends, quotes and backslashes escaped in field names and filenames, except in the name of a file's field.
 */

import { nodeCrypto } from './node-crypto.js';
import { isArrayBuffer } from './realm.js';

/** k6's FileData: the value `http.file(data, filename, contentType)` returns. */
export class FileData {
  constructor(
    readonly data: string | ArrayBuffer,
    readonly filename: string,
    readonly content_type: string,
  ) {}
}

/** `http.file()`: k6 accepts a string or an ArrayBuffer; the filename defaults to the time in nanoseconds. */
export function file(data: unknown, filename?: string, contentType?: string): FileData {
  if (typeof data !== 'string' && !isArrayBuffer(data))
    throw new Error(`invalid type ${data === null ? 'null' : typeof data}, expected string or ArrayBuffer`);
  const name = filename ?? String(BigInt(Date.now()) * 1_000_000n);
  return new FileData(data, name, contentType ?? 'application/octet-stream');
}

/**
 * One form value as text: null and undefined are empty; nested objects and arrays cannot be flattened, so they are
 * sent empty with k6's warning.
 */
function formValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    console.warn(
      'cannot urlencode a nested value in a request form body; encoding it as an empty value, use JSON.stringify() to send structured data',
    );
    return '';
  }
  return String(value);
}

const escapeQuotes = (text: string) => text.replace(/[\\"]/g, (c) => `\\${c}`);

function multipart(fields: Record<string, unknown>): { body: Uint8Array; contentType: string } {
  const boundary = nodeCrypto().randomBytes(30).toString('hex');
  const chunks: Buffer[] = [];
  let first = true;
  const part = (headers: [string, string][], data: Buffer) => {
    const lead = first ? `--${boundary}\r\n` : `\r\n--${boundary}\r\n`;
    first = false;
    const head = headers.map(([k, v]) => `${k}: ${v}\r\n`).join('');
    chunks.push(Buffer.from(`${lead}${head}\r\n`), data);
  };
  for (const [name, value] of Object.entries(fields)) {
    if (value instanceof FileData)
      part(
        [
          [
            'Content-Disposition',
            // k6 writes this header itself and escapes only the filename (Go's CreateFormField escapes a name).
            `form-data; name="${name}"; filename="${escapeQuotes(value.filename)}"`,
          ],
          ['Content-Type', value.content_type],
        ],
        typeof value.data === 'string' ? Buffer.from(value.data) : Buffer.from(new Uint8Array(value.data)),
      );
    else
      part(
        [['Content-Disposition', `form-data; name="${escapeQuotes(name)}"`]],
        Buffer.from(formValue(value)),
      );
  }
  chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  const all = Buffer.concat(chunks);
  return {
    body: new Uint8Array(all.buffer, all.byteOffset, all.byteLength),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/**
 * An object body and the Content-Type k6 gives it. A urlencoded body lists its keys sorted (Go's url.Values
 * encoding); an array repeats its key.
 */
export function formBody(fields: Record<string, unknown>): {
  body: string | Uint8Array;
  contentType: string;
} {
  if (Object.values(fields).some((v) => v instanceof FileData)) return multipart(fields);
  return { body: urlEncoded(fields), contentType: 'application/x-www-form-urlencoded' };
}

export function urlEncoded(fields: Record<string, unknown>): string {
  const form = new URLSearchParams();
  const keys = Object.keys(fields).sort();
  for (const [key, value] of keys.map((k) => [k, fields[k]] as const))
    for (const item of Array.isArray(value) ? value : [value]) form.append(key, formValue(item));
  return form.toString();
}
