/**
 * Where gates and their defaults come from, for the CLI and the action: a gate file, an environment's `gates:`
 * list, or a gate file evaluated with an environment's namespace, service and Prometheus settings.
 */
import { resolve } from 'node:path';
import { type GateSet, loadGateFile } from '../gates/load.js';
import type { GateDefaults } from '../gates/types.js';
import { UsageError } from '../util/errors.js';
import { displayPath, loadEnvironment } from './load.js';
import type { PrometheusSettings } from './schema.js';

export interface GateSource {
  set: GateSet;
  defaults: GateDefaults;
  /** The environment's Prometheus settings, when an environment was given. */
  prometheus?: PrometheusSettings;
}

export async function resolveGateSource(options: {
  gates?: string;
  env?: string;
  cwd: string;
}): Promise<GateSource> {
  if (!options.gates && !options.env)
    throw new UsageError('give a gate file (gates) or an environment (env)');
  const environment = options.env ? await loadEnvironment(options.env, { cwd: options.cwd }) : undefined;
  const defaults: GateDefaults = environment
    ? { namespace: environment.settings.service.namespace, service: environment.settings.service.name }
    : {};
  let set: GateSet;
  if (options.gates) {
    const file = resolve(options.cwd, options.gates);
    set = await loadGateFile(file, displayPath(file, options.cwd));
  } else {
    set = environment!.gates;
    if (set.gates.length === 0)
      throw new UsageError(`${displayPath(environment!.file, options.cwd)}: the environment has no gates`);
  }
  return {
    set,
    defaults,
    ...(environment?.settings.prometheus ? { prometheus: environment.settings.prometheus } : {}),
  };
}
