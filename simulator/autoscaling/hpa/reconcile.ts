import { parseQuantity } from '../../../actions/lib/util/quantity.js';
import { withCondition } from '../../controllers/objects.js';
import { parseLabelSelector } from '../../store/selectors.js';
import { formatSelectorForMessage, MetricSource } from './metric-sources.js';
import {
  convertWithBehaviorRate,
  convertWithRules,
  effectiveBehavior,
  stabilizeLegacy,
  stabilizeWithBehavior,
  storeScaleEvent,
} from './normalize.js';
import { formatMilliBinary, formatMilliDecimal, milliValue } from './quantity.js';
import {
  perPodTotalReplicas,
  plainMetricReplicas,
  type ReadinessTiming,
  resourceReplicas,
  saturatedSum,
  type Tolerances,
  usageRatioReplicaCount,
} from './replica-calculator.js';
import {
  type ControllerConfig,
  defaultControllerConfig,
  type History,
  type HpaCondition,
  type HpaEvent,
  type MetricSpec,
  type MetricStatus,
  type MetricTarget,
  type MetricValueStatus,
  type Quantity,
  type ReconcileInput,
  type ReconcileResult,
  type WhatIfOutput,
} from './types.js';

/**
 * One reconcile of the HorizontalPodAutoscaler controller (`reconcileAutoscaler` in horizontal.go, Kubernetes 1.34
 * semantics as the project's reference describes them): the same function serves the local cluster's controller
 * and `scalegate hpa reconcile`. It never touches the cluster; `writeScale` is how a caller applies the new
 * spec.replicas (it throws when the update fails), and without it the write is assumed to succeed.
 */

/** A metric that could not be computed: the ScalingActive condition it proposes and the wrapped error. */
class MetricFailure extends Error {
  constructor(
    readonly reason: string,
    readonly conditionMessage: string,
    wrapped: string,
  ) {
    super(wrapped);
  }
}

interface Proposal {
  replicas: number;
  metricName: string;
  status: MetricStatus;
}

interface Context {
  input: ReconcileInput;
  config: ControllerConfig;
  now: number;
  nowSeconds: string;
  conditions: HpaCondition[];
  events: HpaEvent[];
  tolerances: Tolerances;
  timing: ReadinessTiming;
  source: MetricSource;
  namespace: string;
}

