/** Render options as typed by users (CLI flags, action inputs), checked into their typed forms. */
import { UsageError } from '../util/errors.js';
import type { OutputFormat } from './output.js';
import type { RenderTrack } from './types.js';

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${name}: expected ${allowed.join(', ')} (got '${value}')`);
  return value as T;
}

export function parseTrack(text: string | undefined): RenderTrack {
  return oneOf('track', text || 'all', ['stable', 'canary', 'all'] as const);
}

export function parseFormat(text: string | undefined): OutputFormat {
  return oneOf('output format', text || 'yaml', ['yaml', 'json'] as const);
}

export function parseCanaryWeight(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 100)
    throw new UsageError(`canary weight: expected an integer 0..100 (got '${text}')`);
  return Number(text);
}
