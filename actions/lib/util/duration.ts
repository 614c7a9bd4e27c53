/**
 * Durations as written in settings and gates ("500ms", "30s", "2m", "1h", "1m30s"), converted to milliseconds.
 * Go-style compound durations are accepted because k6 stages and Prometheus ranges use them.
 */

const unitMs: Record<string, number> = {
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