const defaultMetrics: MetricSpec[] = [
  { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
];

/** setConditionInList: lastTransitionTime moves only when the status changes. */
function setCondition(
  ctx: Context,
  type: string,
  status: HpaCondition['status'],
  reason: string,
  message: string,
): void {
  ctx.conditions = withCondition(
    ctx.conditions,
    { type, status, reason, message },
    ctx.nowSeconds,
  ) as HpaCondition[];
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

function quantityFor(resource: string, milli: bigint): string {
  return resource === 'memory' ? formatMilliBinary(milli) : formatMilliDecimal(milli);
}

/** Fails one metric: records the Warning event the controller emits and carries the condition it would set. */
function fail(ctx: Context, reason: string, error: string, wrapped = error): never {
  ctx.events.push({ type: 'Warning', reason, message: error });
  throw new MetricFailure(reason, `the HPA was unable to compute the replica count: ${error}`, wrapped);
}

function attempt<T>(fn: () => T, wrap: (message: string) => string): T {
  try {
    return fn();
  } catch (e) {
    throw new Error(wrap(messageOf(e)));
  }
}

function resourceProposal(
  ctx: Context,
  kind: 'Resource' | 'ContainerResource',
  name: string,
  container: string,
  target: MetricTarget,
): { replicas: number; metricName: string; current: MetricValueStatus } {
  const { input } = ctx;
  const base = {
    currentReplicas: input.scale.specReplicas,
    pods: input.pods,
    resource: name,
    tolerances: ctx.tolerances,
    timing: ctx.timing,
    container,
  };
  const fetch = () =>
    attempt(
      () => ctx.source.resource(name, container),
      (m) => `unable to get metrics for resource ${name}: ${m}`,
    );
  if (target.averageValue !== undefined) {
    const targetUsage = milliValue(target.averageValue);
    const { replicas, usage } = attempt(
      () => plainMetricReplicas({ ...base, metrics: fetch(), targetUsage }),
      (m) => `failed to get ${name} usage: ${m}`,
    );
    return { replicas, metricName: `${name} resource`, current: { averageValue: quantityFor(name, usage) } };
  }
  if (target.averageUtilization === undefined) {
    throw new Error(
      'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set',
    );
  }
  const targetUtilization = target.averageUtilization;
  const { replicas, utilization, rawAverage } = attempt(
    () => resourceReplicas({ ...base, metrics: fetch(), targetUtilization }),
    (m) => `failed to get ${name} utilization: ${m}`,
  );
  const metricName =
    kind === 'ContainerResource'
      ? `${name} container resource utilization (percentage of request)`
      : `${name} resource utilization (percentage of request)`;
  return {
    replicas,
    metricName,
    current: { averageUtilization: utilization, averageValue: quantityFor(name, rawAverage) },
  };
}

/** Object and External Value targets: the whole value against the target, times the ready pods. */
function wholeValueReplicas(ctx: Context, usage: bigint, target: Quantity): number {
  const ratio = Number(usage) / Number(milliValue(target));
  return attempt(
    () => usageRatioReplicaCount(ctx.input.scale.specReplicas, ratio, ctx.tolerances, ctx.input.pods),
    (m) => `unable to calculate ready pods: ${m}`,
  );
}

/** `computeReplicasForMetric`: one metric's proposal and status, or a MetricFailure. */
function proposalFor(ctx: Context, spec: MetricSpec): Proposal {
  const { specReplicas, statusReplicas } = ctx.input.scale;
  const pods = ctx.input.pods;
  switch (spec.type) {
    case 'Resource':
    case 'ContainerResource': {
      const source = spec.type === 'Resource' ? spec.resource : spec.containerResource;
      const reason =
        spec.type === 'Resource' ? 'FailedGetResourceMetric' : 'FailedGetContainerResourceMetric';
      const container = spec.containerResource?.container ?? '';
      const wrapPrefix =
        spec.type === 'Resource'
          ? `failed to get ${source?.name} resource metric value`
          : `failed to get ${container} container metric value`;
      try {
        if (!source) throw new Error(`invalid ${spec.type} metric source: the source is not set`);
        const result = resourceProposal(ctx, spec.type, source.name, container, source.target);
        const status: MetricStatus =
          spec.type === 'Resource'
            ? { type: 'Resource', resource: { name: source.name, current: result.current } }
            : {
                type: 'ContainerResource',
                containerResource: { name: source.name, container, current: result.current },
              };
        return { replicas: result.replicas, metricName: result.metricName, status };
      } catch (e) {
        if (e instanceof MetricFailure) throw e;
        return fail(ctx, reason, messageOf(e), `${wrapPrefix}: ${messageOf(e)}`);
      }
    }
    case 'Pods': {
      const source = spec.pods;
      try {
        if (source?.target.averageValue === undefined) {
          throw new Error('invalid pods metric source: no average value target was set');
        }
        const targetUsage = milliValue(source.target.averageValue);
        const metrics = attempt(
          () => ctx.source.pods(source.metric.name),
          (m) => `unable to get metric ${source.metric.name}: ${m}`,
        );
        const { replicas, usage } = plainMetricReplicas({
          currentReplicas: specReplicas,
          pods,
          metrics,
          resource: '',
          tolerances: ctx.tolerances,
          timing: ctx.timing,
          targetUsage,
        });
        return {
          replicas,
          metricName: `pods metric ${source.metric.name}`,
          status: {
            type: 'Pods',
            pods: { metric: source.metric, current: { averageValue: formatMilliDecimal(usage) } },
          },
        };
      } catch (e) {
        return fail(
          ctx,
          'FailedGetPodsMetric',
          messageOf(e),
          `failed to get pods metric value: ${messageOf(e)}`,
        );
      }
    }
    case 'Object': {
      const source = spec.object;
      let wrapped = (m: string) => m;
      try {
        if (!source)
          throw new Error(
            'invalid object metric source: neither a value target nor an average value target was set',
          );
        const { describedObject: ref, metric, target } = source;
        const fetch = () =>
          attempt(
            () => ctx.source.object(metric.name, ref.kind, ref.name),
            (m) => `unable to get metric ${metric.name}: ${ref.kind} on ${ctx.namespace} ${ref.name}/${m}`,
          );
        if (target.type === 'Value' && target.value !== undefined) {
          const usage = fetch();
          const replicas = wholeValueReplicas(ctx, usage, target.value);
          return {
            replicas,
            metricName: `${ref.kind} metric ${metric.name}`,
            status: {
              type: 'Object',
              object: { describedObject: ref, metric, current: { value: formatMilliDecimal(usage) } },
            },
          };
        }
        if (target.type === 'AverageValue' && target.averageValue !== undefined) {
          wrapped = (m) => `failed to get ${metric.name} object metric: ${m}`;
          const { replicas, usage } = perPodTotalReplicas(
            statusReplicas,
            fetch(),
            milliValue(target.averageValue),
            ctx.tolerances,
          );
          return {
            replicas,
            // The controller names this one "external metric" too (horizontal.go computeStatusForObjectMetric).
            metricName: `external metric ${metric.name}(${formatSelectorForMessage(metric.selector)})`,
            status: {
              type: 'Object',
              object: { describedObject: ref, metric, current: { averageValue: formatMilliDecimal(usage) } },
            },
          };
        }
        throw new Error(
          'invalid object metric source: neither a value target nor an average value target was set',
        );
      } catch (e) {
        return fail(
          ctx,
          'FailedGetObjectMetric',
          messageOf(e),
          `failed to get object metric value: ${wrapped(messageOf(e))}`,
        );
      }
    }
    case 'External': {
      const source = spec.external;
      const name = source?.metric.name ?? '';
      let wrapped = (m: string) => m;
      try {
        if (!source)
          throw new Error(
            'invalid external metric source: neither a value target nor an average value target was set',
          );
        const { metric, target } = source;
        const selectorText = formatSelectorForMessage(metric.selector);
        const fetch = () =>
          attempt(
            () => ctx.source.external(metric.name),
            (m) => `unable to get external metric ${ctx.namespace}/${metric.name}/${selectorText}: ${m}`,
          );
        if (target.averageValue !== undefined) {
          wrapped = (m) => `failed to get ${metric.name} external metric: ${m}`;
          const { replicas, usage } = perPodTotalReplicas(
            statusReplicas,
            saturatedSum(fetch()),
            milliValue(target.averageValue),
            ctx.tolerances,
          );
          return {
            replicas,
            metricName: `external metric ${metric.name}(${selectorText})`,
            status: {
              type: 'External',
              external: { metric, current: { averageValue: formatMilliDecimal(usage) } },
            },
          };
        }
        if (target.value !== undefined) {
          wrapped = (m) => `failed to get external metric ${metric.name}: ${m}`;
          const usage = saturatedSum(fetch());
          const replicas = wholeValueReplicas(ctx, usage, target.value);
          return {
            replicas,
            metricName: `external metric ${metric.name}(${selectorText})`,
            status: { type: 'External', external: { metric, current: { value: formatMilliDecimal(usage) } } },
          };
        }
        throw new Error(
          'invalid external metric source: neither a value target nor an average value target was set',
        );
      } catch (e) {
        return fail(
          ctx,
          'FailedGetExternalMetric',
          messageOf(e),
          `failed to get ${name} external metric value: ${wrapped(messageOf(e))}`,
        );
      }
    }
    default: {
      return fail(ctx, 'InvalidMetricSourceType', `unknown metric source type "${spec.type}"`);
    }
  }
}

interface MetricsOutcome {
  replicas: number;
  metricName: string;
  statuses: MetricStatus[];
  /** Set when the computation failed as a whole (the controller's -1). */
  failure?: string;
}

/** Validates the scale's selector as `validateAndParseSelector` does, when the caller passed one. */
function selectorFailure(ctx: Context): string | undefined {
  const selector = ctx.input.scale.selector;
  if (selector === undefined) return undefined;
  if (selector === '') {
    ctx.events.push({ type: 'Warning', reason: 'SelectorRequired', message: 'selector is required' });
    setCondition(
      ctx,
      'ScalingActive',
      'False',
      'InvalidSelector',
      "the HPA target's scale is missing a selector",
    );
    return 'selector is required';
  }
  try {
    parseLabelSelector(selector);
  } catch (e) {
    const message = `couldn't convert selector into a corresponding internal selector object: ${messageOf(e)}`;
    ctx.events.push({ type: 'Warning', reason: 'InvalidSelector', message });
    setCondition(ctx, 'ScalingActive', 'False', 'InvalidSelector', message);
    return message;
  }
  const selecting = ctx.input.scale.selectingHpas ?? [];
  if (selecting.length > 1) {
    const message = `pods by selector ${selector} are controlled by more than one HPA (e.g. [${selecting.slice(0, 2).join(' ')}])`;
    ctx.events.push({ type: 'Warning', reason: 'AmbiguousSelector', message });
    setCondition(ctx, 'ScalingActive', 'False', 'AmbiguousSelector', message);
    return message;
  }
  return undefined;
}

/** `computeReplicasForMetrics`: the max over metrics; failures block a scale-down but never a scale-up. */
function computeForMetrics(ctx: Context, specs: MetricSpec[]): MetricsOutcome {
  const invalidSelector = selectorFailure(ctx);
  if (invalidSelector) return { replicas: -1, metricName: '', statuses: [], failure: invalidSelector };
  const statuses: MetricStatus[] = specs.map(() => ({ type: '' }));
  let replicas = 0;
  let metricName = '';
  let invalid = 0;
  let firstFailure: MetricFailure | undefined;
  specs.forEach((spec, i) => {
    try {
      const proposal = proposalFor(ctx, spec);
      statuses[i] = proposal.status;
      if (replicas === 0 || proposal.replicas > replicas) {
        replicas = proposal.replicas;
        metricName = proposal.metricName;
      }
    } catch (e) {
      if (!(e instanceof MetricFailure)) throw e;
      firstFailure ??= e;
      invalid++;
    }
  });
  const failure = firstFailure
    ? `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstFailure.message}`
    : undefined;
  if (firstFailure && (invalid >= specs.length || replicas < ctx.input.scale.specReplicas)) {
    setCondition(ctx, 'ScalingActive', 'False', firstFailure.reason, firstFailure.conditionMessage);
    return { replicas: -1, metricName: '', statuses, failure };
  }
  setCondition(
    ctx,
    'ScalingActive',
    'True',
    'ValidMetricFound',
    `the HPA was able to successfully calculate a replica count from ${metricName}`,
  );
  return { replicas, metricName, statuses };
}

function tolerancesFor(input: ReconcileInput, tolerance: number): Tolerances {
  const behavior = input.hpa.spec.behavior;
  const down = behavior?.scaleDown?.tolerance;
  const up = behavior?.scaleUp?.tolerance;
  return {
    scaleDown: down === undefined ? tolerance : parseQuantity(down),
    scaleUp: up === undefined ? tolerance : parseQuantity(up),
  };
}

/** Normalizes the proposal (legacy or behavior path) and sets AbleToScale and ScalingLimited accordingly. */
function normalize(ctx: Context, history: History, current: number, proposal: number, min: number): number {
  const { input, config, now } = ctx;
  const max = input.hpa.spec.maxReplicas;
  const behavior = input.hpa.spec.behavior;
  let stabilized: number;
  let limited: { replicas: number; reason: string; message: string };
  if (!behavior) {
    stabilized = stabilizeLegacy(history, proposal, now, config.downscaleStabilizationWindowSeconds);
    if (stabilized !== proposal) {
      setCondition(
        ctx,
        'AbleToScale',
        'True',
        'ScaleDownStabilized',
        'recent recommendations were higher than current one, applying the highest recent recommendation',
      );
    } else {
      setCondition(ctx, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
    }
    limited = convertWithRules(current, stabilized, min, max, config.scaleUpLimitFactor);
  } else {
    const rules = effectiveBehavior(behavior, config.downscaleStabilizationWindowSeconds);
    const result = stabilizeWithBehavior(
      history,
      proposal,
      current,
      now,
      rules.scaleUp.stabilizationWindowSeconds,
      rules.scaleDown.stabilizationWindowSeconds,
    );
    stabilized = result.replicas;
    if (stabilized !== proposal) {
      setCondition(ctx, 'AbleToScale', 'True', result.reason, result.message);
    } else {
      setCondition(ctx, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
    }
    limited = convertWithBehaviorRate({ current, desired: stabilized, min, max, now }, history, rules);
  }
  setCondition(
    ctx,
    'ScalingLimited',
    limited.replicas === stabilized ? 'False' : 'True',
    limited.reason,
    limited.message,
  );
  return limited.replicas;
}

const secondsPrecision = (ms: number) =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function reconcileHpa(
  input: ReconcileInput,
  writeScale?: (replicas: number) => void,
): ReconcileResult {
  const config: ControllerConfig = { ...defaultControllerConfig, ...input.config };
  const now = Date.parse(input.now);
  const spec = input.hpa.spec;
  const ctx: Context = {
    input,
    config,
    now,
    nowSeconds: secondsPrecision(now),
    conditions: structuredClone(input.hpa.status?.conditions ?? []),
    events: [],
    tolerances: tolerancesFor(input, config.tolerance),
    timing: {
      cpuInitializationPeriodMs: config.cpuInitializationPeriodSeconds * 1000,
      delayOfInitialReadinessStatusMs: config.delayOfInitialReadinessStatusSeconds * 1000,
      now,
    },
    source: new MetricSource(input.metrics),
    namespace: input.hpa.metadata?.namespace ?? 'default',
  };
  const ref = spec.scaleTargetRef;
  const reference = `${ref?.kind ?? 'Deployment'}/${ctx.namespace}/${ref?.name ?? ''}`;
  const history: History = input.history
    ? structuredClone(input.history)
    : { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
  const oldStatus = input.hpa.status ?? {};

  setCondition(
    ctx,
    'AbleToScale',
    'True',
    'SucceededGetScale',
    "the HPA controller was able to get the target's current scale",
  );
  const current = input.scale.specReplicas;
  if (input.history === null) {
    history.recommendations = [{ replicas: current, timestamp: new Date(now).toISOString() }];
  }
  const min = spec.minReplicas ?? 1;
  let desired = 0;
  let rescaleReason = '';
  let rescale = true;
  let metricStatuses: MetricStatus[] = [];

  if (current === 0 && min !== 0) {
    rescale = false;
    setCondition(
      ctx,
      'ScalingActive',
      'False',
      'ScalingDisabled',
      'scaling is disabled since the replica count of the target is zero',
    );
  } else if (current > spec.maxReplicas) {
    rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
    desired = spec.maxReplicas;
  } else if (current < min) {
    rescaleReason = 'Current number of replicas below Spec.MinReplicas';
    desired = min;
  } else {
    const outcome = computeForMetrics(ctx, spec.metrics?.length ? spec.metrics : defaultMetrics);
    metricStatuses = outcome.statuses;
    if (outcome.replicas === -1) {
      const error = `failed to compute desired number of replicas based on listed metrics for ${reference}: ${outcome.failure}`;
      ctx.events.push({
        type: 'Warning',
        reason: 'FailedComputeMetricsReplicas',
        message: outcome.failure ?? '',
      });
      return {
        status: {
          currentReplicas: current,
          desiredReplicas: oldStatus.desiredReplicas,
          lastScaleTime: oldStatus.lastScaleTime,
          currentMetrics: metricStatuses,
          conditions: ctx.conditions,
        },
        scaleUpdated: false,
        history,
        events: ctx.events,
        error,
      };
    }
    let rescaleMetric = '';
    if (outcome.replicas > desired) {
      desired = outcome.replicas;
      rescaleMetric = outcome.metricName;
    }
    if (desired > current) rescaleReason = `${rescaleMetric} above target`;
    if (desired < current) rescaleReason = 'All metrics below target';
    desired = normalize(ctx, history, current, desired, min);
    rescale = desired !== current;
  }

  let lastScaleTime = oldStatus.lastScaleTime;
  if (rescale) {
    try {
      writeScale?.(desired);
    } catch (e) {
      ctx.events.push({
        type: 'Warning',
        reason: 'FailedRescale',
        message: `New size: ${desired}; reason: ${rescaleReason}; error: ${messageOf(e)}`,
      });
      setCondition(
        ctx,
        'AbleToScale',
        'False',
        'FailedUpdateScale',
        `the HPA controller was unable to update the target scale: ${messageOf(e)}`,
      );
      return {
        status: {
          currentReplicas: current,
          desiredReplicas: oldStatus.desiredReplicas,
          lastScaleTime,
          currentMetrics: metricStatuses,
          conditions: ctx.conditions,
        },
        scaleUpdated: false,
        history,
        events: ctx.events,
        error: `failed to rescale ${reference}: ${messageOf(e)}`,
      };
    }
    setCondition(
      ctx,
      'AbleToScale',
      'True',
      'SucceededRescale',
      `the HPA controller was able to update the target scale to ${desired}`,
    );
    ctx.events.push({
      type: 'Normal',
      reason: 'SuccessfulRescale',
      message: `New size: ${desired}; reason: ${rescaleReason}`,
    });
    if (spec.behavior) {
      storeScaleEvent(
        history,
        effectiveBehavior(spec.behavior, config.downscaleStabilizationWindowSeconds),
        current,
        desired,
        now,
      );
    }
    lastScaleTime = ctx.nowSeconds;
  } else {
    desired = current;
  }
  return {
    status: {
      currentReplicas: current,
      desiredReplicas: desired,
      lastScaleTime,
      currentMetrics: metricStatuses,
      conditions: ctx.conditions,
    },
    scaleUpdated: rescale,
    history,
    events: ctx.events,
  };
}

/** The `scalegate hpa reconcile` output line for a decision. */
export function whatIfOutput(result: ReconcileResult): WhatIfOutput {
  return {
    ...(result.status.desiredReplicas !== undefined
      ? { desiredReplicas: result.status.desiredReplicas }
      : {}),
    scaleUpdated: result.scaleUpdated,
    conditions: result.status.conditions ?? [],
    currentMetrics: result.status.currentMetrics ?? [],
    history: result.history,
    ...(result.error !== undefined ? { error: result.error } : {}),
  };
}
