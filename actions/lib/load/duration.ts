/**
 * k6 durations: Go durations ("1h2m3.5s", "300ms", "250us") with an optional leading days part ("2d12h"), and bare
 * numbers (JSON numbers or numeric strings) meaning milliseconds. Returned in milliseconds.
 */
import { unitMs as scalegateUnitMs } from '../util/duration.js';

// k6 (Go's time.ParseDuration) also knows the sub-millisecond units.
const unitMs: Record<string, number> = { ...scalegateUnitMs, ns: 1e-6, us: 1e-3, µs: 1e-3 };
const partPattern = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/y;

export function parseK6Duration(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string')
    throw new TypeError(`${field}: expected a duration, got ${JSON.stringify(value)}`);
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  let total = 0;
  let at = 0;
  while (at < text.length) {
    partPattern.lastIndex = at;
    const match = partPattern.exec(text);
    if (!match) throw new TypeError(`${field}: '${value}' is not a duration (e.g. 500ms, 30s, 1m30s, 2d)`);
    total += Number(match[1]) * unitMs[match[2]!]!;
    at = partPattern.lastIndex;
  }
  if (text === '') throw new TypeError(`${field}: empty duration`);
  return total;
}
