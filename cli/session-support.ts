import { openSession, type Session } from '../actions/lib/rollout/session.js';
import { Cancelled } from '../actions/lib/rollout/step-pipeline.js';
import { cancelledExitCode, onTermination } from '../actions/lib/util/termination.js';
import type { CliIO } from './command.js';

/** Flags every rollout command takes. */
export const clusterFlags = {
  env: { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  timeout: { type: 'string' },
  'lease-wait': { type: 'string' },
} as const;

export const clusterFlagsUsage = `  --env <name|file>      environment name (environments/<name>.yaml) or settings file (required)
  --kubeconfig <file>    kubeconfig to use (default: $KUBECONFIG, in-cluster, ~/.kube/config)
  --context <name>       kubeconfig context (default: the settings' cluster.context, else current-context)
  --timeout <duration>   time limit of each rollout wait (default 10m)
  --lease-wait <dur>     how long to wait for another run holding the environment's lease (default 2m)`;

/**
 * Runs `body` with an AbortSignal that SIGINT/SIGTERM abort (a cancelled workflow). The body is expected to roll
 * back what it left unfinished and throw Cancelled; the exit code is then 130 (SIGINT) or 143 (SIGTERM).
 */
export async function withCancellation(
  io: CliIO,
  body: (signal: AbortSignal) => Promise<number>,
): Promise<number> {
  const termination = onTermination((signal) =>
    io.stderr.write(`scalegate: ${signal} received: rolling back what is unfinished\n`),
  );
  try {
    return await body(termination.signal);
  } catch (error) {
    const received = termination.received;
    if (received && (error instanceof Cancelled || termination.signal.aborted)) {
      io.stderr.write(`${(error as Error).message}\n`);
      return cancelledExitCode(received);
    }
    throw error;
  } finally {
    termination.dispose();
  }
}

/** A progress logger writing to stderr. */
export function stderrLog(io: CliIO): (line: string) => void {
  return (line) => io.stderr.write(`${line}\n`);
}

/** Values of `clusterFlags` after parsing. */
export interface ClusterFlagValues {
  kubeconfig?: string;
  context?: string;
  timeout?: string;
  'lease-wait'?: string;
}

/** Opens the session a rollout command works in, from its flags. */
export function commandSession(
  env: string,
  values: ClusterFlagValues,
  io: CliIO,
  signal: AbortSignal,
): Promise<Session> {
  return openSession({
    env,
    cwd: io.cwd,
    processEnv: io.env,
    kubeconfig: values.kubeconfig,
    context: values.context,
    timeout: values.timeout,
    leaseWait: values['lease-wait'],
    signal,
    log: stderrLog(io),
  });
}
