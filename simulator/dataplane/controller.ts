import { metricsApiServiceKey } from '../api/metrics-api.js';
import type { Controller, ControllerContext } from '../controllers/controller.js';
import { type KubeletControl, serviceKeys } from '../services.js';
import { DataPlane } from './data-plane.js';
import { createGatewayHandler } from './gateway.js';
import { WorkloadMetrics } from './metrics-api.js';
import { createMetricsHandler } from './metrics-endpoint.js';

/**
 * Keys under which the data plane registers its parts in `ControllerContext.services`; cluster.ts looks the two
 * handlers up under the same strings (importing them from it would make a cycle through the controller list).
 */
export const dataPlaneServiceKeys = {
  gatewayHandler: 'gateway.handler',
  metricsHandler: 'metrics.handler',
  metricsApi: metricsApiServiceKey,
  workloadMetrics: serviceKeys.workloadMetrics,
  kubeletStats: serviceKeys.kubeletStats,
} as const;

/**
 * Runs the data plane: serves traffic through the gateway handler, samples pod usage like metrics-server
 * (several samples per window) and exposes the metrics endpoint and the metrics API.
 */
export class DataPlaneController implements Controller {
  readonly name = 'dataplane';

  /** `objectState: false` when a real kube-state-metrics serves the object-state series. */
  constructor(private readonly options: { objectState?: boolean } = {}) {}

  private plane: DataPlane | undefined;
  private timer: NodeJS.Timeout | undefined;
  private services: Map<string, unknown> | undefined;

  start(context: ControllerContext): void {
    const plane = new DataPlane({
      recordEvent: context.recordEvent,
      kubelet: () => context.services.get(serviceKeys.kubelet) as KubeletControl | undefined,
    });
    this.plane = plane;
    this.services = context.services;
    plane.start(context.store);
    const windowSeconds = context.profile.metricsWindowSeconds;
    const metrics = new WorkloadMetrics(plane, windowSeconds);
    context.services.set(dataPlaneServiceKeys.gatewayHandler, createGatewayHandler(plane));
    context.services.set(
      dataPlaneServiceKeys.metricsHandler,
      createMetricsHandler(plane, this.options.objectState ?? true),
    );
    context.services.set(dataPlaneServiceKeys.metricsApi, metrics);
    context.services.set(dataPlaneServiceKeys.workloadMetrics, metrics);
    context.services.set(dataPlaneServiceKeys.kubeletStats, metrics);
    const tickMs = Math.min(1000, Math.max(250, (windowSeconds * 1000) / 4));
    const keepMs = windowSeconds * 1000 + 2 * tickMs;
    plane.sampleAll(keepMs);
    this.timer = setInterval(() => plane.sampleAll(keepMs), tickMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const key of Object.values(dataPlaneServiceKeys)) this.services?.delete(key);
    this.plane?.stop();
    this.plane = undefined;
  }
}
