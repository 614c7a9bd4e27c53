/**
 * The evaluation window: from explicit times (RFC 3339 or unix seconds), or from the load step's `windows` JSON
 * (`{start, end, scenarios: [{name, start, end, stages: [{index, start, end}]}]}`) and the stage to evaluate.
 */
import { parseLoadWindows } from '../load/windows-schema.js';
import { UsageError } from '../util/errors.js';
import type { TimeWindow } from './types.js';

/** RFC 3339 (`2026-11-22T06:00:00Z`) or unix seconds (`1795500000`, fractions allowed). */
function parseTime(text: string, what: string): Date {
  const trimmed = text.trim();
  const unix = /^\d+(\.\d+)?$/.test(trimmed);
  const date = unix ? new Date(Number(trimmed) * 1000) : new Date(trimmed);
  if (Number.isNaN(date.getTime()) || (!unix && !/^\d{4}-\d{2}-\d{2}T/.test(trimmed)))
    throw new UsageError(`${what}: expected an RFC 3339 time or unix seconds (got '${text}')`);
  return date;
}

function checkedWindow(start: Date, end: Date): TimeWindow {
  if (end.getTime() <= start.getTime())
    throw new UsageError(`the window ends (${end.toISOString()}) before it starts (${start.toISOString()})`);
  return { start, end };
}

/**
 * The window of `stage` in the load output: empty or `all` for the whole run, `<scenario>` for one scenario,
 * `<scenario>:<index>` or just `<index>` (first scenario) for one ramping stage (0-based, as the load step numbers them).
 */
export function windowFromLoad(json: string, stage = '', where = 'windows'): TimeWindow & { stage?: string } {
  const windows = parseLoadWindows(json, where);
  const pick = (start: string, end: string, name?: string) => ({
    ...checkedWindow(parseTime(start, 'windows start'), parseTime(end, 'windows end')),
    ...(name ? { stage: name } : {}),
  });
  if (stage === '' || stage === 'all') return pick(windows.start, windows.end);
  const match = /^(?:(.*):)?(\d+)$/.exec(stage);
  const scenarioName = match ? match[1] : stage;
  const scenario =
    scenarioName === undefined
      ? windows.scenarios[0]
      : windows.scenarios.find((s) => s.name === scenarioName);
  if (!scenario)
    throw new UsageError(
      `stage '${stage}': no such scenario (have: ${windows.scenarios.map((s) => s.name).join(', ') || 'none'})`,
    );
  if (!match) return pick(scenario.start, scenario.end, stage);
  const index = Number(match[2]);
  const found = scenario.stages.find((s) => s.index === index);
  if (!found)
    throw new UsageError(
      `stage '${stage}': scenario ${scenario.name} has stages 0..${scenario.stages.length - 1}`,
    );
  return pick(found.start, found.end, stage);
}

/** The window from either explicit start/end or the load output's windows JSON (plus the stage to pick). */
export function resolveWindow(input: {
  start?: string;
  end?: string;
  windowsJson?: string;
  /** Where the windows JSON came from, for messages (default "windows"). */
  windowsSource?: string;
  stage?: string;
}): TimeWindow & { stage?: string } {
  if (input.windowsJson !== undefined) {
    if (input.start !== undefined || input.end !== undefined)
      throw new UsageError('give either the load windows or start/end, not both');
    return windowFromLoad(input.windowsJson, input.stage, input.windowsSource);
  }
  if (input.start === undefined || input.end === undefined)
    throw new UsageError('the window is required: start and end, or the load windows');
  return checkedWindow(parseTime(input.start, 'start'), parseTime(input.end, 'end'));
}
