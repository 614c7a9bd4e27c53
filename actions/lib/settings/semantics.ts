/**
 * Checks that span several fields and that a schema cannot express: replica bounds, canary weights, references
 * between steps, gates and load stages, memory requests == limits, image references. Pure: no file system.
 */
import { methodSettingsKeys } from '../traffic/index.js';
import { didYouMean } from '../util/did-you-mean.js';
import { parseQuantity } from '../util/quantity.js';
import type { SettingsProblem } from '../util/schema-problems.js';
import type { FieldPath } from '../util/yaml-source.js';
import { parseImageReference } from './image.js';
import type { EnvironmentSettings, HpaMetric } from './schema.js';

type Check = (settings: EnvironmentSettings) => SettingsProblem[];

function problem(path: FieldPath, detail: string, target: 'key' | 'value' = 'value'): SettingsProblem {
  return { path, detail, target };
}

const imageReferences: Check = (s) => {
  const images: Array<[FieldPath, string | undefined]> = [
    [['service', 'image'], s.service.image],
    [['capacity', 'buffer', 'image'], s.capacity?.buffer?.image],
  ];
  return images.flatMap(([path, ref]) => {
    if (ref === undefined) return [];
    const parsed = parseImageReference(ref);
    return typeof parsed === 'string' ? [problem(path, `${parsed} (got '${ref}')`)] : [];
  });
};

const resources: Check = ({ service }) => {
  const { requests, limits } = service.resources;
  const problems: SettingsProblem[] = [];
  for (const kind of ['cpu', 'memory'] as const) {
    const request = requests[kind];
    const limit = limits?.[kind];
    if (request !== undefined && limit !== undefined && parseQuantity(request) > parseQuantity(limit))
      problems.push(
        problem(
          ['service', 'resources', 'requests', kind],
          `expected a request <= the limit ${limit} (got ${request})`,
        ),
      );
  }
  if (service.memoryRequestsEqualLimits) {
    const request = requests.memory;
    const limit = limits?.memory;
    if (request === undefined)
      problems.push(
        problem(
          ['service', 'resources', 'requests'],
          'memory is required when memoryRequestsEqualLimits is true',
        ),
      );
    else if (limit === undefined || parseQuantity(limit) !== parseQuantity(request))
      problems.push(
        problem(
          limit === undefined ? ['service', 'resources'] : ['service', 'resources', 'limits', 'memory'],
          `expected limits.memory equal to requests.memory (${request}) because memoryRequestsEqualLimits is true (got ${limit ?? 'no limit'})`,
        ),
      );
  }
  const names = service.ports.map((port) => port.name);
  names.forEach((name, index) => {
    if (names.indexOf(name) !== index)
      problems.push(problem(['service', 'ports', index, 'name'], `duplicate port name '${name}'`));
  });
  return problems;
};

function replicaBounds(base: FieldPath, min: number, max: number): SettingsProblem[] {
  return min > max
    ? [problem([...base, 'minReplicas'], `expected minReplicas <= maxReplicas (got ${min} > ${max})`)]
    : [];
}

function metricTarget(metric: HpaMetric, path: FieldPath, s: EnvironmentSettings): SettingsProblem[] {
  if (metric.type === 'pods') return [];
  const targets =
    metric.type === 'resource'
      ? { averageUtilization: metric.averageUtilization, averageValue: metric.averageValue }
      : { value: metric.value, averageValue: metric.averageValue };
  const set = Object.entries(targets).filter(([, v]) => v !== undefined);
  if (set.length !== 1)
    return [
      problem(path, `expected exactly one target of ${Object.keys(targets).join(', ')} (got ${set.length})`),
    ];
  if (metric.type === 'resource' && metric.averageUtilization !== undefined) {
    if (s.service.resources.requests[metric.resource] === undefined)
      return [
        problem(
          [...path, 'averageUtilization'],
          `utilization needs service.resources.requests.${metric.resource} (it is a percent of the request)`,
        ),
      ];
  }
  return [];
}

