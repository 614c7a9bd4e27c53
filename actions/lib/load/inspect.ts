/**
 * Reads a script's options the way `k6 inspect` does, by evaluating its init context once in a VU thread, and
 * derives its scenarios. Used by the runners that cannot see k6's timeline (k6 binary, k6-operator) to lay out the
 * planned scenario and stage windows.
 */
import { resolve } from 'node:path';
import type { HttpIo } from './builtin/http-io.js';
import { ThreadVu, vuWorkerFile } from './builtin/vu-handle.js';
import { bundleScript } from './bundle.js';
import { applyCliOverrides, deriveScenarios, type Scenario } from './options.js';
import type { ScenarioWindow } from './types.js';
import { iso, stageWindows } from './windows.js';

export interface ScriptInspection {
  options: Record<string, unknown>;
  scenarios: Scenario[];
}

export async function inspectScript(
  script: string,
  env: Record<string, string>,
  stages: string | undefined,
): Promise<ScriptInspection> {
  const path = resolve(script);
  const code = await bundleScript(path);
  const vu = new ThreadVu(0, await vuWorkerFile(), code, path, env, {
    http: undefined as unknown as HttpIo,
    onSamples: () => undefined,
    onLog: () => undefined,
    onTestFail: () => undefined,
  });
  try {
    const ready = await vu.whenReady();
    const options = applyCliOverrides(ready.options, stages);
    return { options, scenarios: deriveScenarios(options) };
  } finally {
    await vu.terminate();
  }
}

/** Planned windows: each scenario from test start + startTime, ramping stages back to back. */
export function plannedWindows(scenarios: Scenario[], testStart: number): ScenarioWindow[] {
  return scenarios.map((scenario) => {
    const start = testStart + scenario.startTimeMs;
    const stages = 'stages' in scenario ? scenario.stages : [];
    const length =
      'durationMs' in scenario
        ? scenario.durationMs
        : 'maxDurationMs' in scenario
          ? scenario.maxDurationMs
          : stages.reduce((sum, s) => sum + s.durationMs, 0);
    return {
      name: scenario.name,
      executor: scenario.executor,
      start: iso(start),
      end: iso(start + length),
      stages: stageWindows(start, stages),
    };
  });
}
