/**
 * Turns a script's `options` (plus CLI overrides) into validated scenarios, the way k6 consolidates them: option
 * shortcuts (vus/duration/iterations/stages) become a `default` scenario, executor fields get k6's defaults, unknown
 * fields and invalid values are config errors (exit code 104).
 */
import { parseK6Duration } from './duration.js';

export class ConfigError extends Error {}

export interface Stage {
  durationMs: number;
  target: number;
}

interface ScenarioBase {
  name: string;
  startTimeMs: number;
  gracefulStopMs: number;
  exec: string;
  env: Record<string, string>;
  tags: Record<string, string>;
}
export type Scenario = ScenarioBase &
  (
    | { executor: 'shared-iterations'; vus: number; iterations: number; maxDurationMs: number }
    | { executor: 'per-vu-iterations'; vus: number; iterations: number; maxDurationMs: number }
    | { executor: 'constant-vus'; vus: number; durationMs: number }
    | { executor: 'ramping-vus'; startVUs: number; stages: Stage[]; gracefulRampDownMs: number }
    | {
        executor: 'constant-arrival-rate';
        rate: number;
        timeUnitMs: number;
        durationMs: number;
        preAllocatedVUs: number;
        maxVUs: number;
      }
    | {
        executor: 'ramping-arrival-rate';
        startRate: number;
        timeUnitMs: number;
        stages: Stage[];
        preAllocatedVUs: number;
        maxVUs: number;
      }
  );

type Raw = Record<string, unknown>;

const commonFields = ['executor', 'startTime', 'gracefulStop', 'exec', 'env', 'tags', 'options'];
const executorFields: Record<Scenario['executor'], string[]> = {
  'shared-iterations': ['vus', 'iterations', 'maxDuration'],
  'per-vu-iterations': ['vus', 'iterations', 'maxDuration'],
  'constant-vus': ['vus', 'duration'],
  'ramping-vus': ['startVUs', 'stages', 'gracefulRampDown'],
  'constant-arrival-rate': ['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'],
  'ramping-arrival-rate': ['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'],
};

function num(raw: Raw, key: string, where: string, fallback?: number): number {
  const value = raw[key];
  if (value === undefined || value === null) {
    if (fallback === undefined) throw new ConfigError(`${where}: ${key} is required`);
    return fallback;
  }
  // k6 reads these as JSON integers that may be quoted (`vus: "2"`), as its null.Int does.
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ConfigError(`${where}: ${key} must be a number, got ${JSON.stringify(value)}`);
  return value;
}

