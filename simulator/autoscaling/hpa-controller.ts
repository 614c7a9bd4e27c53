import { canonicalJson, objectKey, withCondition } from '../controllers/objects.js';
import { QueueController } from '../controllers/queue-controller.js';
import type { WorkloadMetricsSource } from '../services.js';
import { ApiError } from '../store/errors.js';
import type { ResourceType } from '../store/resources.js';
import {
  formatLabelSelector,
  type LabelRequirement,
  type LabelSelector,
  type Labels,
  matchesLabelMap,
  matchesRequirements,
  selectorRequirements,
} from '../store/selectors.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import { reconcileHpa } from './hpa/reconcile.js';
import type { History, Hpa, HpaStatus, MetricSamples, Pod, ReconcileInput } from './hpa/types.js';
import { writeReplicas } from './scale.js';

/**
 * The HorizontalPodAutoscaler controller of the local cluster: every `profile.hpaSyncSeconds` (and at once when an
 * HPA's spec changes) it reads the target's scale and pods, gathers metrics from the data plane (CPU from the
 * metrics API, per-pod app metrics, Object metrics summed over the object's pods) and External metrics from the
 * KEDA-like adapter, runs `reconcileHpa` — the same decision `scalegate hpa reconcile` replays — writes
 * spec.replicas (retrying conflicts), the status and the events. Per-HPA history lives in memory, as upstream.
 */

const source = 'horizontal-pod-autoscaler';

/** CPU in nanocores, as metrics-server reports it; app metrics as milli-units, as custom-metrics adapters do. */
const cpuQuantity = (millis: number) => `${Math.round(millis * 1e6)}n`;
const valueQuantity = (value: number) => `${Math.round(value * 1000)}m`;

export class HpaController extends QueueController {
  readonly name = 'horizontal-pod-autoscaler';
  private hpaType: ResourceType | undefined;
  private readonly histories = new Map<string, History>();
  private readonly generations = new Map<string, number>();
  private targetSelectors: Map<string, LabelRequirement[]> | undefined;

  protected override begin(): void {
    this.hpaType = this.context.registry.byKind('autoscaling/v2', 'HorizontalPodAutoscaler');
    for (const hpa of this.context.store.list(this.hpaType!).items) this.queue.add(objectKey(hpa));
  }

  protected override onEvent(event: StoreEvent): void {
    if (event.resource.plural !== 'horizontalpodautoscalers' || event.resource.group !== 'autoscaling')
      return;
    const key = objectKey(event.object);
    if (event.type === 'DELETED') {
      this.histories.delete(key);
      this.generations.delete(key);
      return;
    }
    // A spec change is reconciled at once; the controller's own status writes wait for the next sync.
    if (this.generations.get(key) !== event.object.metadata.generation) this.queue.add(key);
  }

  protected sync(key: string): void {
    const context = this.context;
    const [namespace, name] = key.split('/') as [string, string];
    const hpa = context.store.tryGet(this.hpaType!, namespace, name);
    if (!hpa) {
      this.histories.delete(key);
      return;
    }
    this.generations.set(key, hpa.metadata.generation ?? 1);
    try {
      this.reconcile(key, hpa);
    } finally {
      this.queue.addAfter(key, context.profile.hpaSyncSeconds);
    }
  }

  private reconcile(key: string, hpa: KubeObject): void {
    const context = this.context;
    const { store } = context;
    const namespace = hpa.metadata.namespace as string;
    const ref = hpa.spec?.scaleTargetRef ?? {};
    const targetType = context.registry.byKind(ref.apiVersion ?? '', ref.kind ?? '');
    const target = targetType?.subresources.includes('scale')
      ? store.tryGet(targetType, namespace, ref.name)
      : undefined;
    const now = new Date(store.clock.now()).toISOString();
    if (!targetType || !target) {
      const message = targetType
        ? `${targetType.plural}${targetType.group ? `.${targetType.group}` : ''} "${ref.name}" not found`
        : `no matches for kind "${ref.kind}" in version "${ref.apiVersion}"`;
      this.failedGetScale(hpa, message, now);
      return;
    }
    const selector: LabelSelector | undefined = target.spec?.selector;
    const pods = selector
      ? (store.list(this.types.pods, { namespace, labelSelector: selectorRequirements(selector) })
          .items as unknown as Pod[])
      : [];
    const input: ReconcileInput = {
      hpa: hpa as unknown as Hpa,
      scale: {
        specReplicas: target.spec?.replicas ?? 1,
        statusReplicas: target.status?.replicas ?? 0,
        selector: selector ? formatLabelSelector(selector) : '',
        selectingHpas: this.hpasSelecting(key, pods),
      },
      pods,
      metrics: this.samples(hpa as unknown as Hpa, namespace, pods, now),
      history: this.histories.get(key) ?? null,
      now,
      config: {
        tolerance: 0.1,
        cpuInitializationPeriodSeconds: context.profile.hpaCpuInitializationSeconds,
        delayOfInitialReadinessStatusSeconds: context.profile.hpaInitialReadinessDelaySeconds,
        downscaleStabilizationWindowSeconds: context.profile.hpaDownscaleStabilizationSeconds,
      },
    };
    const result = reconcileHpa(input, (replicas) =>
      writeReplicas(store, targetType, namespace, ref.name, replicas),
    );
    this.histories.set(key, result.history);
    for (const event of result.events)
      context.recordEvent(hpa, event.type, event.reason, event.message, source);
    this.writeStatus(hpa, result.status);
  }

