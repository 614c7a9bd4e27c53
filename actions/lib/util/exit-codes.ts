/**
 * The exit codes of scalegate's processes (the CLI and the actions' steps), named once. Codes a wrapped tool
 * chooses (k6's 99 and up) are passed through as that tool defines them and are not listed here.
 */
export const ExitCode = {
  /** Done, and everything judged passed. */
  ok: 0,
  /** Done, and something judged failed: a gate, a canary, a regression, a rollout. */
  failed: 1,
  /** Bad usage or invalid input: nothing was changed. */
  usage: 2,
  /** Could not judge: no data, Prometheus unreachable; nothing failed. */
  inconclusive: 3,
  /** Cancelled by SIGINT (128 + 2), after rolling back what was unfinished. */
  interrupted: 130,
  /** Cancelled by SIGTERM (128 + 15), as a cancelled workflow is, after rolling back what was unfinished. */
  terminated: 143,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
