// Runs the CLI in this process with captured output: the same code path as bin/scalegate.mjs without paying a
// process start per case (slow on a busy 2-core machine). A few tests still spawn the real binary.
import { PassThrough } from 'node:stream';
import { main } from '../../cli/main.js';

export const repoRoot = new URL('../..', import.meta.url).pathname;

function sink() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export async function runCli(argv: string[], cwd = repoRoot) {
  const [stdout, stderr] = [sink(), sink()];
  const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream, cwd, env: {} });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
