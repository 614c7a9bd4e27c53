import {
  compositeMetricName,
  readScaledObject,
  ScaledObjectProblem,
  type ScaledObjectSpec,
} from '../../actions/lib/keda/scaled-object.js';
import { PrometheusClient } from '../../actions/lib/prometheus/client.js';
import { formatFieldPath } from '../../actions/lib/util/yaml-source.js';
import {
  type Condition,
  canonicalJson,
  coreTypes,
  isPodReady,
  objectKey,
  splitKey,
  withCondition,
} from '../controllers/objects.js';
import { QueueController } from '../controllers/queue-controller.js';
import { withdraw } from '../services.js';
import { ApiError } from '../store/errors.js';
import type { ResourceType } from '../store/resources.js';
import { matchesLabelSelector } from '../store/selectors.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import type { ExternalMetricsSource } from './external-metrics.js';
import type { LabelSelector } from './hpa/types.js';
import {
  activity,
  type Health,
  isFallingBack,
  metricValue,
  type Sample,
  type TargetReplicas,
} from './keda-metrics.js';
import { writeReplicas } from './scale.js';
import { hpaFor, scaledObjectNameLabel } from './scaled-object.js';

/**
 * A KEDA-like operator for ScaledObjects with `prometheus`, `cpu` and `memory` triggers. For each ScaledObject it
 * keeps the `keda-hpa-<name>` HPA in line with the spec, polls every prometheus trigger's query against the real
 * Prometheus every `pollingInterval`, counts failures in `status.health` when a `fallback` is set, serves the
 * values (or the fallback's, or the scalingModifiers' `composite-metric`) as external metrics (the HPA controller
 * reads them through the `external-metrics` service), scales between the idle count and minReplicaCount itself
 * (activation, cooldown), and reports Ready/Active/Fallback/Paused with the reasons KEDA's scale executor sets.
 */

interface Poller {
  /** The spec the poller runs with, to restart it when the spec changes. */
  fingerprint: string;
  spec: ScaledObjectSpec;
  samples: Map<string, Sample>;
  health: Map<string, Health>;
  /** Whether one polling round has completed: no scaling decision before. */
  polled: boolean;
  timer: NodeJS.Timeout | undefined;
  inFlight: boolean;
  lastActive: number | undefined;
}

const source = 'keda-operator';

const ready: Condition = {
  type: 'Ready',
  status: 'True',
  reason: 'ScaledObjectReady',
  message: 'ScaledObject is defined correctly and is ready for scaling',
};

/**
 * status.triggersTypes and status.authenticationsTypes (the Triggers and Authentications columns): the distinct
 * trigger types and authenticationRef names, comma-joined, as KEDA's CombinedTriggersAndAuthenticationsTypes.
 */
function triggersAndAuthenticationsTypes(object: KubeObject) {
  const triggers = (object.spec?.triggers ?? []) as Array<{
    type?: string;
    authenticationRef?: { name?: string };
  }>;
  const distinct = (values: Array<string | undefined>) =>
    [...new Set(values.filter((v) => v !== undefined))].join(',');
  return {
    triggersTypes: distinct(triggers.map((t) => t.type)),
    authenticationsTypes: distinct(triggers.map((t) => t.authenticationRef?.name)),
  };
}

/** status.scaleTargetKind, which KEDA's events name the target by: `apps/v1.Deployment`. */
const targetKind = (spec: ScaledObjectSpec) => `${spec.target.apiVersion}.${spec.target.kind}`;

