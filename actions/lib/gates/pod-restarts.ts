/**
 * podRestarts: the service's containers restart at most `max` times over the window (default 0), an OOMKill counting
 * as a restart. Read from kube-state-metrics (both the built-in one and the real one export these by default):
 * `kube_pod_container_status_restarts_total` per container and `kube_pod_container_status_last_terminated_reason`
 * with reason="OOMKilled". A container's restarts in the window are its counter's rise over the window, or, for a
 * pod created inside it, its highest value (counted from zero, so a restart before the pod's first scrape counts).
 * An OOMKilled last termination is the window's when the container restarted in it or its pod is that new; an older
 * one (yesterday's, on a stable pod) is not. Counters keep their value across gaps in the scrapes, so only a pod
 * that came and went entirely inside a gap goes unseen. A restart seen is definitive: the gate runs continuously.
 */

import { z } from 'zod';
import type { InstantSample } from '../prometheus/client.js';
import { type LabelMatcher, promDuration, selector } from '../prometheus/promql.js';
import { shortDuration } from '../util/duration.js';
import type { GateDefinition } from './definition.js';
import { common, namespace, track } from './fields.js';
import { podKey, withPodLabels } from './pod-labels.js';
import type { GateQueries } from './queries.js';
import { describeMatchers, plotSeries } from './series.js';
import type { GateContext, GateOutcome } from './types.js';

const podRestartsGateSchema = z
  .strictObject({
    ...common,
    type: z.literal('podRestarts'),
    namespace: namespace.optional(),
    selector: z
      .record(z.string().min(1), z.string())
      .optional()
      .describe("Pod labels (matched through kube_pod_labels; default app: the environment's service)"),
    track: track.optional(),
    max: z
      .int()
      .min(0)
      .default(0)
      .describe('Container restarts allowed over the window, OOMKills included (default 0)'),
  })
  .describe("The service's containers do not restart or get OOMKilled");

type PodRestartsGate = z.output<typeof podRestartsGateSchema>;

export const podRestartsGate: GateDefinition<typeof podRestartsGateSchema> = {
  schema: podRestartsGateSchema,
  evaluate: evaluatePodRestarts,
  continuous: true,
};

const restartsFamily = 'kube_pod_container_status_restarts_total';
const containerKey = `${podKey}, container`;
const shownContainers = 5;

const podOf = (labels: Record<string, string>) => `${labels.namespace ?? ''}/${labels.pod ?? '?'}`;
const containerOf = (labels: Record<string, string>) => `${podOf(labels)}/${labels.container ?? '?'}`;

function byKey(
  samples: InstantSample[],
  key: (labels: Record<string, string>) => string,
): Map<string, number> {
  return new Map(samples.map((s) => [key(s.metric), s.value[1]]));
}

/** The pod labels the gate means: its selector (or the service's `app` label) plus its track. */
function podLabels(gate: PodRestartsGate, context: GateContext): Record<string, string> {
  const service = context.defaults.service;
  const base = gate.selector ?? (service ? { app: service } : {});
  return gate.track ? { ...base, track: gate.track } : base;
}

interface ContainerRestarts {
  container: string;
  restarts: number;
  oomKilled: boolean;
}

async function evaluatePodRestarts(
  gate: PodRestartsGate,
  context: GateContext,
  queries: GateQueries,
): Promise<GateOutcome> {
  const { window } = context;
  const span = promDuration(window.end.getTime() - window.start.getTime());
  const ns = gate.namespace ?? context.defaults.namespace;
  const nsMatchers: LabelMatcher[] = ns === undefined ? [] : [{ name: 'namespace', op: '=', value: ns }];
  const labels = podLabels(gate, context);
  const perContainer = (agg: 'max' | 'min', family: string, extra: LabelMatcher[] = []) =>
    withPodLabels(
      `${agg} by (${containerKey}) (${agg}_over_time(${selector(family, [...nsMatchers, ...extra])}[${span}]))`,
      nsMatchers,
      labels,
      span,
    );
  const highest = byKey(await queries.instant(perContainer('max', restartsFamily)), containerOf);
  const lowest = byKey(await queries.instant(perContainer('min', restartsFamily)), containerOf);
  const created = byKey(
    await queries.instant(
      withPodLabels(
        `max by (${podKey}) (max_over_time(${selector('kube_pod_created', nsMatchers)}[${span}]))`,
        nsMatchers,
        labels,
        span,
      ),
    ),
    podOf,
  );
  const oomKilled = byKey(
    await queries.instant(
      perContainer('max', 'kube_pod_container_status_last_terminated_reason', [
        { name: 'reason', op: '=', value: 'OOMKilled' },
      ]),
    ),
    containerOf,
  );
  const series = context.includeSeries
    ? plotSeries(
        await queries.range(
          `sum(${withPodLabels(`max by (${containerKey}) (${selector(restartsFamily, nsMatchers)})`, nsMatchers, labels)})`,
        ),
        () => 'container restarts',
      )
    : [];

  const scope = describeMatchers([
    ...nsMatchers,
    ...Object.entries(labels).map(([name, value]): LabelMatcher => ({ name, op: '=', value })),
  ]);
  const threshold = { maxRestarts: gate.max };
  if (highest.size === 0)
    return {
      status: 'inconclusive',
      reason: `no containers in ${restartsFamily} for pods ${scope} over the window`,
      observed: { restarts: null },
      threshold,
      margin: null,
      series,
    };

  const windowStart = window.start.getTime() / 1000;
  const containers: ContainerRestarts[] = [...highest].map(([container, high]) => {
    const pod = container.slice(0, container.lastIndexOf('/'));
    const bornInWindow = (created.get(pod) ?? 0) >= windowStart;
    const rise = bornInWindow ? high : high - (lowest.get(container) ?? high);
    const oom = (oomKilled.get(container) ?? 0) >= 1 && (rise > 0 || bornInWindow);
    return { container, restarts: Math.max(rise, oom ? 1 : 0), oomKilled: oom };
  });
  const restarted = containers.filter((c) => c.restarts > 0).sort((a, b) => b.restarts - a.restarts);
  const total = restarted.reduce((sum, c) => sum + c.restarts, 0);
  const ooms = restarted.filter((c) => c.oomKilled).length;
  const pods = new Set(containers.map((c) => c.container.slice(0, c.container.lastIndexOf('/')))).size;
  const passed = total <= gate.max;
  const shown = restarted
    .slice(0, shownContainers)
    .map((c) => `${c.container} ${c.restarts}×${c.oomKilled ? ' (OOMKilled)' : ''}`)
    .join(', ');
  const limit = `the limit of ${gate.max}`;
  return {
    status: passed ? 'pass' : 'fail',
    reason:
      total === 0
        ? `no container of ${pods} pod(s) restarted over ${shortDuration(window.end.getTime() - window.start.getTime())} (${scope})`
        : `${total} container restart(s)${ooms > 0 ? `, ${ooms} container(s) OOMKilled` : ''}, ${passed ? 'within' : 'above'} ${limit}: ${shown}${restarted.length > shownContainers ? ', …' : ''} (${scope})`,
    observed: { restarts: total, oomKilledContainers: ooms, pods },
    threshold,
    margin: gate.max - total,
    marginUnit: 'restarts',
    series,
  };
}
