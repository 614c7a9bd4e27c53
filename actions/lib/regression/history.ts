/**
 * The durable record of scaling-regression runs: one JSON document per environment, kept on a dedicated branch
 * (see the github module). Each run stores per-stage figures and, where available, the time-series samples behind
 * them so a later run can be compared with a rank test rather than one number.
 */
export const measurementKeys = [
  'timeToScaleOutSeconds',
  'peakReplicas',
  'peakPendingPods',
  'longestPendingSeconds',
  'p95Seconds',
  'p99Seconds',
  'errorRate',
  'achievedRate',
] as const;

export type MeasurementKey = (typeof measurementKeys)[number];

export interface Measurement {
  value: number;
  /** Samples over the stage (e.g. p95 per scrape step), for the Mann–Whitney comparison. */
  samples?: number[];
}

export interface StageRecord {
  name: string;
  measurements: Partial<Record<MeasurementKey, Measurement>>;
}

export interface RunRecord {
  runId: string;
  sha: string;
  startedAt: string;
  url?: string;
  /** Whether the run's own gates passed; only passing runs become the baseline. */
  passed: boolean;
  stages: StageRecord[];
}

export const historySchemaVersion = 'scalegate.dev/history/v1';

export interface History {
  schemaVersion: typeof historySchemaVersion;
  environment: string;
  runs: RunRecord[];
}

export function emptyHistory(environment: string): History {
  return { schemaVersion: historySchemaVersion, environment, runs: [] };
}

/** Reads a history document, refusing one of another schema rather than misreading it. */
export function parseHistory(text: string, environment: string): History {
  const parsed = JSON.parse(text) as Partial<History>;
  if (parsed.schemaVersion !== historySchemaVersion) {
    throw new Error(
      `history for ${environment}: schemaVersion '${String(parsed.schemaVersion)}' is not ${historySchemaVersion}`,
    );
  }
  if (!Array.isArray(parsed.runs)) throw new Error(`history for ${environment}: 'runs' is not a list`);
  return {
    schemaVersion: historySchemaVersion,
    environment: parsed.environment ?? environment,
    runs: parsed.runs,
  };
}

/** Adds a run (replacing one with the same runId, as a re-run does), oldest first, keeping the newest `keep`. */
export function appendRun(history: History, run: RunRecord, keep = 60): History {
  const runs = [...history.runs.filter((r) => r.runId !== run.runId), run]
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
    .slice(-keep);
  return { ...history, runs };
}
