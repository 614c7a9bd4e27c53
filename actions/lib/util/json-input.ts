/**
 * JSON handed from one step to the next (load windows, verdicts) checked by a schema before use: bad input is
 * one line naming where it came from and the first field that is wrong, exit code 2, never a crash further on.
 */
import { z } from 'zod';
import { ScalegateError } from './errors.js';
import { formatFieldPath } from './yaml-source.js';

/**
 * `text` parsed and checked against `schema`. A document of the wrong shape altogether (not an object, a top-level
 * field missing) is reported as "expected <what>"; a wrong field inside by its path.
 */
export function parseJsonInput<T>(text: string, where: string, what: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ScalegateError(`${where}: not JSON (${(error as Error).message})`, 2);
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const missing =
    issue.path.length === 1 &&
    typeof value === 'object' &&
    value !== null &&
    (value as Record<PropertyKey, unknown>)[issue.path[0]!] === undefined;
  const topLevel = issue.path.length === 0 || missing;
  if (topLevel) throw new ScalegateError(`${where}: expected ${what}`, 2);
  const path = formatFieldPath(issue.path.filter((p): p is string | number => typeof p !== 'symbol'));
  throw new ScalegateError(`${where}: ${path || 'the document'}: ${issue.message}`, 2);
}

/** A time as the steps write it: RFC 3339 that Date can read. */
export const isoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, 'expected an RFC 3339 time')
  .refine((text) => !Number.isNaN(Date.parse(text)), 'expected a valid RFC 3339 time');