const autoscaling: Check = (s) => {
  const a = s.autoscaling;
  if (!a) return [];
  if (a.hpa && a.keda) return [problem(['autoscaling', 'keda'], 'set either hpa or keda, not both', 'key')];
  if (a.hpa)
    return [
      ...replicaBounds(['autoscaling', 'hpa'], a.hpa.minReplicas, a.hpa.maxReplicas),
      ...a.hpa.metrics.flatMap((m, i) => metricTarget(m, ['autoscaling', 'hpa', 'metrics', i], s)),
    ];
  if (a.keda) return replicaBounds(['autoscaling', 'keda'], a.keda.minReplicas, a.keda.maxReplicas);
  return [problem(['autoscaling'], 'expected hpa or keda (got neither)')];
};

const canary: Check = (s) => {
  const c = s.canary;
  if (!c) return [];
  const problems: SettingsProblem[] = [];
  for (const [method, key] of Object.entries(methodSettingsKeys)) {
    if (c.method === method && c[key] === undefined)
      problems.push(problem(['canary', 'method'], `method ${method} needs canary.${key}`));
    if (c.method !== method && c[key] !== undefined)
      problems.push(problem(['canary', key], `only used with method ${method} (method is ${c.method})`));
  }
  const gateNames = (s.gates ?? []).map((g) => g.name);
  const stageNames = Object.keys(s.load?.stages ?? {});
  c.steps.forEach((step, i) => {
    const path = ['canary', 'steps', i];
    const previous = c.steps[i - 1];
    if (previous && step.weight <= previous.weight)
      problems.push(
        problem(
          [...path, 'weight'],
          `expected a weight above the previous step's ${previous.weight} (got ${step.weight})`,
        ),
      );
    (step.gates ?? []).forEach((gate, j) => {
      if (!gateNames.includes(gate))
        problems.push(
          problem(
            [...path, 'gates', j],
            `unknown gate '${gate}'${didYouMean(gate, gateNames)} (defined: ${gateNames.join(', ') || 'none'})`,
          ),
        );
    });
    if (step.load !== undefined && !stageNames.includes(step.load))
      problems.push(
        problem(
          [...path, 'load'],
          `unknown load stage '${step.load}'${didYouMean(step.load, stageNames)} (defined in load.stages: ${stageNames.join(', ') || 'none'})`,
        ),
      );
  });
  return problems;
};

const gates: Check = (s) =>
  (s.gates ?? []).flatMap((gate, i, all) => {
    const first = all.findIndex((other) => other.name === gate.name);
    return first === i
      ? []
      : [problem(['gates', i, 'name'], `duplicate gate name '${gate.name}' (also gates[${first}])`)];
  });

const load: Check = (s) => {
  const target = s.load?.target;
  if (!target) return [];
  if (target.url !== undefined && (target.service ?? target.port ?? target.path) !== undefined)
    return [problem(['load', 'target', 'url'], 'set either url or service/port/path, not both', 'key')];
  if (typeof target.port === 'string' && (target.service ?? s.service.name) === s.service.name) {
    const names = s.service.ports.map((p) => p.name);
    if (!names.includes(target.port))
      return [
        problem(['load', 'target', 'port'], `unknown port '${target.port}'${didYouMean(target.port, names)}`),
      ];
  }
  return [];
};

const prometheus: Check = (s) => {
  const auth = s.prometheus?.auth;
  return auth?.bearerTokenEnv !== undefined && auth.basic !== undefined
    ? [problem(['prometheus', 'auth', 'basic'], 'set either bearerTokenEnv or basic, not both', 'key')]
    : [];
};

const checks: Check[] = [imageReferences, resources, autoscaling, canary, gates, load, prometheus];

/** Every cross-field problem in parsed settings, in no particular order. */
export function semanticProblems(settings: EnvironmentSettings): SettingsProblem[] {
  return checks.flatMap((check) => check(settings));
}
