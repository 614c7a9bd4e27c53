/**
 * Standard 5-field cron schedules as the CronJob controller reads them (robfig/cron's standard parser): minute,
 * hour, day of month, month, day of week, with `*`, lists, ranges, steps, month and weekday names and the
 * `@hourly`-style macros. Times are UTC unless the CronJob names a time zone (not supported here: UTC is used).
 */

const macros: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const names: Array<Record<string, number>> = [
  {},
  {},
  {},
  Object.fromEntries(
    ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [
      m,
      i + 1,
    ]),
  ),
  Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d, i) => [d, i])),
];
const bounds: Array<[number, number]> = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

export interface CronSchedule {
  matches(date: Date): boolean;
}

function parseField(text: string, index: number): Set<number> {
  const [min, max] = bounds[index] as [number, number];
  const value = (v: string) => {
    const named = names[index]?.[v.toLowerCase()];
    const n = named ?? Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`value ${v} out of range [${min}, ${max}]`);
    return n;
  };
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in ${part}`);
    let [lo, hi] = [min, max];
    if (range !== '*' && range !== '?') {
      const [a, b] = (range ?? '').split('-');
      lo = value(a ?? '');
      hi = b === undefined ? (stepText === undefined ? lo : max) : value(b);
    }
    for (let n = lo; n <= hi; n += step) out.add(index === 4 && n === 7 ? 0 : n);
  }
  return out;
}

/** Parses a schedule; throws with the reason when it is not valid. */
export function parseCron(schedule: string): CronSchedule {
  const text = macros[schedule.trim()] ?? schedule.trim();
  const fields = text.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: ${schedule}`);
  const [minute, hour, dom, month, dow] = fields.map((f, i) => parseField(f, i)) as Set<number>[];
  const domAny = fields[2] === '*' || fields[2] === '?';
  const dowAny = fields[4] === '*' || fields[4] === '?';
  return {
    matches(date: Date): boolean {
      if (
        !minute?.has(date.getUTCMinutes()) ||
        !hour?.has(date.getUTCHours()) ||
        !month?.has(date.getUTCMonth() + 1)
      )
        return false;
      const domOk = dom?.has(date.getUTCDate()) ?? false;
      const dowOk = dow?.has(date.getUTCDay()) ?? false;
      // Both restricted: either matches (cron's OR rule); one restricted: that one decides.
      if (!domAny && !dowAny) return domOk || dowOk;
      return domAny ? dowOk : domOk;
    },
  };
}

/** The scheduled times after `after` up to and including `until` (ms), newest last; at most `limit` of them. */
export function scheduledTimes(schedule: CronSchedule, after: number, until: number, limit = 100): number[] {
  const times: number[] = [];
  let t = Math.floor(after / 60_000) * 60_000 + 60_000;
  for (; t <= until; t += 60_000) {
    if (schedule.matches(new Date(t))) {
      times.push(t);
      if (times.length > limit) times.shift();
    }
  }
  return times;
}

/** The first scheduled time after `after` (ms), looking at most a year ahead. */
export function nextScheduledTime(schedule: CronSchedule, after: number): number | undefined {
  let t = Math.floor(after / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 366 * 24 * 60; i++, t += 60_000) if (schedule.matches(new Date(t))) return t;
  return undefined;
}
