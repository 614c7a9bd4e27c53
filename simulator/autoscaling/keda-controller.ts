import { PrometheusClient } from '../../actions/lib/prometheus/client.js';
import { canonicalJson, objectKey, splitKey, withCondition } from '../controllers/objects.js';
import { QueueController } from '../controllers/queue-controller.js';
import { withdraw } from '../services.js';
import { ApiError } from '../store/errors.js';
import type { ResourceType } from '../store/resources.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import type { ExternalMetricsSource } from './external-metrics.js';
import type { LabelSelector } from './hpa/types.js';
import { writeReplicas } from './scale.js';
import { hpaFor, readScaledObject, type ScaledObjectSpec, scaledObjectNameLabel } from './scaled-object.js';

/**
 * A KEDA-like operator for ScaledObjects with `prometheus` triggers. For each ScaledObject it keeps the
 * `keda-hpa-<name>` HPA in line with the spec, polls every trigger's PromQL query against the real Prometheus
 * every `pollingInterval`, serves the last values as external metrics `s<i>-prometheus` (the HPA controller reads
 * them through the `external-metrics` service), activates a target scaled to zero and scales it back to zero after
 * `cooldownPeriod` when `minReplicaCount` is 0, and reports Ready/Active conditions, `hpaName` and
 * `externalMetricNames` in the status.
 */

interface Sample {
  value?: number;
  error?: string;
}

interface Poller {
  /** The spec the poller runs with, to restart it when the spec changes. */
  fingerprint: string;
  spec: ScaledObjectSpec;
  samples: Map<string, Sample>;
  timer: NodeJS.Timeout | undefined;
  inFlight: boolean;
  lastActive: number | undefined;
}

const source = 'keda-operator';

export class KedaController extends QueueController implements ExternalMetricsSource {
  readonly name = 'keda-operator';
  private scaledObjects: ResourceType | undefined;
  private hpas: ResourceType | undefined;
  private readonly pollers = new Map<string, Poller>();
  private readonly clients = new Map<string, PrometheusClient>();
  private stopped = false;

  protected override begin(): void {
    this.scaledObjects = this.context.registry.byKind('keda.sh/v1alpha1', 'ScaledObject');
    this.hpas = this.context.registry.byKind('autoscaling/v2', 'HorizontalPodAutoscaler');
    this.context.services.externalMetrics = this;
    for (const so of this.context.store.list(this.scaledObjects!).items) this.queue.add(objectKey(so));
  }

  protected override onEvent(event: StoreEvent): void {
    if (event.resource.plural === 'scaledobjects' && event.resource.group === 'keda.sh') {
      this.queue.add(objectKey(event.object));
    } else if (event.resource.plural === 'horizontalpodautoscalers' && event.type === 'DELETED') {
      // A deleted HPA is recreated, as the operator's watch on owned HPAs does.
      const owner = event.object.metadata.labels?.[scaledObjectNameLabel];
      if (owner) this.queue.add(`${event.object.metadata.namespace}/${owner}`);
    }
  }

  override async stop(): Promise<void> {
    this.stopped = true;
    await super.stop();
    for (const poller of this.pollers.values()) clearTimeout(poller.timer);
    this.pollers.clear();
    if (this.context) withdraw(this.context.services, 'externalMetrics', this);
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    this.clients.clear();
  }

  /** external.metrics.k8s.io for the HPA controller: the last polled value of a ScaledObject's trigger. */
  values(namespace: string, metric: string, selector: LabelSelector | undefined): number[] | undefined {
    const owner = selector?.matchLabels?.[scaledObjectNameLabel];
    const sample = owner ? this.pollers.get(`${namespace}/${owner}`)?.samples.get(metric) : undefined;
    if (!sample) return undefined;
    if (sample.error !== undefined) throw new Error(sample.error);
    return [sample.value as number];
  }

  protected sync(key: string): void {
    const { store } = this.context;
    const { namespace, name } = splitKey(key);
    const object = store.tryGet(this.scaledObjects!, namespace, name);
    if (!object || object.metadata.deletionTimestamp) {
      this.dropPoller(key);
      return;
    }
    let spec: ScaledObjectSpec;
    try {
      spec = readScaledObject(object);
    } catch (error) {
      this.dropPoller(key);
      this.writeStatus(object, undefined, {
        type: 'Ready',
        status: 'False',
        reason: 'ScaledObjectCheckFailed',
        message: (error as Error).message,
      });
      return;
    }
    if (spec.paused) {
      this.pause(key, object, spec);
      return;
    }
    this.ensureHpa(object, spec);
    const poller = this.ensurePoller(key, spec);
    this.activate(object, spec, poller);
    const errors = [...poller.samples.values()].flatMap((s) => (s.error ? [s.error] : []));
    this.writeStatus(
      object,
      spec,
      errors.length > 0
        ? { type: 'Ready', status: 'False', reason: 'TriggerError', message: errors[0] as string }
        : {
            type: 'Ready',
            status: 'True',
            reason: 'ScaledObjectReady',
            message: 'ScaledObject is defined correctly and is ready for scaling',
          },
      poller,
    );
  }

