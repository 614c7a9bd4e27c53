/**
 * One scaling-regression run, apart from where its history lives (a branch through the GitHub API in the action, a
 * local file in the CLI): criteria from `metric: criterion` lines and where an environment's history is kept.
 */

import type { LoadedEnvironment } from '../settings/index.js';
import { UsageError } from '../util/errors.js';
import { defaultPolicies, type MetricPolicy } from './compare.js';
import { parseCriterion } from './criteria.js';
import { type ExtractOptions, extractRunRecord } from './extract.js';
import { type MeasurementKey, measurementKeys, type RunRecord } from './history.js';

/** `p95Seconds: <=+10%` lines (the action's criteria input, the CLI's --criterion flags) as policy overrides. */
export function parseCriteriaLines(lines: string[]): Partial<Record<MeasurementKey, MetricPolicy>> {
  const policies: Partial<Record<MeasurementKey, MetricPolicy>> = {};
  for (const line of lines.map((l) => l.trim()).filter(Boolean)) {
    const match = /^(\w+)\s*:\s*(.+)$/.exec(line);
    const metric = match?.[1] as MeasurementKey | undefined;
    if (!match || !metric || !measurementKeys.includes(metric))
      throw new UsageError(
        `criteria '${line}': expected '<figure>: <criterion>' with a figure among ${measurementKeys.join(', ')}`,
      );
    try {
      parseCriterion(match[2] as string);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    policies[metric] = { ...defaultPolicies[metric], criterion: (match[2] as string).trim() };
  }
  return policies;
}

/** Where an environment's history document lives on the history branch. */
export function historyPath(environment: string): string {
  return `regression/${environment.replace(/[^\w.-]/g, '_')}.json`;
}

/** Measures a run of an environment's service: namespace, HPA and `service` label default to its settings. */
export function measureRun(
  environment: LoadedEnvironment,
  options: Omit<ExtractOptions, 'namespace' | 'hpa' | 'service'> & {
    namespace?: string;
    hpa?: string;
    service?: string;
  },
): Promise<RunRecord> {
  const service = environment.settings.service;
  return extractRunRecord({
    ...options,
    namespace: options.namespace ?? service.namespace,
    hpa: options.hpa ?? service.name,
    service: options.service ?? service.name,
  });
}
