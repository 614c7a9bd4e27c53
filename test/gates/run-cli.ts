/** Runs `scalegate <args>` in-process, capturing what it writes. */
import { main } from '../../cli/main.js';

function sink(collect: (text: string) => void): NodeJS.WritableStream {
  return {
    write(text: string) {
      collect(text);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
}

export async function runCli(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: sink((text) => {
      stdout += text;
    }),
    stderr: sink((text) => {
      stderr += text;
    }),
    cwd,
  });
  return { code, stdout, stderr };
}
