/** The load step's `windows` output as a schema: what `gate`, `report` and `regression` accept as windows. */
import { z } from 'zod';
import { isoTime, parseJsonInput } from '../util/json-input.js';
import type { LoadWindows } from './types.js';

const stageWindow = z.object({
  index: z.int().min(0),
  target: z.number().finite(),
  durationMs: z.number().finite().min(0),
  start: isoTime,
  end: isoTime,
});

export const loadWindowsSchema: z.ZodType<LoadWindows> = z.object({
  start: isoTime,
  end: isoTime,
  scenarios: z
    .array(
      z.object({
        name: z.string().min(1).max(200),
        executor: z.string(),
        start: isoTime,
        end: isoTime,
        stages: z.array(stageWindow).max(10_000),
      }),
    )
    .max(1000),
});

/** Windows JSON text (inline or read from a file), validated; `where` names it in the one-line error. */
export function parseLoadWindows(text: string, where = 'windows'): LoadWindows {
  return parseJsonInput(text, where, "the load step's windows {start, end, scenarios}", loadWindowsSchema);
}
