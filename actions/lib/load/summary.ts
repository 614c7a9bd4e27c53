/**
 * The end-of-test data object k6 hands to `handleSummary(data)` (the legacy shape: arrays in root_group, thresholds
 * with `ok`) and its `--summary-export` transformation (maps keyed by name, Rate `value`, threshold true = FAILED).
 */
import { createHash } from 'node:crypto';
import type { MetricContains, MetricRegistry, MetricType, Sink, Tags } from './metrics.js';
import type { Threshold } from './thresholds.js';

export interface SummaryCheck {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}
export interface SummaryGroup {
  name: string;
  path: string;
  id: string;
  groups: SummaryGroup[];
  checks: SummaryCheck[];
}
export interface SummaryMetric {
  type: MetricType;
  contains: MetricContains;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}
export interface SummaryData {
  root_group: SummaryGroup;
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, SummaryMetric>;
  setup_data?: unknown;
}

export const defaultTrendStats = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

function newGroup(name: string, path: string): SummaryGroup {
  return { name, path, id: md5(path), groups: [], checks: [] };
}

/** Rebuilds the group/check tree from `checks` and `group_duration` samples, in first-seen order. */
export class GroupTree {
  readonly root = newGroup('', '');

  private find(path: string): SummaryGroup {
    if (path === '') return this.root;
    let group = this.root;
    for (const name of path.split('::').slice(1)) {
      let child = group.groups.find((g) => g.name === name);
      if (!child) {
        child = newGroup(name, `${group.path}::${name}`);
        group.groups.push(child);
      }
      group = child;
    }
    return group;
  }

  addGroup(path: string): void {
    this.find(path);
  }

  addCheck(groupPath: string, name: string, passed: boolean): void {
    const group = this.find(groupPath);
    let check = group.checks.find((c) => c.name === name);
    if (!check) {
      const path = `${groupPath}::${name}`;
      check = { name, path, id: md5(path), passes: 0, fails: 0 };
      group.checks.push(check);
    }
    if (passed) check.passes++;
    else check.fails++;
  }

  record(metric: string, value: number, tags: Tags): void {
    if (metric === 'checks') this.addCheck(tags.group ?? '', tags.check ?? '', value !== 0);
    else if (metric === 'group_duration') this.addGroup(tags.group ?? '');
  }
}

function sinkValues(
  type: MetricType,
  sink: Sink,
  durationMs: number,
  trendStats: string[],
): Record<string, number> {
  switch (type) {
    case 'counter':
      return { count: sink.sum, rate: durationMs > 0 ? sink.sum / (durationMs / 1000) : 0 };
    case 'gauge':
      return sink.empty ? { value: 0, min: 0, max: 0 } : { value: sink.last, min: sink.min, max: sink.max };
    case 'rate':
      return {
        rate: sink.empty ? 0 : sink.nonZero / sink.count,
        passes: sink.nonZero,
        fails: sink.count - sink.nonZero,
      };
    case 'trend':
      return Object.fromEntries(trendStats.map((stat) => [stat, sink.stat(stat, durationMs / 1000) ?? 0]));
  }
}

export interface SummaryInput {
  registry: MetricRegistry;
  thresholds: Threshold[];
  groups: GroupTree;
  durationMs: number;
  trendStats?: string[];
  timeUnit?: string;
  noColor?: boolean;
  setupData?: unknown;
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
}

/** Observed metrics plus any (sub)metric referenced by a threshold, with values and threshold `ok` flags. */
export function buildSummaryData(input: SummaryInput): SummaryData {
  const trendStats = input.trendStats ?? defaultTrendStats;
  const metrics: Record<string, SummaryMetric> = {};
  const withThresholds = new Set(input.thresholds.map((t) => t.key));
  for (const metric of input.registry.metrics.values()) {
    const parentNeeded = input.thresholds.some((t) => t.key.split('{')[0] === metric.name);
    if (!metric.sink.empty || parentNeeded) {
      metrics[metric.name] = {
        type: metric.type,
        contains: metric.contains,
        values: sinkValues(metric.type, metric.sink, input.durationMs, trendStats),
      };
    }
    for (const sub of metric.submetrics) {
      if (sub.sink.empty && !input.thresholds.some((t) => t.sink === sub.sink)) continue;
      metrics[sub.name] = {
        type: metric.type,
        contains: metric.contains,
        values: sinkValues(metric.type, sub.sink, input.durationMs, trendStats),
      };
    }
  }
  for (const threshold of input.thresholds) {
    const name = withThresholds.has(threshold.key) ? findSummaryKey(metrics, threshold.key) : threshold.key;
    const entry = metrics[name];
    if (!entry) continue;
    entry.thresholds ??= {};
    entry.thresholds[threshold.source] = { ok: threshold.ok };
  }
  const data: SummaryData = {
    root_group: input.groups.root,
    options: {
      summaryTrendStats: trendStats,
      summaryTimeUnit: input.timeUnit ?? '',
      noColor: input.noColor ?? false,
    },
    state: {
      isStdOutTTY: input.stdoutTTY ?? false,
      isStdErrTTY: input.stderrTTY ?? false,
      testRunDurationMs: input.durationMs,
    },
    metrics,
  };
  if (input.setupData !== undefined) data.setup_data = input.setupData;
  return data;
}

/** A threshold key as written may differ in spacing from the registered submetric name. */
function findSummaryKey(metrics: Record<string, SummaryMetric>, key: string): string {
  if (metrics[key]) return key;
  const squash = (s: string) => s.replace(/\s|["']/g, '');
  return Object.keys(metrics).find((name) => squash(name) === squash(key)) ?? key;
}

type ExportGroup = Omit<SummaryGroup, 'groups' | 'checks'> & {
  groups: Record<string, ExportGroup>;
  checks: Record<string, SummaryCheck>;
};

function exportGroup(group: SummaryGroup): ExportGroup {
  return {
    name: group.name,
    path: group.path,
    id: group.id,
    groups: Object.fromEntries(group.groups.map((g) => [g.name, exportGroup(g)])),
    checks: Object.fromEntries(group.checks.map((c) => [c.name, { ...c }])),
  };
}

/** k6's `--summary-export` document (4-space indented JSON when written). */
export function toSummaryExport(data: SummaryData): Record<string, unknown> {
  const metrics: Record<string, Record<string, unknown>> = {};
  for (const [name, metric] of Object.entries(data.metrics)) {
    const values: Record<string, unknown> = { ...metric.values };
    if (metric.type === 'rate') {
      values.value = values.rate;
      delete values.rate;
    }
    if (metric.thresholds)
      values.thresholds = Object.fromEntries(Object.entries(metric.thresholds).map(([k, v]) => [k, !v.ok]));
    metrics[name] = values;
  }
  const out: Record<string, unknown> = { root_group: exportGroup(data.root_group), metrics };
  if ('setup_data' in data) out.setup_data = data.setup_data;
  return out;
}