  /**
   * The pause annotations: KEDA stops scaling (the poller and the HPA go), holds the target at
   * `paused-replicas` when given, and reports Paused.
   */
  private pause(key: string, object: KubeObject, spec: ScaledObjectSpec): void {
    const { store, registry } = this.context;
    this.dropPoller(key);
    const namespace = object.metadata.namespace as string;
    if (store.tryGet(this.hpas!, namespace, spec.hpaName)) store.delete(this.hpas!, namespace, spec.hpaName);
    const replicas = spec.paused?.replicas;
    const type = registry.byKind(spec.target.apiVersion, spec.target.kind);
    const target = type ? store.tryGet(type, namespace, spec.target.name) : undefined;
    if (type && target && replicas !== undefined && (target.spec?.replicas ?? 1) !== replicas)
      writeReplicas(store, type, namespace, spec.target.name, replicas);
    this.writeStatus(object, spec, {
      type: 'Ready',
      status: 'True',
      reason: 'ScaledObjectReady',
      message: 'ScaledObject is defined correctly and is ready for scaling',
    });
  }

  /** Creates the HPA, or brings it back to the spec the ScaledObject implies. */
  private ensureHpa(object: KubeObject, spec: ScaledObjectSpec): void {
    const { store } = this.context;
    const desired = hpaFor(object, spec);
    const existing = store.tryGet(this.hpas!, desired.metadata.namespace, desired.metadata.name as string);
    if (!existing) {
      store.create(this.hpas!, desired as KubeObject);
      return;
    }
    const same =
      canonicalJson(existing.spec) === canonicalJson(desired.spec) &&
      canonicalJson(existing.metadata.labels) === canonicalJson(desired.metadata.labels) &&
      canonicalJson(existing.metadata.ownerReferences) === canonicalJson(desired.metadata.ownerReferences);
    if (same) return;
    store.update(this.hpas!, {
      ...existing,
      metadata: {
        ...existing.metadata,
        labels: desired.metadata.labels,
        ownerReferences: desired.metadata.ownerReferences,
      },
      spec: desired.spec,
    });
  }

  private ensurePoller(key: string, spec: ScaledObjectSpec): Poller {
    const fingerprint = canonicalJson({ triggers: spec.triggers, interval: spec.pollingIntervalSeconds });
    const existing = this.pollers.get(key);
    if (existing?.fingerprint === fingerprint) {
      existing.spec = spec;
      return existing;
    }
    if (existing) clearTimeout(existing.timer);
    const poller: Poller = {
      fingerprint,
      spec,
      samples: new Map(),
      timer: undefined,
      inFlight: false,
      lastActive: existing?.lastActive,
    };
    this.pollers.set(key, poller);
    void this.poll(key, poller);
    return poller;
  }

  private dropPoller(key: string): void {
    const poller = this.pollers.get(key);
    if (poller) clearTimeout(poller.timer);
    this.pollers.delete(key);
  }

  private client(serverAddress: string): PrometheusClient {
    let client = this.clients.get(serverAddress);
    if (!client) {
      client = new PrometheusClient({ url: serverAddress, retries: 0, timeoutMs: 5000 });
      this.clients.set(serverAddress, client);
    }
    return client;
  }

  /** One polling round: every trigger's query, as KEDA's prometheus scaler reads it; then re-sync the object. */
  private async poll(key: string, poller: Poller): Promise<void> {
    if (poller.inFlight) return;
    poller.inFlight = true;
    for (const trigger of poller.spec.triggers) {
      let sample: Sample;
      try {
        const result = await this.client(trigger.serverAddress).query(trigger.query);
        if (result.length > 1)
          throw new Error(`prometheus query ${trigger.query} returned multiple elements`);
        // An empty result reads as 0 (the scaler's ignoreNullValues default).
        const value = result[0]?.value[1] ?? 0;
        if (!Number.isFinite(value)) throw new Error(`prometheus query ${trigger.query} returned ${value}`);
        sample = { value };
      } catch (error) {
        sample = { error: `error inspecting prometheus metrics: ${(error as Error).message}` };
      }
      poller.samples.set(trigger.metricName, sample);
    }
    poller.inFlight = false;
    if (this.stopped || this.pollers.get(key) !== poller) return;
    this.queue.add(key);
    poller.timer = setTimeout(() => void this.poll(key, poller), poller.spec.pollingIntervalSeconds * 1000);
    poller.timer.unref();
  }

  private isActive(poller: Poller): boolean {
    return poller.spec.triggers.some((t) => {
      const value = poller.samples.get(t.metricName)?.value;
      return value !== undefined && value > t.activationThreshold;
    });
  }

