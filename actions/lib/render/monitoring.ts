/**
 * The ServiceMonitor (Prometheus Operator). It selects the `<svc>` Service only (the track Services carry a
 * `track` label, which the selector excludes) so each pod is scraped once, and copies the pods' `track` and
 * `version` labels onto every series so gates can tell canary from stable.
 */
import { managedLabels } from './labels.js';
import type { KubeObject, RenderContext } from './types.js';

const podTargetLabels = ['track', 'version'];

export function renderServiceMonitor(ctx: RenderContext, base: KubeObject | undefined): KubeObject {
  const { service } = ctx.env.settings;
  const baseSpec = (base?.spec ?? {}) as Record<string, unknown>;
  const baseLabels = Array.isArray(baseSpec.podTargetLabels) ? (baseSpec.podTargetLabels as string[]) : [];
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: {
      name: service.name,
      namespace: service.namespace,
      labels: { ...base?.metadata.labels, app: service.name, ...managedLabels(ctx, 'shared') },
    },
    spec: {
      endpoints: [{ port: service.ports[0]!.name, path: '/metrics', interval: '15s' }],
      ...baseSpec,
      selector: {
        matchLabels: { app: service.name },
        matchExpressions: [{ key: 'track', operator: 'DoesNotExist' }],
      },
      namespaceSelector: { matchNames: [service.namespace] },
      podTargetLabels: [...new Set([...baseLabels, ...podTargetLabels])].sort(),
    },
  };
}
