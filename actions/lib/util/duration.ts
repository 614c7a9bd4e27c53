/**
 * Durations as written in settings, gates, flags and inputs ("500ms", "30s", "2m", "1h", "1m30s"), converted to
 * milliseconds, and milliseconds written back for people. Go-style compound durations are accepted because k6
 * stages and Prometheus ranges use them. (k6's wider syntax, with µs and bare numbers, is `load/duration.ts`;
 * PromQL's literal is `promDuration` beside the query builders.)
 */
import { UsageError } from './errors.js';

/** Milliseconds per unit of the duration syntax. */
export const unitMs: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** A whole duration: "0" or one or more number+unit parts. Also published in the settings JSON Schema. */
export const durationPattern = /^(?:0|(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+)$/;
const partPattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * The longest duration accepted anywhere: a week. Longer waits are mistakes, and timers overflow past 24.8 days
 * (Node's setTimeout fires at once for anything above 2^31 - 1 ms), which would skip a pause instead of waiting.
 */
export const maxDurationMs = 7 * 86_400_000;

/** Parses a duration to milliseconds, or returns undefined when the text is not a duration (or is over a week). */
export function tryParseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!durationPattern.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(partPattern)) total += Number(amount) * unitMs[unit!]!;
  return total <= maxDurationMs ? total : undefined;
}

/** True when `text` is a duration such as "500ms", "30s", "2m", "1h" or "1m30s". */
export function isDuration(text: string): boolean {
  return tryParseDuration(text) !== undefined;
}

/** Parses a duration to milliseconds: `parseDuration('2m') === 120000`. Throws RangeError on bad syntax. */
export function parseDuration(text: string): number {
  const ms = tryParseDuration(text);
  if (ms === undefined)
    throw new RangeError(`not a duration: '${text}' (expected e.g. 500ms, 30s, 2m, 1h; at most 7d)`);
  return ms;
}

/** Formats milliseconds compactly: 90000 → "1m30s", 500 → "500ms", 0 → "0s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('');
}

/** A duration for messages: tenths of a second below 10 s, whole seconds above (`2.3s`, `1m30s`). */
export function shortDuration(ms: number): string {
  if (ms < 10_000) return `${Math.round(ms / 100) / 10}s`;
  return formatDuration(Math.round(ms / 1000) * 1000);
}

/**
 * A duration given as a command-line flag or an action input, in milliseconds: `fallback` when not given, a
 * one-line UsageError naming `label` (e.g. `scalegate gate: --step`) when it is not a duration. Zero is refused
 * unless `allowZero` (a wait that may be skipped), since a zero step, interval or timeout is always a mistake.
 */
export function durationOption(
  label: string,
  text: string | undefined,
  fallback: number,
  { allowZero = false } = {},
): number {
  if (text === undefined || text === '') return fallback;
  const ms = tryParseDuration(text);
  if (ms === undefined || (ms === 0 && !allowZero))
    throw new UsageError(`${label}: expected a duration such as 15s (got '${text}')`);
  return ms;
}