  /**
   * KEDA's own scaling: from the idle count (0 by default when minReplicaCount is 0, else idleReplicaCount) to
   * minReplicaCount (at least 1) on activation, back to the idle count after the cooldown (never before
   * initialCooldownPeriod has passed since creation), and a target below minReplicaCount raised to it.
   */
  private activate(object: KubeObject, spec: ScaledObjectSpec, poller: Poller): void {
    const { store, registry, recordEvent } = this.context;
    const type = registry.byKind(spec.target.apiVersion, spec.target.kind);
    const namespace = object.metadata.namespace as string;
    const target = type ? store.tryGet(type, namespace, spec.target.name) : undefined;
    if (!type || !target || poller.samples.size === 0) return;
    const replicas: number = target.spec?.replicas ?? 1;
    const now = store.clock.now();
    const idle = spec.idleReplicaCount;
    if (this.isActive(poller)) {
      poller.lastActive = now;
      if (replicas === idle || replicas < spec.minReplicaCount) {
        const to = Math.max(spec.minReplicaCount, 1);
        writeReplicas(store, type, namespace, spec.target.name, to);
        recordEvent(
          object,
          'Normal',
          'KEDAScaleTargetActivated',
          `Scaled ${spec.target.kind.toLowerCase()} ${namespace}/${spec.target.name} from ${replicas} to ${to}`,
          source,
        );
      }
      return;
    }
    const created = Date.parse(object.metadata.creationTimestamp ?? '') || 0;
    const cooledDown =
      now - (poller.lastActive ?? 0) >= spec.cooldownPeriodSeconds * 1000 &&
      now - created >= spec.initialCooldownPeriodSeconds * 1000;
    if (idle !== undefined && replicas !== idle && replicas > idle && cooledDown) {
      writeReplicas(store, type, namespace, spec.target.name, idle);
      recordEvent(
        object,
        'Normal',
        'KEDAScaleTargetDeactivated',
        `Deactivated ${spec.target.kind.toLowerCase()} ${namespace}/${spec.target.name} from ${replicas} to ${idle}`,
        source,
      );
    } else if (idle === undefined && replicas < spec.minReplicaCount) {
      writeReplicas(store, type, namespace, spec.target.name, spec.minReplicaCount);
    } else if (!cooledDown && replicas !== idle) {
      // Re-check when the cooldown (or the initial one) is over, even if no sample changes.
      this.queue.addAfter(objectKey(object), Math.max(1, spec.cooldownPeriodSeconds));
    }
  }

  private writeStatus(
    object: KubeObject,
    spec: ScaledObjectSpec | undefined,
    ready: { type: string; status: 'True' | 'False'; reason: string; message: string },
    poller?: Poller,
  ): void {
    const { store } = this.context;
    const now = store.nowIso();
    let conditions = withCondition(object.status?.conditions, ready, now);
    const status: Record<string, unknown> = { ...object.status };
    if (spec && poller) {
      const active = this.isActive(poller);
      conditions = withCondition(
        conditions,
        active
          ? {
              type: 'Active',
              status: 'True',
              reason: 'ScalerActive',
              message: 'Scaling is performed because triggers are active',
            }
          : {
              type: 'Active',
              status: 'False',
              reason: 'ScalerNotActive',
              message: 'Scaling is not performed because triggers are not active',
            },
        now,
      );
      conditions = withCondition(
        conditions,
        {
          type: 'Fallback',
          status: 'False',
          reason: 'NoFallbackFound',
          message: 'No fallbacks are active on this scaled object',
        },
        now,
      );
      const [group = '', version = spec.target.apiVersion] = spec.target.apiVersion.includes('/')
        ? spec.target.apiVersion.split('/')
        : ['', spec.target.apiVersion];
      Object.assign(status, {
        scaleTargetKind: `${spec.target.apiVersion}.${spec.target.kind}`,
        scaleTargetGVKR: {
          group,
          version,
          kind: spec.target.kind,
          resource: `${spec.target.kind.toLowerCase()}s`,
        },
        hpaName: spec.hpaName,
        externalMetricNames: spec.triggers.map((t) => t.metricName),
        ...(poller.lastActive !== undefined
          ? { lastActiveTime: new Date(poller.lastActive).toISOString().replace(/\.\d+Z$/, 'Z') }
          : {}),
      });
    }
    if (spec) {
      conditions = withCondition(
        conditions,
        spec.paused
          ? {
              type: 'Paused',
              status: 'True',
              reason: 'ScaledObjectPaused',
              message: 'ScaledObject is paused',
            }
          : {
              type: 'Paused',
              status: 'False',
              reason: 'ScaledObjectUnpaused',
              message: 'pause annotation removed for ScaledObject',
            },
        now,
      );
      if (spec.paused?.replicas !== undefined) status.pausedReplicaCount = spec.paused.replicas;
      else delete status.pausedReplicaCount;
    }
    status.conditions = conditions;
    if (canonicalJson(status) === canonicalJson(object.status ?? {})) return;
    try {
      store.update(this.scaledObjects!, { ...object, status }, { subresource: 'status' });
    } catch (error) {
      if (!(error instanceof ApiError && (error.code === 409 || error.code === 404))) throw error;
      this.queue.add(objectKey(object));
    }
  }
}