function dur(raw: Raw, key: string, where: string, fallback?: number): number {
  const value = raw[key];
  if (value === undefined || value === null || value === '') {
    if (fallback === undefined) throw new ConfigError(`${where}: ${key} is required`);
    return fallback;
  }
  try {
    const ms = parseK6Duration(value, `${where}.${key}`);
    if (ms < 0) throw new ConfigError(`${where}: ${key} must not be negative`);
    return ms;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function stages(raw: Raw, where: string): Stage[] {
  const list = raw.stages;
  if (!Array.isArray(list) || list.length === 0)
    throw new ConfigError(`${where}: stages needs at least one stage`);
  return list.map((s, i) => {
    const stage = s as Raw;
    const target = num(stage, 'target', `${where}.stages[${i}]`, 0);
    if (target < 0) throw new ConfigError(`${where}.stages[${i}]: target must not be negative`);
    return { durationMs: dur(stage, 'duration', `${where}.stages[${i}]`), target };
  });
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw new ConfigError(`${where}: expected an object of strings`);
  return Object.fromEntries(Object.entries(value as Raw).map(([k, v]) => [k, String(v)]));
}

export function parseScenario(name: string, raw: Raw): Scenario {
  const where = `scenarios.${name}`;
  if (!/^[0-9a-zA-Z_-]+$/.test(name)) throw new ConfigError(`${where}: invalid scenario name`);
  const executor = raw.executor as Scenario['executor'];
  const allowed = executorFields[executor];
  if (!allowed) throw new ConfigError(`${where}: unknown executor ${JSON.stringify(raw.executor)}`);
  for (const key of Object.keys(raw)) {
    if (!commonFields.includes(key) && !allowed.includes(key))
      throw new ConfigError(`${where}: json: unknown field "${key}"`);
  }
  const exec = raw.exec === undefined ? 'default' : raw.exec;
  if (typeof exec !== 'string' || exec === '') throw new ConfigError(`${where}: exec must name a function`);
  const base: ScenarioBase = {
    name,
    startTimeMs: dur(raw, 'startTime', where, 0),
    gracefulStopMs: dur(raw, 'gracefulStop', where, 30_000),
    exec,
    env: stringMap(raw.env, `${where}.env`),
    tags: stringMap(raw.tags, `${where}.tags`),
  };
  const positive = (value: number, field: string) => {
    if (!(value > 0)) throw new ConfigError(`${where}: ${field} must be more than 0`);
    return value;
  };
  const atLeastSecond = (value: number, field: string) => {
    if (value < 1000) throw new ConfigError(`${where}: ${field} must be at least 1s`);
    return value;
  };
  switch (executor) {
    case 'shared-iterations':
    case 'per-vu-iterations': {
      const vus = positive(num(raw, 'vus', where, 1), 'vus');
      const iterations = positive(num(raw, 'iterations', where, 1), 'iterations');
      if (executor === 'shared-iterations' && iterations < vus)
        throw new ConfigError(
          `${where}: the number of iterations (${iterations}) can't be less than vus (${vus})`,
        );
      const maxDurationMs = atLeastSecond(dur(raw, 'maxDuration', where, 600_000), 'maxDuration');
      return { ...base, executor, vus, iterations, maxDurationMs };
    }
    case 'constant-vus':
      return {
        ...base,
        executor,
        vus: positive(num(raw, 'vus', where, 1), 'vus'),
        durationMs: atLeastSecond(dur(raw, 'duration', where), 'duration'),
      };
    case 'ramping-vus': {
      const startVUs = num(raw, 'startVUs', where, 1);
      const list = stages(raw, where);
      if (startVUs < 0) throw new ConfigError(`${where}: startVUs must not be negative`);
      if (Math.max(startVUs, ...list.map((s) => s.target)) <= 0)
        throw new ConfigError(`${where}: either startVUs or one of the stages' targets must be more than 0`);
      return {
        ...base,
        executor,
        startVUs,
        stages: list,
        gracefulRampDownMs: dur(raw, 'gracefulRampDown', where, 30_000),
      };
    }
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const preAllocatedVUs = num(raw, 'preAllocatedVUs', where);
      const maxVUs = num(raw, 'maxVUs', where, preAllocatedVUs);
      if (preAllocatedVUs < 0) throw new ConfigError(`${where}: preAllocatedVUs must not be negative`);
      if (maxVUs < preAllocatedVUs)
        throw new ConfigError(`${where}: maxVUs can't be less than preAllocatedVUs`);
      const timeUnitMs = dur(raw, 'timeUnit', where, 1000);
      if (timeUnitMs <= 0) throw new ConfigError(`${where}: timeUnit must be more than 0`);
      if (executor === 'constant-arrival-rate') {
        return {
          ...base,
          executor,
          rate: positive(num(raw, 'rate', where), 'rate'),
          timeUnitMs,
          durationMs: atLeastSecond(dur(raw, 'duration', where), 'duration'),
          preAllocatedVUs,
          maxVUs,
        };
      }
      return {
        ...base,
        executor,
        startRate: num(raw, 'startRate', where, 0),
        timeUnitMs,
        stages: stages(raw, where),
        preAllocatedVUs,
        maxVUs,
      };
    }
  }
}

/** Parses the CLI `--stage` spec: `30s:10,1m:20` (`[duration]:[target]` pairs). */
export function parseStagesSpec(spec: string): { duration: string; target: number }[] {
  return spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [duration, target, extra] = part.split(':');
      if (extra !== undefined || !duration || target === undefined || !/^\d+$/.test(target.trim()))
        throw new ConfigError(`--stages: '${part}' is not [duration]:[target] (e.g. 30s:10)`);
      parseK6Duration(duration, '--stages');
      return { duration, target: Number(target) };
    });
}

