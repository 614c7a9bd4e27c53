/**
 * One autoscaler per track, so each Deployment scales on its own load: an autoscaling/v2
 * HorizontalPodAutoscaler, or a KEDA ScaledObject (which creates its own HPA) with a Prometheus trigger.
 */
import type { HpaMetric, HpaSettings, KedaSettings } from '../settings/index.js';
import { parseDuration } from '../util/duration.js';
import { type DeploymentTrack, managedLabels, workloadName } from './labels.js';
import type { KubeObject, RenderContext } from './types.js';

function metricTarget(target: {
  averageUtilization?: number;
  averageValue?: string | number;
  value?: string | number;
}) {
  if (target.averageUtilization !== undefined)
    return { type: 'Utilization', averageUtilization: target.averageUtilization };
  if (target.averageValue !== undefined)
    return { type: 'AverageValue', averageValue: String(target.averageValue) };
  return { type: 'Value', value: String(target.value) };
}

/** Settings metric → autoscaling/v2 MetricSpec. */
export function hpaMetric(metric: HpaMetric) {
  switch (metric.type) {
    case 'resource':
      return { type: 'Resource', resource: { name: metric.resource, target: metricTarget(metric) } };
    case 'pods':
      return {
        type: 'Pods',
        pods: {
          metric: { name: metric.metric, ...(metric.selector && { selector: metric.selector }) },
          target: metricTarget(metric),
        },
      };
    case 'external':
      return {
        type: 'External',
        external: {
          metric: { name: metric.metric, ...(metric.selector && { selector: metric.selector }) },
          target: metricTarget(metric),
        },
      };
  }
}

function metadata(ctx: RenderContext, track: DeploymentTrack) {
  const { service } = ctx.env.settings;
  return {
    name: workloadName(service.name, track),
    namespace: service.namespace,
    labels: { app: service.name, track, ...managedLabels(ctx, track) },
  };
}

function scaleTargetRef(ctx: RenderContext, track: DeploymentTrack) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: workloadName(ctx.env.settings.service.name, track),
  };
}

export function renderHpa(ctx: RenderContext, hpa: HpaSettings, track: DeploymentTrack): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: metadata(ctx, track),
    spec: {
      scaleTargetRef: scaleTargetRef(ctx, track),
      minReplicas: hpa.minReplicas,
      maxReplicas: hpa.maxReplicas,
      metrics: hpa.metrics.map(hpaMetric),
      ...(hpa.behavior && { behavior: hpa.behavior }),
    },
  };
}

const seconds = (duration: string) => Math.ceil(parseDuration(duration) / 1000);

/** `{{service}}` and `{{track}}` in the query let one setting serve both tracks' ScaledObjects. */
export function kedaQuery(query: string, service: string, track: DeploymentTrack): string {
  return query.replaceAll('{{service}}', service).replaceAll('{{track}}', track);
}

export function renderScaledObject(
  ctx: RenderContext,
  keda: KedaSettings,
  track: DeploymentTrack,
): KubeObject {
  const { prometheus } = keda;
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: metadata(ctx, track),
    spec: {
      scaleTargetRef: scaleTargetRef(ctx, track),
      minReplicaCount: keda.minReplicas,
      maxReplicaCount: keda.maxReplicas,
      ...(keda.pollingInterval && { pollingInterval: seconds(keda.pollingInterval) }),
      ...(keda.cooldownPeriod && { cooldownPeriod: seconds(keda.cooldownPeriod) }),
      ...(keda.behavior && { advanced: { horizontalPodAutoscalerConfig: { behavior: keda.behavior } } }),
      triggers: [
        {
          type: 'prometheus',
          metadata: {
            serverAddress: prometheus.serverAddress,
            query: kedaQuery(prometheus.query, ctx.env.settings.service.name, track),
            threshold: String(prometheus.threshold),
            ...(prometheus.activationThreshold !== undefined && {
              activationThreshold: String(prometheus.activationThreshold),
            }),
          },
        },
      ],
    },
  };
}

/** The autoscaler of one track, if autoscaling is configured. */
export function renderAutoscaler(ctx: RenderContext, track: DeploymentTrack): KubeObject | undefined {
  const { autoscaling } = ctx.env.settings;
  if (autoscaling?.hpa) return renderHpa(ctx, autoscaling.hpa, track);
  if (autoscaling?.keda) return renderScaledObject(ctx, autoscaling.keda, track);
  return undefined;
}
