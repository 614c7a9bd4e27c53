/**
 * Cancellation by the operating system: the first SIGINT (Ctrl-C) or SIGTERM (a cancelled workflow) aborts one
 * AbortSignal, which the rollout, the load and the gates already honour by rolling back or ending inconclusive.
 * Shared by the CLI and the actions so that both stop the same way.
 */
import { ExitCode } from './exit-codes.js';

export interface Termination {
  signal: AbortSignal;
  /** The signal that arrived first, if any. */
  readonly received: NodeJS.Signals | undefined;
  /** Stops listening (a CLI command that has finished; an action's process simply ends). */
  dispose(): void;
}

/** Listens for SIGINT and SIGTERM; `announce` is told of the first one, before the signal aborts. */
export function onTermination(announce: (signal: NodeJS.Signals) => void = () => {}): Termination {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (received) return;
    received = signal;
    announce(signal);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** The exit code of a run cancelled by `signal`. */
export function cancelledExitCode(signal: NodeJS.Signals): ExitCode {
  return signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated;
}