  /**
   * Every HPA (this one first) whose target selects any of these pods, as the controller's selector tracker finds
   * them. The HPAs' target selectors are read once per work-queue round.
   */
  private hpasSelecting(key: string, pods: Pod[]): string[] {
    if (!this.targetSelectors) {
      const { store, registry } = this.context;
      const selectors = new Map<string, LabelRequirement[]>();
      for (const other of store.list(this.hpaType!).items) {
        const ref = other.spec?.scaleTargetRef ?? {};
        const type = registry.byKind(ref.apiVersion ?? '', ref.kind ?? '');
        const selector = type
          ? store.tryGet(type, other.metadata.namespace, ref.name)?.spec?.selector
          : undefined;
        if (selector) selectors.set(objectKey(other), selectorRequirements(selector));
      }
      this.targetSelectors = selectors;
      setImmediate(() => {
        this.targetSelectors = undefined;
      });
    }
    const namespace = key.slice(0, key.indexOf('/'));
    const others = [...this.targetSelectors.entries()]
      .filter(([other]) => other !== key && other.startsWith(`${namespace}/`))
      .filter(([, requirements]) =>
        pods.some((p) => matchesRequirements(p.metadata.labels as Labels, requirements)),
      )
      .map(([other]) => other)
      .sort();
    return [key, ...others];
  }

  /** What the metrics APIs would answer for this HPA's metrics right now. */
  private samples(hpa: Hpa, namespace: string, pods: Pod[], now: string): MetricSamples {
    const context = this.context;
    const { workloadMetrics: workload, externalMetrics: external } = context.services;
    const samples: MetricSamples = {
      timestamp: now,
      windowSeconds: context.profile.metricsWindowSeconds,
      failing: [],
    };
    const resource: NonNullable<MetricSamples['resource']> = {};
    let oldest: number | undefined;
    for (const pod of pods) {
      const usage = workload?.podUsage(namespace, pod.metadata.name);
      if (!usage) continue;
      oldest = Math.min(oldest ?? usage.timestamp, usage.timestamp);
      samples.windowSeconds = usage.windowSeconds;
      resource[pod.metadata.name] = Object.fromEntries(
        Object.entries(usage.containers).map(([name, c]) => [
          name,
          { cpu: cpuQuantity(c.cpuMillis), memory: String(Math.round(c.memoryBytes)) },
        ]),
      );
    }
    samples.resource = resource;
    if (oldest !== undefined) samples.timestamp = new Date(oldest).toISOString();
    for (const spec of hpa.spec.metrics ?? []) {
      if (spec.type === 'Pods' && spec.pods && workload) {
        const metric = spec.pods.metric.name;
        const values: Record<string, string> = {};
        for (const pod of pods) {
          const value = workload.podCustomMetric(namespace, pod.metadata.name, metric);
          if (value !== undefined) values[pod.metadata.name] = valueQuantity(value);
        }
        samples.pods = { ...samples.pods, [metric]: values };
      } else if (spec.type === 'Object' && spec.object && workload) {
        const total = this.objectMetric(
          namespace,
          spec.object.describedObject,
          spec.object.metric.name,
          workload,
        );
        if (total !== undefined)
          samples.object = { ...samples.object, [spec.object.metric.name]: valueQuantity(total) };
      } else if (spec.type === 'External' && spec.external && external) {
        const metric = spec.external.metric.name;
        try {
          const values = external.values(namespace, metric, spec.external.metric.selector);
          if (values) samples.external = { ...samples.external, [metric]: values.map(valueQuantity) };
        } catch {
          samples.failing!.push(metric);
        }
      }
    }
    return samples;
  }

  /** An Object metric as a custom-metrics adapter would aggregate it: the sum over the object's pods. */
  private objectMetric(
    namespace: string,
    ref: { apiVersion?: string; kind: string; name: string },
    metric: string,
    workload: WorkloadMetricsSource,
  ): number | undefined {
    const { store, registry } = this.context;
    const type = registry.byKind(ref.apiVersion ?? (ref.kind === 'Service' ? 'v1' : 'apps/v1'), ref.kind);
    const object = type ? store.tryGet(type, namespace, ref.name) : undefined;
    if (!object) return undefined;
    const selector = object.spec?.selector;
    const selects = (labels: Record<string, string> | undefined) =>
      ref.kind === 'Service'
        ? matchesLabelMap(labels, selector)
        : matchesRequirements(labels, selectorRequirements(selector ?? {}));
    let total: number | undefined;
    for (const pod of store.list(this.types.pods, { namespace }).items) {
      if (!selects(pod.metadata.labels)) continue;
      const value = workload.podCustomMetric(namespace, pod.metadata.name as string, metric);
      if (value !== undefined) total = (total ?? 0) + value;
    }
    return total;
  }

  private failedGetScale(hpa: KubeObject, message: string, now: string): void {
    this.context.recordEvent(hpa, 'Warning', 'FailedGetScale', message, source);
    const status: HpaStatus = structuredClone(hpa.status ?? {});
    status.conditions = withCondition(
      status.conditions,
      {
        type: 'AbleToScale',
        status: 'False',
        reason: 'FailedGetScale',
        message: `the HPA controller was unable to get the target's current scale: ${message}`,
      },
      now.replace(/\.\d+Z$/, 'Z'),
    ) as HpaStatus['conditions'];
    this.writeStatus(hpa, status);
  }

  /** Writes the status only when it changed, as updateStatusIfNeeded does; a conflict waits for the next sync. */
  private writeStatus(hpa: KubeObject, status: HpaStatus): void {
    const next = JSON.parse(JSON.stringify(status));
    if (canonicalJson(next) === canonicalJson(hpa.status ?? {})) return;
    try {
      this.context.store.update(this.hpaType!, { ...hpa, status: next }, { subresource: 'status' });
    } catch (error) {
      if (!(error instanceof ApiError && (error.code === 409 || error.code === 404))) throw error;
    }
  }
}
