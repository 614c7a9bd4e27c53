import type { Controller, ControllerContext } from '../controllers/controller.js';
import { type SimulatorServices, withdraw } from '../services.js';
import { ModelLogSource } from './access-log.js';
import { DataPlane } from './data-plane.js';
import { createGatewayHandler } from './gateway.js';
import { WorkloadMetrics } from './metrics-api.js';
import { createMetricsHandler } from './metrics-endpoint.js';

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
  /** What it registered, to withdraw exactly that on stop. */
  private provided: { services: SimulatorServices; parts: SimulatorServices } | undefined;

  start(context: ControllerContext): void {
    const { services } = context;
    const plane = new DataPlane({ recordEvent: context.recordEvent, kubelet: () => services.kubelet });
    this.plane = plane;
    plane.start(context.store);
    const windowSeconds = context.profile.metricsWindowSeconds;
    const metrics = new WorkloadMetrics(plane, windowSeconds);
    const parts: SimulatorServices = {
      gateway: createGatewayHandler(plane),
      metricsEndpoint: createMetricsHandler(plane, this.options.objectState ?? true),
      metricsApi: metrics,
      workloadMetrics: metrics,
      podLogs: new ModelLogSource(plane),
      kubeletStats: metrics,
    };
    Object.assign(services, parts);
    this.provided = { services, parts };
    const tickMs = Math.min(1000, Math.max(250, (windowSeconds * 1000) / 4));
    const keepMs = windowSeconds * 1000 + 2 * tickMs;
    plane.sampleAll(keepMs);
    this.timer = setInterval(() => plane.sampleAll(keepMs), tickMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.provided) {
      const { services, parts } = this.provided;
      for (const key of Object.keys(parts) as Array<keyof SimulatorServices>)
        withdraw(services, key, parts[key]);
      this.provided = undefined;
    }
    this.plane?.stop();
    this.plane = undefined;
  }
}
