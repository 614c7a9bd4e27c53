/**
 * Reading a file a user names (settings, gate files, manifests, windows, verdicts) without surprises: only a
 * regular file is read (a directory, a FIFO that would block forever or a link to /dev/zero that never ends are
 * reported), and only up to a size limit, so a bad input is a one-line error instead of a hang or an exhausted heap.
 */
import { constants } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ScalegateError, SettingsError } from './errors.js';

/** Inputs are small text files; anything larger is a mistake (or an attack). */
export const maxInputBytes = 4 * 1024 * 1024;

function kindOf(info: Awaited<ReturnType<typeof stat>>): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The text of the regular file at `path`; problems are SettingsErrors at `display:1:1`, naming `what`. */
export async function readInputFile(path: string, display: string, what = 'file'): Promise<string> {
  const at = { file: display, line: 1, column: 1 };
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new SettingsError(at, '', `cannot read ${what} (${error.code ?? error.message})`);
  });
  if (!info.isFile()) throw new SettingsError(at, '', `cannot read ${what}: it is ${kindOf(info)}`);
  if (info.size > maxInputBytes)
    throw new SettingsError(at, '', `${what} is ${info.size} bytes, more than the limit of ${maxInputBytes}`);
  // Read at most one byte past the limit: the file may grow between stat and read.
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(maxInputBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxInputBytes)
        throw new SettingsError(at, '', `${what} is larger than the limit of ${maxInputBytes} bytes`);
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Checks, before any work whose result would be lost, that a file can be written at `path`: its folder exists
 * and is writable, and `path` is not a folder. `flag` names the option in the one-line error.
 */
export async function checkOutputPath(path: string, flag: string): Promise<void> {
  const folder = dirname(path);
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) throw new ScalegateError(`${flag}: folder ${folder} does not exist`, 2);
  await access(folder, constants.W_OK).catch(() => {
    throw new ScalegateError(`${flag}: folder ${folder} is not writable`, 2);
  });
  if ((await stat(path).catch(() => undefined))?.isDirectory())
    throw new ScalegateError(`${flag}: ${path} is a folder`, 2);
}
