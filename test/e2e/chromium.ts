/**
 * Headless Chromium for the report test, driven by its command line (no browser automation library): found on
 * PATH or at `$CHROMIUM_BIN`, installed from Debian/Ubuntu's `chromium` package when missing and allowed (root or
 * password-less sudo, as CI has). `scripts/setup-chromium.mjs` runs the same installation ahead of the tests.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type DebianTool, ensureTool, findTool } from '../../cli/local/debian-tool.js';

const run = promisify(execFile);
const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

const chromiumTool: DebianTool = {
  title: 'Chromium',
  package: 'chromium',
  binaries: names,
  envVar: 'CHROMIUM_BIN',
};

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findTool(chromiumTool, env);
}

/** The Chromium binary, installing the distribution's package first when it is missing and `install` is set. */
export function ensureChromium(options: { install: boolean; log?: (line: string) => void }): string {
  return ensureTool(chromiumTool, options);
}

/** Flags for a quiet, isolated headless run: no sandbox (containers), no GPU, no network chatter. */
function flags(profile: string, width: number, height: number): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    `--user-data-dir=${profile}`,
    `--window-size=${width},${height}`,
  ];
}

/** Opens `url`, returning the DOM Chromium built (`--dump-dom`) and writing a screenshot to `screenshot`. */
export async function openPage(
  binary: string,
  url: string,
  screenshot: string,
  size = { width: 1280, height: 2400 },
): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'scalegate-chromium-'));
  try {
    const base = flags(profile, size.width, size.height);
    const options = { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 };
    const { stdout } = await run(binary, [...base, '--dump-dom', url], options);
    await run(binary, [...base, `--screenshot=${screenshot}`, url], options);
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.subarray(1, 4).toString('latin1') !== 'PNG') throw new Error('not a PNG file');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
