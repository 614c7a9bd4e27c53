import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { KubectlCase } from './kubectl-matrix.js';

/** Runs the everyday-kubectl matrix with real kubectl against a cluster and says which commands conform. */

export interface CaseResult {
  args: string;
  conforms: boolean;
  code: number;
  output: string;
}

/** Splits on spaces; single quotes keep spaces (what a shell would do for the matrix's commands). */
export function splitArgs(args: string): string[] {
  return (args.match(/(?:[^\s']+|'[^']*')+/g) ?? []).map((part) => part.replaceAll("'", ''));
}

function run(
  kubectl: string,
  env: NodeJS.ProcessEnv,
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(kubectl, args, { env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin ?? '');
  });
}

export async function runKubectlMatrix(
  kubeconfig: string,
  matrix: KubectlCase[],
  kubectl = '/usr/bin/kubectl',
): Promise<CaseResult[]> {
  const home = await mkdtemp(join(tmpdir(), 'scalegate-conformance-'));
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: home };
  const results: CaseResult[] = [];
  try {
    for (const c of matrix) {
      const deadline = Date.now() + (c.retryMs ?? 0);
      for (;;) {
        const { code, stdout, stderr } = await run(kubectl, env, splitArgs(c.args), c.stdin);
        const expectedCode = c.code ?? 0;
        const shown = (expectedCode === 0 ? stdout : `${stdout}${stderr}`).trim();
        const conforms = code === expectedCode && c.expect.test(shown);
        if (conforms || Date.now() >= deadline) {
          results.push({ args: c.args, conforms, code, output: `${stdout}${stderr}`.trim() });
          break;
        }
        await delay(1000);
      }
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  return results;
}

export function share(results: Array<{ conforms: boolean }>): number {
  return results.length === 0 ? 0 : results.filter((r) => r.conforms).length / results.length;
}