/** k6's option shortcuts → scenarios (first match wins), then every scenario parsed and validated. */
export function deriveScenarios(options: Raw): Scenario[] {
  const has = (key: string) => options[key] !== undefined && options[key] !== null;
  const stageList = Array.isArray(options.stages) ? (options.stages as Raw[]) : [];
  const scenarios = (options.scenarios ?? {}) as Record<string, Raw>;
  const hasScenarios = Object.keys(scenarios).length > 0;
  const vus = has('vus') ? options.vus : 1;
  let raw: Record<string, Raw>;
  if (has('iterations')) {
    if (stageList.length > 0)
      throw new ConfigError('using `iterations` and `stages` options simultaneously is not allowed');
    if (hasScenarios)
      throw new ConfigError('using `iterations` and `scenarios` options simultaneously is not allowed');
    raw = {
      default: {
        executor: 'shared-iterations',
        vus,
        iterations: options.iterations,
        ...(has('duration') ? { maxDuration: options.duration } : {}),
      },
    };
  } else if (has('duration')) {
    if (stageList.length > 0 || hasScenarios)
      throw new ConfigError('using `duration` with `stages` or `scenarios` simultaneously is not allowed');
    raw = { default: { executor: 'constant-vus', vus, duration: options.duration } };
  } else if (stageList.length > 0) {
    if (hasScenarios)
      throw new ConfigError('using `stages` and `scenarios` options simultaneously is not allowed');
    const withDuration = stageList.filter((s) => s.duration !== undefined && s.duration !== '');
    raw = { default: { executor: 'ramping-vus', startVUs: vus, stages: withDuration } };
  } else if (has('vus') && !hasScenarios) {
    raw = { default: { executor: 'shared-iterations', vus, iterations: vus } };
  } else if (hasScenarios) {
    raw = scenarios;
  } else {
    raw = { default: { executor: 'per-vu-iterations', vus: 1, iterations: 1 } };
  }
  return Object.entries(raw).map(([name, config]) => parseScenario(name, config));
}

/** k6's defaults: requests of one `http.batch` in flight at once, in all and to one host. */
export const batchDefaults = { batch: 20, batchPerHost: 6 };

/**
 * k6's connection options: `noConnectionReuse`, `noVUConnectionReuse`, and how many requests of one `http.batch`
 * run at once, in all (`batch`, 20) and to one host (`batchPerHost`, 6; 0 for no limit). A batch of 0 would never
 * run (k6 hangs on it), so it is refused.
 */
export function connectionOptions(options: Raw): {
  noConnectionReuse: boolean;
  noVUConnectionReuse: boolean;
  batch: number;
  batchPerHost: number;
} {
  const batch = num(options, 'batch', 'options', batchDefaults.batch);
  const batchPerHost = num(options, 'batchPerHost', 'options', batchDefaults.batchPerHost);
  if (!Number.isInteger(batch) || batch < 1)
    throw new ConfigError(`options: batch must be a whole number of at least 1, got ${batch}`);
  if (!Number.isInteger(batchPerHost) || batchPerHost < 0)
    throw new ConfigError(
      `options: batchPerHost must be a whole number (0 for no limit), got ${batchPerHost}`,
    );
  return {
    noConnectionReuse: options.noConnectionReuse === true,
    noVUConnectionReuse: options.noVUConnectionReuse === true,
    batch,
    batchPerHost,
  };
}

/** Applies CLI overrides on top of script options: explicit stages replace scenarios entirely, as in k6. */
export function applyCliOverrides(options: Raw, stagesSpec: string | undefined): Raw {
  if (!stagesSpec) return options;
  const { scenarios: _scenarios, duration: _duration, iterations: _iterations, ...rest } = options;
  return { ...rest, stages: parseStagesSpec(stagesSpec) };
}
