/**
 * A clean-room stand-in for the formdata jslib (0.0.1 and 0.0.2): a FormData whose `body()` is a multipart/form-data
 * ArrayBuffer framed as that jslib frames it, to send with `Content-Type: multipart/form-data; boundary=` and its
 * `boundary`. A value is an `http.file()` FileData; 0.0.2 also takes a string as a text/plain part, where 0.0.1
 * reads a string as a FileData too (an empty application/octet-stream part). Text is written one byte per character
 * (Latin-1), as the jslib writes it.
 */
import { isArrayBuffer } from './realm.js';

interface Part {
  field: string;
  data: unknown;
  filename?: string;
  contentType?: string;
}

function bytes(data: unknown): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'latin1');
  if (Array.isArray(data)) return Buffer.from(Uint8Array.from(data as number[]));
  if (isArrayBuffer(data)) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.alloc(0);
}

export class FormData {
  readonly boundary = `------RWWorkerFormDataBoundary${Math.random().toString(36)}`;
  private readonly parts: Part[] = [];
  /** Whether a string value is a text part (0.0.2) rather than read as a FileData (0.0.1). */
  protected readonly textValues: boolean = true;

  append(...args: [field: string, value: unknown]): void {
    if (args.length < 2) throw new SyntaxError('Not enough arguments');
    const [field, value] = args;
    if (typeof value === 'string' && this.textValues) {
      this.parts.push({ field, data: value, contentType: 'text/plain' });
      return;
    }
    // The jslib fails on a missing value (when it reads its filename); so does this, at once.
    if (value === null || value === undefined)
      throw new TypeError(
        `FormData.append('${field}'): the value is ${value}, expected a string or http.file()`,
      );
    const file = value as { data?: unknown; filename?: string; content_type?: string };
    this.parts.push({ field, data: file.data, filename: file.filename, contentType: file.content_type });
  }

  body(): ArrayBuffer {
    const chunks = this.parts.flatMap((part) => {
      const filename = part.filename ? `; filename="${part.filename.replace(/"/g, '%22')}"` : '';
      const head =
        `--${this.boundary}\r\nContent-Disposition: form-data; name="${part.field}"${filename}\r\n` +
        `Content-Type: ${part.contentType || 'application/octet-stream'}\r\n\r\n`;
      return [bytes(head), bytes(part.data), bytes('\r\n')];
    });
    const all = Buffer.concat([...chunks, bytes(`--${this.boundary}--\r\n`)]);
    return all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  }
}

/** The formdata jslib 0.0.1. */
export class FormDataV001 extends FormData {
  protected override readonly textValues = false;
}