/** Go's %f of the float64 a query returned, for the scaler's error message. */
function goFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return value.toFixed(6);
}

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

  /** external.metrics.k8s.io for the HPA controller: a ScaledObject's metric as KEDA's metrics server gives it. */
  values(namespace: string, metric: string, selector: LabelSelector | undefined): number[] | undefined {
    const owner = selector?.matchLabels?.[scaledObjectNameLabel];
    const poller = owner ? this.pollers.get(`${namespace}/${owner}`) : undefined;
    if (!poller?.polled) return undefined;
    const value = metricValue(poller.spec, poller, metric, this.targetReplicas(namespace, poller.spec));
    return value === undefined ? undefined : [value];
  }

  private scaleTarget(namespace: string, spec: ScaledObjectSpec) {
    const type = this.context.registry.byKind(spec.target.apiVersion, spec.target.kind);
    const target = type ? this.context.store.tryGet(type, namespace, spec.target.name) : undefined;
    return type && target ? { type, target } : undefined;
  }

  /** spec.replicas, and the Running and Ready pods the target's selector picks, as pkg/fallback counts them. */
  private targetReplicas(namespace: string, spec: ScaledObjectSpec): TargetReplicas {
    const target = this.scaleTarget(namespace, spec)?.target;
    const selector = target?.spec?.selector;
    const { store, registry } = this.context;
    return {
      current: target?.spec?.replicas ?? 1,
      ready: () =>
        selector
          ? store
              .list(coreTypes(registry).pods, { namespace })
              .items.filter(
                (pod) =>
                  pod.status?.phase === 'Running' &&
                  isPodReady(pod) &&
                  matchesLabelSelector(pod.metadata.labels ?? {}, selector),
              ).length
          : 0,
    };
  }

  protected sync(key: string): void {
    const { store } = this.context;
    const { namespace, name } = splitKey(key);
    const object = store.tryGet(this.scaledObjects!, namespace, name);
    if (!object || object.metadata.deletionTimestamp) {
      this.dropPoller(key);
      return;
    }
    if (this.ensureNameLabel(object)) return;
    let spec: ScaledObjectSpec;
    try {
      spec = readScaledObject(object);
    } catch (error) {
      if (!(error instanceof ScaledObjectProblem)) throw error;
      this.dropPoller(key);
      const message = `${formatFieldPath(error.path)}: ${error.message}`;
      this.context.recordEvent(object, 'Warning', 'ScaledObjectCheckFailed', message, source);
      this.writeStatus(object, undefined, [
        { type: 'Ready', status: 'False', reason: 'ScaledObjectCheckFailed', message },
        { type: 'Active', status: 'Unknown', reason: 'UnknownState', message: 'ScaledObject check failed' },
      ]);
      return;
    }
    if (spec.paused) {
      this.pause(key, object, spec);
      return;
    }
    this.ensureHpa(object, spec);
    const poller = this.ensurePoller(key, object, spec);
    const conditions = poller.polled ? this.scale(object, spec, poller) : [ready];
    this.writeStatus(object, spec, conditions, poller);
  }

  /**
   * The `scaledobject.keda.sh/name` label KEDA's operator puts on each ScaledObject (ensureScaledObjectLabel);
   * true when it wrote it, the update's own event bringing the object back.
   */
  private ensureNameLabel(object: KubeObject): boolean {
    const name = object.metadata.name as string;
    if (object.metadata.labels?.[scaledObjectNameLabel] === name) return false;
    try {
      this.context.store.update(this.scaledObjects!, {
        ...object,
        metadata: {
          ...object.metadata,
          labels: { ...object.metadata.labels, [scaledObjectNameLabel]: name },
        },
      });
    } catch (error) {
      if (!(error instanceof ApiError && (error.code === 409 || error.code === 404))) throw error;
      this.queue.add(objectKey(object));
    }
    return true;
  }

  /**
   * The pause annotations: KEDA stops scaling (the poller and the HPA go), holds the target at
   * `paused-replicas` when given, and reports Paused.
   */
  private pause(key: string, object: KubeObject, spec: ScaledObjectSpec): void {
    const { store } = this.context;
    this.dropPoller(key);
    const namespace = object.metadata.namespace as string;
    if (store.tryGet(this.hpas!, namespace, spec.hpaName)) store.delete(this.hpas!, namespace, spec.hpaName);
    const replicas = spec.paused?.replicas;
    const scale = this.scaleTarget(namespace, spec);
    if (scale && replicas !== undefined && (scale.target.spec?.replicas ?? 1) !== replicas)
      writeReplicas(store, scale.type, namespace, spec.target.name, replicas);
    this.writeStatus(object, spec, [ready]);
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

  private ensurePoller(key: string, object: KubeObject, spec: ScaledObjectSpec): Poller {
    const fingerprint = canonicalJson({
      triggers: spec.triggers,
      interval: spec.pollingIntervalSeconds,
      fallback: spec.fallback,
      modifiers: object.spec?.advanced?.scalingModifiers,
    });
    const existing = this.pollers.get(key);
    if (existing?.fingerprint === fingerprint) {
      existing.spec = spec;
      return existing;
    }
    if (existing) clearTimeout(existing.timer);
    // The failure counts go on from the status (as KEDA's operator reads them after a restart), for the metrics
    // the ScaledObject still has.
    const metrics = new Set(spec.triggers.flatMap((t) => (t.type === 'prometheus' ? [t.metricName] : [])));
    const recorded = Object.entries((object.status?.health ?? {}) as Record<string, Health>);
    const health = new Map(spec.fallback ? recorded.filter(([metric]) => metrics.has(metric)) : []);
    const poller: Poller = {
      fingerprint,
      spec,
      samples: new Map(),
      health,
      polled: false,
      timer: undefined,
      inFlight: false,
      lastActive: existing?.lastActive,
    };
    this.pollers.set(key, poller);
    void this.poll(key, object, poller);
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

  /** One query as KEDA's prometheus scaler reads it, `ignoreNullValues` deciding what empty and NaN mean. */
  private async sample(
    trigger: ScaledObjectSpec['triggers'][number] & { type: 'prometheus' },
  ): Promise<Sample> {
    try {
      const result = await this.client(trigger.serverAddress).query(trigger.query);
      if (result.length > 1) throw new Error(`prometheus query ${trigger.query} returned multiple elements`);
      const value = result[0]?.value[1];
      if (value === undefined) {
        if (trigger.ignoreNullValues) return { value: 0 };
        throw new Error("prometheus metrics 'prometheus' target may be lost, the result is empty");
      }
      if (!Number.isFinite(value)) {
        if (trigger.ignoreNullValues) return { value: 0 };
        throw new Error(`prometheus query returns ${goFloat(value)}`);
      }
      return { value };
    } catch (error) {
      return { error: `error inspecting prometheus metrics: ${(error as Error).message}` };
    }
  }

  /**
   * One polling round: every prometheus trigger's query; with a fallback, each failure counted in a row in
   * status.health (a success resets it); failures reported as KEDAScalerFailed events; then re-sync the object.
   */
  private async poll(key: string, object: KubeObject, poller: Poller): Promise<void> {
    if (poller.inFlight) return;
    poller.inFlight = true;
    const failures: string[] = [];
    for (const trigger of poller.spec.triggers) {
      if (trigger.type !== 'prometheus') continue;
      const sample = await this.sample(trigger);
      poller.samples.set(trigger.metricName, sample);
      if (sample.error !== undefined) failures.push(sample.error);
      if (!poller.spec.fallback) continue;
      const previous = poller.health.get(trigger.metricName)?.numberOfFailures ?? 0;
      poller.health.set(
        trigger.metricName,
        sample.error === undefined
          ? { numberOfFailures: 0, status: 'Happy' }
          : { numberOfFailures: previous + 1, status: 'Failing' },
      );
    }
    poller.inFlight = false;
    if (this.stopped || this.pollers.get(key) !== poller) return;
    poller.polled = true;
    const reason = poller.spec.scalingModifiers ? 'KEDAMetricSourceFailed' : 'KEDAScalerFailed';
    for (const failure of failures) this.context.recordEvent(object, 'Warning', reason, failure, source);
    this.queue.add(key);
    poller.timer = setTimeout(
      () => void this.poll(key, object, poller),
      poller.spec.pollingIntervalSeconds * 1000,
    );
    poller.timer.unref();
  }

  /**
   * KEDA's scale executor for a ScaledObject: from the idle count (0 by default when minReplicaCount is 0) to
   * minReplicaCount (at least 1) on activation, back to the idle count once the cooldown is over (the initial
   * one while it has never been active), a target below minReplicaCount raised to it; returns the Active and
   * Ready conditions with KEDA's reasons.
   */
  private scale(object: KubeObject, spec: ScaledObjectSpec, poller: Poller): Condition[] {
    const namespace = object.metadata.namespace as string;
    const scale = this.scaleTarget(namespace, spec);
    if (!scale) return [ready];
    const replicas: number = scale.target.spec?.replicas ?? 1;
    const { active, error, activeMetrics } = activity(spec, poller, this.targetReplicas(namespace, spec));
    const now = this.context.store.clock.now();
    const idle = spec.idleReplicaCount;
    if (active) {
      const activeCondition: Condition = {
        type: 'Active',
        status: 'True',
        reason: 'ScalerActive',
        message: 'Scaling is performed because triggers are active',
      };
      if ((idle !== undefined && replicas < spec.minReplicaCount) || replicas === 0) {
        this.setReplicas(object, spec, scale, replicas, Math.max(spec.minReplicaCount, 1), activeMetrics);
        poller.lastActive = now;
        return [ready, activeCondition];
      }
      if (error)
        return [
          {
            type: 'Ready',
            status: 'Unknown',
            reason: 'PartialTriggerError',
            message: 'Some triggers defined in ScaledObject are not working correctly',
          },
          activeCondition,
        ];
      poller.lastActive = now;
      return [ready, activeCondition];
    }
    const notActive: Condition = {
      type: 'Active',
      status: 'False',
      reason: 'ScalerNotActive',
      message: 'Scaling is not performed because triggers are not active',
    };
    // A fallback with replicas takes over after failureThreshold: scaling in now would defeat it.
    if (error && spec.fallback && spec.fallback.replicas !== 0) return [ready, notActive];
    if (error && !spec.fallback)
      return [
        {
          type: 'Ready',
          status: 'False',
          reason: 'TriggerError',
          message: 'Triggers defined in ScaledObject are not working correctly',
        },
        notActive,
      ];
    if (idle !== undefined && replicas > idle) {
      const created = Date.parse(object.metadata.creationTimestamp ?? '') || 0;
      const until =
        poller.lastActive === undefined
          ? created + spec.initialCooldownPeriodSeconds * 1000
          : poller.lastActive + spec.cooldownPeriodSeconds * 1000;
      if (now >= until) {
        this.setReplicas(object, spec, scale, replicas, idle);
        return [ready, notActive];
      }
      // Re-check when the cooldown is over, even if no sample changes.
      this.queue.addAfter(objectKey(object), Math.max(0.05, (until - now) / 1000));
      return [
        ready,
        {
          type: 'Active',
          status: 'False',
          reason: 'ScalerCooldown',
          message: 'Scaler cooling down because triggers are not active',
        },
      ];
    }
    if (idle === undefined && replicas < spec.minReplicaCount)
      writeReplicas(this.context.store, scale.type, namespace, spec.target.name, spec.minReplicaCount);
    return [ready, notActive];
  }

  /** Scales the target as KEDA's executor does, with its event: activation names the active metrics. */
  private setReplicas(
    object: KubeObject,
    spec: ScaledObjectSpec,
    scale: { type: ResourceType },
    from: number,
    to: number,
    activeMetrics?: string[],
  ): void {
    const namespace = object.metadata.namespace as string;
    writeReplicas(this.context.store, scale.type, namespace, spec.target.name, to);
    const target = `${targetKind(spec)} ${namespace}/${spec.target.name} from ${from} to ${to}`;
    if (activeMetrics)
      this.context.recordEvent(
        object,
        'Normal',
        'KEDAScaleTargetActivated',
        `Scaled ${target}, triggered by ${activeMetrics.join(';')}`,
        source,
      );
    else
      this.context.recordEvent(
        object,
        'Normal',
        'KEDAScaleTargetDeactivated',
        `Deactivated ${target}`,
        source,
      );
  }

  /** The Fallback condition as pkg/fallback sets it: True while a trigger has failed past failureThreshold. */
  private fallbackCondition(spec: ScaledObjectSpec, poller: Poller): Condition {
    const falling = spec.triggers.some(
      (t) => t.type === 'prometheus' && isFallingBack(spec, poller, t.metricName),
    );
    return falling
      ? {
          type: 'Fallback',
          status: 'True',
          reason: 'FallbackExists',
          message: 'At least one trigger is falling back on this scaled object',
        }
      : {
          type: 'Fallback',
          status: 'False',
          reason: 'NoFallbackFound',
          message: 'No fallbacks are active on this scaled object',
        };
  }

  private writeStatus(
    object: KubeObject,
    spec: ScaledObjectSpec | undefined,
    decided: Condition[],
    poller?: Poller,
  ): void {
    const { store } = this.context;
    const now = store.nowIso();
    // KEDA's GetInitializedConditions: the four conditions in this order from the first status on.
    let conditions: Condition[] = object.status?.conditions ?? [
      { type: 'Ready', status: 'Unknown', lastTransitionTime: now },
      { type: 'Active', status: 'Unknown', lastTransitionTime: now },
      { type: 'Fallback', status: 'Unknown', lastTransitionTime: now },
      { type: 'Paused', status: 'False', lastTransitionTime: now },
    ];
    for (const condition of decided) conditions = withCondition(conditions, condition, now);
    const status: Record<string, unknown> = { ...object.status, ...triggersAndAuthenticationsTypes(object) };
    if (spec && poller) {
      conditions = withCondition(conditions, this.fallbackCondition(spec, poller), now);
      const [group = '', version = spec.target.apiVersion] = spec.target.apiVersion.includes('/')
        ? spec.target.apiVersion.split('/')
        : ['', spec.target.apiVersion];
      const external = spec.triggers.flatMap((t) => (t.type === 'prometheus' ? [t.metricName] : []));
      const resource = spec.triggers.flatMap((t) =>
        t.type !== 'prometheus' && !t.containerName ? [t.type] : [],
      );
      Object.assign(status, {
        scaleTargetKind: targetKind(spec),
        scaleTargetGVKR: {
          group,
          version,
          kind: spec.target.kind,
          resource: `${spec.target.kind.toLowerCase()}s`,
        },
        hpaName: spec.hpaName,
        ...(poller.lastActive !== undefined
          ? { lastActiveTime: new Date(poller.lastActive).toISOString().replace(/\.\d+Z$/, 'Z') }
          : {}),
      });
      const optional: Record<string, unknown> = {
        externalMetricNames: external.length > 0 ? external : undefined,
        resourceMetricNames: resource.length > 0 ? resource : undefined,
        compositeScalerName: spec.scalingModifiers ? compositeMetricName : undefined,
        health: spec.fallback && poller.health.size > 0 ? Object.fromEntries(poller.health) : undefined,
      };
      for (const [field, value] of Object.entries(optional)) {
        if (value === undefined) delete status[field];
        else status[field] = value;
      }
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
