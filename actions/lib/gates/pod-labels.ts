/**
 * kube-state-metrics' per-pod families restricted to the pods carrying some labels: the pod families have no pod
 * labels of their own, so the restriction joins `kube_pod_labels` (value 1 per pod) on the pod's key.
 */
import { kubeLabelName, type LabelMatcher, selector } from '../prometheus/promql.js';

/** The labels that name one pod in kube-state-metrics' series. */
export const podKey = 'namespace, pod';

/**
 * `expr` (grouped by at least `podKey`) restricted to the pods carrying `labels`; `span` matches the pods labelled at
 * any time in it (pods deleted before the evaluation time).
 */
export function withPodLabels(
  expr: string,
  namespaceMatchers: LabelMatcher[],
  labels: Record<string, string>,
  span?: string,
): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return expr;
  const matchers = [
    ...namespaceMatchers,
    ...entries.map(([key, value]): LabelMatcher => ({ name: kubeLabelName(key), op: '=', value })),
  ];
  const podLabels = selector('kube_pod_labels', matchers);
  const labelled = span ? `max_over_time(${podLabels}[${span}])` : podLabels;
  return `${expr} * on (${podKey}) group_left () max by (${podKey}) (${labelled})`;
}
