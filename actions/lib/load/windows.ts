/** Building blocks of the load windows JSON: RFC3339 times with milliseconds and back-to-back stage windows. */
import type { Stage } from './options.js';
import type { StageWindow } from './types.js';

export const iso = (epochMs: number): string => new Date(epochMs).toISOString();

export function stageWindows(start: number, stages: Stage[]): StageWindow[] {
  let at = start;
  return stages.map((stage, index) => {
    const window = {
      index,
      target: stage.target,
      durationMs: stage.durationMs,
      start: iso(at),
      end: iso(at + stage.durationMs),
    };
    at += stage.durationMs;
    return window;
  });
}
