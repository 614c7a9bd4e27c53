/**
 * Headless Chromium for the report test, driven by its command line (no browser automation library): found on
 * PATH or at `$CHROMIUM_BIN`, installed from Debian/Ubuntu's `chromium` package when missing and allowed (root or
 * password-less sudo, as CI has). `scripts/setup-chromium.mjs` runs the same installation ahead of the tests.
 */
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_BIN) return executable(env.CHROMIUM_BIN) ? env.CHROMIUM_BIN : undefined;
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) for (const name of names) if (executable(join(dir, name))) return join(dir, name);
  return undefined;
}

/** The Chromium binary, installing the distribution's package first when it is missing and `install` is set. */
export function ensureChromium(options: { install: boolean; log?: (line: string) => void }): string {
  const found = findChromium();
  if (found) return found;
  const hint = 'install it (apt-get install --no-install-recommends chromium) or set CHROMIUM_BIN';
  if (!options.install) throw new Error(`Chromium is not installed: ${hint}`);
  const root = process.getuid?.() === 0;
  const prefix = root ? [] : ['sudo', '-n'];
  const apt = (args: string[]) => {
    const [command, ...rest] = [...prefix, ...args];
    options.log?.(`$ ${[command, ...rest].join(' ')}`);
    execFileSync(command as string, rest, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  apt(['apt-get', 'update']);
  apt(['apt-get', 'install', '-y', '--no-install-recommends', 'chromium']);
  const installed = findChromium();
  if (!installed) throw new Error(`apt-get installed chromium but no binary was found: ${hint}`);
  return installed;
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
