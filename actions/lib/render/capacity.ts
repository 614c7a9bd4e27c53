/**
 * Namespace guardrails and spare capacity: ResourceQuota, LimitRange, and buffer (overprovisioning) pods. The
 * buffer pods request real resources at a negative priority, so the scheduler evicts them the moment a real pod
 * needs room, and the cluster autoscaler adds a node while they wait instead of while the service waits.
 */
import { managedLabels } from './labels.js';
import type { KubeObject, RenderContext } from './types.js';
import { quantityMap } from './workload.js';

export const defaultBufferPriority = -10;

export function bufferNames(ctx: RenderContext) {
  const { service } = ctx.env.settings;
  return {
    deployment: `${service.name}-buffer`,
    priorityClass: `${service.namespace}-${service.name}-buffer`,
  };
}

function meta(ctx: RenderContext, name: string, options: { namespaced?: boolean; app?: string } = {}) {
  const { service } = ctx.env.settings;
  return {
    name,
    ...(options.namespaced !== false && { namespace: service.namespace }),
    labels: { app: options.app ?? service.name, ...managedLabels(ctx, 'shared') },
  };
}

export function renderCapacity(ctx: RenderContext): KubeObject[] {
  const { service, capacity } = ctx.env.settings;
  if (!capacity) return [];
  const objects: KubeObject[] = [];
  if (capacity.resourceQuota)
    objects.push({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta(ctx, service.name),
      spec: { hard: quantityMap(capacity.resourceQuota.hard) },
    });
  if (capacity.limitRange)
    objects.push({
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: meta(ctx, service.name),
      spec: { limits: capacity.limitRange.limits },
    });
  const buffer = capacity.buffer;
  if (buffer) {
    const names = bufferNames(ctx);
    const selector = { app: names.deployment };
    objects.push(
      {
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        metadata: meta(ctx, names.priorityClass, { namespaced: false, app: names.deployment }),
        value: buffer.priority ?? defaultBufferPriority,
        globalDefault: false,
        preemptionPolicy: 'Never',
        description: `Buffer pods holding spare capacity for ${service.namespace}/${service.name}; any pod preempts them.`,
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta(ctx, names.deployment, { app: names.deployment }),
        spec: {
          replicas: buffer.replicas,
          selector: { matchLabels: selector },
          template: {
            metadata: { labels: selector },
            spec: {
              priorityClassName: names.priorityClass,
              terminationGracePeriodSeconds: 0,
              containers: [
                {
                  name: 'pause',
                  image: buffer.image,
                  resources: {
                    requests: quantityMap(buffer.resources?.requests ?? service.resources.requests),
                  },
                },
              ],
            },
          },
        },
      },
    );
  }
  return objects;
}
