/**
 * Kubernetes' controller-level HPA tests (pkg/controller/podautoscaler/horizontal_test.go: TestScaleUp*,
 * TestScaleDown*, TestTolerance*, TestMinReplicas, TestCondition*, *OneMetricInvalid/Empty, ...) ported as data and
 * run through `reconcileHpa`, the function behind both the local cluster's controller and `scalegate hpa reconcile`.
 * The fixture mirrors the Go harness: pods `test-pod-<i>` whose request (1.0 unless given) is split over two
 * containers, usage levels split likewise, Ready since their start time, samples taken now with a one-minute
 * window, and the test timings (tolerance 0.1, CPU initialization 2 min, readiness delay 10 s, scale-up limit
 * factor 8 as horizontal_test.go's init() sets it).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconcileHpa, whatIfOutput } from '../../simulator/autoscaling/hpa/reconcile.js';
import type {
  Behavior,
  MetricSpec,
  Pod,
  ReconcileInput,
  ScalingRules,
} from '../../simulator/autoscaling/hpa/types.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const hot = iso(now);
const cool = iso(now - 3 * 60_000);
const zeroTime = '0001-01-01T00:00:00Z';

type Cond = [type: string, status: string, reason: string];
const statusOk: Cond[] = [
  ['AbleToScale', 'True', 'SucceededRescale'],
  ['ScalingActive', 'True', 'ValidMetricFound'],
  ['ScalingLimited', 'False', 'DesiredWithinRange'],
];
function statusOkWith(...overrides: Cond[]): Cond[] {
  const list = statusOk.map((c) => [...c] as Cond);
  for (const o of overrides) {
    const existing = list.find((c) => c[0] === o[0]);
    if (existing) existing.splice(0, 3, ...o);
    else list.push(o);
  }
  return list;
}

interface Case {
  name: string;
  min: number;
  max: number;
  spec: number;
  status: number;
  expected: number;
  cpuTarget?: number;
  /** Expected status.currentMetrics cpu utilization (computed from levels/requests when omitted). */
  cpuCurrent?: number;
  metrics?: MetricSpec[];
  levels?: number[];
  requests?: string[];
  readiness?: Array<'True' | 'False'>;
  startTimes?: string[];
  phases?: string[];
  deleted?: boolean[];
  /** undefined: the HPA is new to the controller (history null). */
  recommendations?: Array<{ replicas: number; agoMs: number }>;
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
  failing?: string[];
  selector?: string;
  /** Other HPAs whose targets select these pods (TestConditionAmbiguousSelector*). */
  otherHpas?: string[];
  conditions?: Cond[];
  verifyCpuCurrent?: boolean;
}

const milli = (q: string) => Math.round(Number(q) * 1000);

function buildInput(c: Case): ReconcileInput {
  const podCount = c.requests ? c.requests.length : c.status;
  const pods: Pod[] = Array.from({ length: podCount }, (_, i) => {
    const request = milli(c.requests?.[i] ?? '1.0');
    const start = c.startTimes?.[i] ?? zeroTime;
    return {
      metadata: { name: `test-pod-${i}`, ...(c.deleted?.[i] ? { deletionTimestamp: iso(now) } : {}) },
      spec: {
        containers: ['container1', 'container2'].map((name) => ({
          name,
          resources: { requests: { cpu: `${Math.trunc(request / 2)}m` } },
        })),
      },
      status: {
        phase: c.phases?.[i] ?? 'Running',
        startTime: start,
        conditions: [{ type: 'Ready', status: c.readiness?.[i] ?? 'True', lastTransitionTime: start }],
      },
    };
  });
  const levels = c.levels ?? [];
  const metrics: MetricSpec[] = [];
  if (c.cpuTarget) {
    metrics.push({
      type: 'Resource',
      resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: c.cpuTarget } },
    });
  }
  metrics.push(...(c.metrics ?? []));
  const behavior: Behavior | undefined =
    c.scaleUp || c.scaleDown
      ? { ...(c.scaleUp ? { scaleUp: c.scaleUp } : {}), ...(c.scaleDown ? { scaleDown: c.scaleDown } : {}) }
      : undefined;
  return {
    hpa: {
      metadata: { name: 'test-hpa', namespace: 'test-namespace' },
      spec: {
        scaleTargetRef: { apiVersion: 'v1', kind: 'ReplicationController', name: 'test-rc' },
        minReplicas: c.min,
        maxReplicas: c.max,
        metrics,
        ...(behavior ? { behavior } : {}),
      },
      status: { currentReplicas: c.spec, desiredReplicas: c.spec },
    },
    scale: {
      specReplicas: c.spec,
      statusReplicas: c.status,
      ...(c.selector !== undefined ? { selector: c.selector } : {}),
      ...(c.otherHpas ? { selectingHpas: ['test-namespace/test-hpa', ...c.otherHpas] } : {}),
    },
    pods,
    metrics: {
      timestamp: iso(now),
      windowSeconds: 60,
      resource: Object.fromEntries(
        levels.map((l, i) => [
          `test-pod-${i}`,
          {
            container1: { cpu: `${Math.trunc(l / 2)}m`, memory: `${1024 * 512}` },
            container2: { cpu: `${Math.trunc(l / 2)}m`, memory: `${1024 * 512}` },
          },
        ]),
      ),
      pods: { qps: Object.fromEntries(levels.map((l, i) => [`test-pod-${i}`, `${l}m`])) },
      object: levels.length > 0 ? { qps: `${levels[0]}m` } : {},
      external: { qps: levels.map((l) => `${l}m`) },
      failing: c.failing ?? [],
    },
    history: c.recommendations
      ? {
          recommendations: c.recommendations.map((r) => ({
            replicas: r.replicas,
            timestamp: iso(now - r.agoMs),
          })),
          scaleUpEvents: [],
          scaleDownEvents: [],
        }
      : null,
    now: iso(now),
    config: {
      tolerance: 0.1,
      cpuInitializationPeriodSeconds: 120,
      delayOfInitialReadinessStatusSeconds: 10,
      downscaleStabilizationWindowSeconds: 300,
      scaleUpLimitFactor: 8,
    },
  };
}

function expectedCpuCurrent(c: Case): number | undefined {
  if (c.cpuCurrent !== undefined) return c.cpuCurrent;
  const levels = c.levels ?? [];
  const requests = c.requests ?? [];
  if (levels.length === 0 || levels.length !== requests.length) return undefined;
  const used = levels.reduce((a, b) => a + b, 0);
  return Math.trunc((100 * used) / requests.reduce((a, r) => a + milli(r), 0));
}

function run(c: Case) {
  const result = reconcileHpa(buildInput(c));
  const out = whatIfOutput(result);
  assert.equal(out.desiredReplicas, c.expected, 'desiredReplicas');
  assert.equal(out.scaleUpdated, c.spec !== c.expected, 'scaleUpdated');
  assert.deepEqual(
    out.conditions.map((x) => [x.type, x.status, x.reason]),
    c.conditions ?? statusOk,
    'conditions',
  );
  if (c.verifyCpuCurrent) {
    const cpu = out.currentMetrics.find((s) => s.type === 'Resource' && s.resource?.name === 'cpu');
    assert.equal(cpu?.resource?.current.averageUtilization, expectedCpuCurrent(c), 'cpu utilization');
  }
  return { out, result };
}

const r = (n: number, value = '1.0') => Array.from({ length: n }, () => value);
const podsQps = (averageValue: string): MetricSpec => ({
  type: 'Pods',
  pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue } },
});
const objectQps = (
  target: { type: 'Value'; value: string } | { type: 'AverageValue'; averageValue: string },
): MetricSpec => ({
  type: 'Object',
  object: {
    describedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'some-deployment' },
    metric: { name: 'qps' },
    target,
  },
});
const externalQps = (
  target: { type: 'Value'; value: string } | { type: 'AverageValue'; averageValue: string },
): MetricSpec => ({
  type: 'External',
  external: { metric: { name: 'qps', selector: {} }, target },
});
const cheese: MetricSpec = { type: 'CheddarCheese' };
/** horizontal_test.go generateScalingRules(pods, podsPeriod, percent, percentPeriod, stabilizationWindow) */
function rules(
  pods: number,
  podsPeriod: number,
  percent: number,
  percentPeriod: number,
  window: number,
): ScalingRules {
  const policies: ScalingRules['policies'] = [];
  if (pods) policies.push({ type: 'Pods', value: pods, periodSeconds: podsPeriod });
  if (percent) policies.push({ type: 'Percent', value: percent, periodSeconds: percentPeriod });
  return {
    stabilizationWindowSeconds: window,
    selectPolicy: 'Max',
    ...(policies.length ? { policies } : {}),
  };
}

const cases: Case[] = [
  {
    name: 'TestScaleUp',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 5,
    cpuTarget: 30,
    verifyCpuCurrent: true,
    levels: [300, 500, 700],
    requests: r(3),
  },
  {
    name: 'TestScaleUpContainer',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 5,
    metrics: [
      {
        type: 'ContainerResource',
        containerResource: {
          name: 'cpu',
          container: 'container1',
          target: { type: 'Utilization', averageUtilization: 30 },
        },
      },
    ],
    levels: [300, 500, 700],
    requests: r(3),
  },
  {
    name: 'TestScaleUpUnreadyLessScale',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 4,
    cpuTarget: 30,
    cpuCurrent: 60,
    verifyCpuCurrent: true,
    levels: [300, 500, 700],
    requests: r(3),
    readiness: ['False', 'True', 'True'],
  },
  {
    name: 'TestScaleUpHotCpuLessScale',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 4,
    cpuTarget: 30,
    cpuCurrent: 60,
    verifyCpuCurrent: true,
    levels: [300, 500, 700],
    requests: r(3),
    startTimes: [hot, cool, cool],
  },
  {
    name: 'TestScaleUpUnreadyNoScale',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 3,
    cpuTarget: 30,
    cpuCurrent: 40,
    verifyCpuCurrent: true,
    levels: [400, 500, 700],
    requests: r(3),
    readiness: ['True', 'False', 'False'],
    conditions: statusOkWith(['AbleToScale', 'True', 'ReadyForNewScale']),
  },
  {
    name: 'TestScaleUpHotCpuNoScale',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 3,
    cpuTarget: 30,
    cpuCurrent: 40,
    verifyCpuCurrent: true,
    levels: [400, 500, 700],
    requests: r(3),
    readiness: ['True', 'False', 'False'],
    startTimes: [cool, hot, hot],
    conditions: statusOkWith(['AbleToScale', 'True', 'ReadyForNewScale']),
  },
  {
    name: 'TestScaleUpIgnoresFailedPods',
    min: 2,
    max: 6,
    spec: 2,
    status: 2,
    expected: 4,
    cpuTarget: 30,
    cpuCurrent: 60,
    verifyCpuCurrent: true,
    levels: [500, 700],
    requests: r(4),
    readiness: ['True', 'True', 'False', 'False'],
    phases: ['Running', 'Running', 'Failed', 'Failed'],
  },
  {
    name: 'TestScaleUpIgnoresDeletionPods',
    min: 2,
    max: 6,
    spec: 2,
    status: 2,
    expected: 4,
    cpuTarget: 30,
    cpuCurrent: 60,
    verifyCpuCurrent: true,
    levels: [500, 700],
    requests: r(4),
    readiness: ['True', 'True', 'False', 'False'],
    deleted: [false, false, true, true],
  },
  {
    name: 'TestScaleUpCM',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 4,
    metrics: [podsQps('15.0')],
    levels: [20000, 10000, 30000],
    requests: r(3),
  },
  {
    name: 'TestScaleUpCMUnreadyAndHotCpuNoLessScale',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 6,
    metrics: [podsQps('15.0')],
    levels: [50000, 10000, 30000],
    readiness: ['True', 'True', 'False'],
    startTimes: [cool, cool, hot],
    requests: r(3),
  },
  {
    name: 'TestScaleUpCMUnreadyandCpuHot',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 6,
    metrics: [podsQps('15.0')],
    levels: [50000, 15000, 30000],
    readiness: ['False', 'True', 'False'],
    startTimes: [hot, cool, hot],
    requests: r(3),
    conditions: statusOkWith(['ScalingLimited', 'True', 'TooManyReplicas']),
  },
  {
    name: 'TestScaleUpHotCpuNoScaleWouldScaleDown',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 6,
    metrics: [podsQps('15.0')],
    levels: [50000, 15000, 30000],
    startTimes: [hot, cool, hot],
    requests: r(3),
    conditions: statusOkWith(['ScalingLimited', 'True', 'TooManyReplicas']),
  },
  {
    name: 'TestScaleUpCMObject',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 4,
    metrics: [objectQps({ type: 'Value', value: '15.0' })],
    levels: [20000],
  },
  {
    name: 'TestScaleUpFromZeroCMObject',
    min: 0,
    max: 6,
    spec: 0,
    status: 0,
    expected: 2,
    metrics: [objectQps({ type: 'Value', value: '15.0' })],
    levels: [20000],
  },
  {
    name: 'TestScaleUpFromZeroIgnoresToleranceCMObject',
    min: 0,
    max: 6,
    spec: 0,
    status: 0,
    expected: 1,
    metrics: [objectQps({ type: 'Value', value: '1.0' })],
    levels: [1000],
  },
  {
    name: 'TestScaleUpPerPodCMObject',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 4,
    metrics: [objectQps({ type: 'AverageValue', averageValue: '10.0' })],
    levels: [40000],
  },
  {
    name: 'TestScaleUpCMExternal',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 4,
    metrics: [externalQps({ type: 'Value', value: '6666m' })],
    levels: [8600],
  },
  {
    name: 'TestScaleUpPerPodCMExternal',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 4,
    metrics: [externalQps({ type: 'AverageValue', averageValue: '2222m' })],
    levels: [8600],
  },
  {
    name: 'TestScaleDown',
    min: 2,
    max: 6,
    spec: 5,
    status: 5,
    expected: 3,
    cpuTarget: 50,
    verifyCpuCurrent: true,
    levels: [100, 300, 500, 250, 250],
    requests: r(5),
    recommendations: [],
  },
  {
    name: 'TestScaleDownContainerResource',
    min: 2,
    max: 6,
    spec: 5,
    status: 5,
    expected: 3,
    metrics: [
      {
        type: 'ContainerResource',
        containerResource: {
          name: 'cpu',
          container: 'container2',
          target: { type: 'Utilization', averageUtilization: 50 },
        },
      },
    ],
    levels: [100, 300, 500, 250, 250],
    requests: r(5),
    recommendations: [],
  },
  {
    name: 'TestScaleDownWithScalingRules',
    min: 2,
    max: 6,
    spec: 5,
    status: 5,
    expected: 3,
    cpuTarget: 50,
    verifyCpuCurrent: true,
    scaleUp: rules(0, 0, 100, 15, 30),
    levels: [100, 300, 500, 250, 250],
    requests: r(5),
    recommendations: [],
  },
  {
    name: 'TestScaleUpOneMetricInvalid',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 4,
    cpuTarget: 30,
    verifyCpuCurrent: true,
    metrics: [cheese],
    levels: [300, 400, 500],
    requests: r(3),
  },
  {
    name: 'TestScaleUpFromZeroOneMetricInvalid',
    min: 0,
    max: 6,
    spec: 0,
    status: 0,
    expected: 4,
    cpuTarget: 30,
    verifyCpuCurrent: true,
    metrics: [cheese],
    levels: [300, 400, 500],
    requests: r(3),
    recommendations: [],
  },
  {
    name: 'TestScaleUpBothMetricsEmpty',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 3,
    metrics: [cheese],
    levels: [],
    requests: r(3),
    conditions: [
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'InvalidMetricSourceType'],
    ],
  },
  {
    name: 'TestScaleDownStabilizeInitialSize',
    min: 2,
    max: 6,
    spec: 5,
    status: 5,
    expected: 5,
    cpuTarget: 50,
    verifyCpuCurrent: true,
    levels: [100, 300, 500, 250, 250],
    requests: r(5),
    conditions: statusOkWith(['AbleToScale', 'True', 'ScaleDownStabilized']),
  },
  {
    name: 'TestScaleDownCM',
    min: 2,
    max: 6,
    spec: 5,
    status: 5,
    expected: 3,
    metrics: [podsQps('20.0')],
    levels: [12000, 12000, 12000, 12000, 12000],
    requests: r(5),
    recommendations: [],
  },
  {
    name: 'TestScaleDownCMObject',
    min: 2,
    max: 6,
    spec: 5,
    status: 5,
    expected: 3,
    metrics: [objectQps({ type: 'Value', value: '20.0' })],
    levels: [12000],
    requests: r(5),
    recommendations: [],
  },
  {
    name: 'TestScaleDownToZeroCMObject',
    min: 0,
    max: 6,
    spec: 5,
    status: 5,
    expected: 0,
    metrics: [objectQps({ type: 'Value', value: '20.0' })],
    levels: [0],
    requests: r(5),
    recommendations: [],
  },
  {
    name: 'TestScaleDownPerPodCMObject',
    min: 2,
    max: 6,
    spec: 5,
    status: 5,
    expected: 3,
    metrics: [objectQps({ type: 'AverageValue', averageValue: '20.0' })],
    levels: [60000],
    requests: r(5),
    recommendations: [],
  },
  {
    name: 'TestScaleDownCMExternal',
    min: 2,
    max: 6,
    spec: 5,
    status: 5,
    expected: 3,
    metrics: [externalQps({ type: 'Value', value: '14400m' })],
    levels: [8600],
    recommendations: [],
  },
  {
    name: 'TestScaleDownToZeroCMExternal',
    min: 0,
    max: 6,
    spec: 5,
    status: 5,
    expected: 0,
    metrics: [externalQps({ type: 'Value', value: '14400m' })],
    levels: [0],
    recommendations: [],
  },
  {
    name: 'TestScaleDownPerPodCMExternal',
    min: 2,
    max: 6,
    spec: 5,
    status: 5,
    expected: 3,
    metrics: [externalQps({ type: 'AverageValue', averageValue: '3000m' })],
    levels: [8600],
    recommendations: [],
  },
  {
    name: 'TestScaleDownIncludeUnreadyPods',
    min: 2,
    max: 6,
    spec: 5,
    status: 5,
    expected: 2,
    cpuTarget: 50,
    cpuCurrent: 30,
    verifyCpuCurrent: true,
    levels: [100, 300, 500, 250, 250],
    requests: r(5),
    readiness: ['True', 'True', 'True', 'False', 'False'],
    recommendations: [],
  },
  {
    name: 'TestScaleDownIgnoreHotCpuPods',
    min: 2,
    max: 6,
    spec: 5,
    status: 5,
    expected: 2,
    cpuTarget: 50,
    cpuCurrent: 30,
    verifyCpuCurrent: true,
    levels: [100, 300, 500, 250, 250],
    requests: r(5),
    startTimes: [cool, cool, cool, hot, hot],
    recommendations: [],
  },
  {
    name: 'TestScaleDownIgnoresFailedPods',
    min: 2,
    max: 6,
    spec: 5,
    status: 5,
    expected: 3,
    cpuTarget: 50,
    cpuCurrent: 28,
    verifyCpuCurrent: true,
    levels: [100, 300, 500, 250, 250],
    requests: r(7),
    readiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'],
    phases: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'],
    recommendations: [],
  },
  {
    name: 'TestScaleDownIgnoresDeletionPods',
    min: 2,
    max: 6,
    spec: 5,
    status: 5,
    expected: 3,
    cpuTarget: 50,
    cpuCurrent: 28,
    verifyCpuCurrent: true,
    levels: [100, 300, 500, 250, 250],
    requests: r(7),
    readiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'],
    deleted: [false, false, false, false, false, true, true],
    recommendations: [],
  },
  {
    name: 'TestTolerance',
    min: 1,
    max: 5,
    spec: 3,
    status: 3,
    expected: 3,
    cpuTarget: 100,
    levels: [1010, 1030, 1020],
    requests: ['0.9', '1.0', '1.1'],
    conditions: statusOkWith(['AbleToScale', 'True', 'ReadyForNewScale']),
  },
  {
    name: 'TestToleranceCM',
    min: 1,
    max: 5,
    spec: 3,
    status: 3,
    expected: 3,
    metrics: [podsQps('20.0')],
    levels: [20000, 20001, 21000],
    requests: ['0.9', '1.0', '1.1'],
    conditions: statusOkWith(['AbleToScale', 'True', 'ReadyForNewScale']),
  },
  {
    name: 'TestToleranceCMObject',
    min: 1,
    max: 5,
    spec: 3,
    status: 3,
    expected: 3,
    metrics: [objectQps({ type: 'Value', value: '20.0' })],
    levels: [20050],
    requests: ['0.9', '1.0', '1.1'],
    conditions: statusOkWith(['AbleToScale', 'True', 'ReadyForNewScale']),
  },
  {
    name: 'TestToleranceCMExternal',
    min: 2,
    max: 6,
    spec: 4,
    status: 4,
    expected: 4,
    metrics: [externalQps({ type: 'Value', value: '8666m' })],
    levels: [8600],
    conditions: statusOkWith(['AbleToScale', 'True', 'ReadyForNewScale']),
  },
  {
    name: 'TestTolerancePerPodCMObject',
    min: 2,
    max: 6,
    spec: 4,
    status: 4,
    expected: 4,
    metrics: [objectQps({ type: 'AverageValue', averageValue: '2200m' })],
    levels: [8600],
    conditions: statusOkWith(['AbleToScale', 'True', 'ReadyForNewScale']),
  },
  {
    name: 'TestTolerancePerPodCMExternal',
    min: 2,
    max: 6,
    spec: 4,
    status: 4,
    expected: 4,
    metrics: [externalQps({ type: 'AverageValue', averageValue: '2200m' })],
    levels: [8600],
    conditions: statusOkWith(['AbleToScale', 'True', 'ReadyForNewScale']),
  },
  {
    name: 'TestMinReplicas',
    min: 2,
    max: 5,
    spec: 3,
    status: 3,
    expected: 2,
    cpuTarget: 90,
    levels: [10, 95, 10],
    requests: ['0.9', '1.0', '1.1'],
    recommendations: [],
    conditions: statusOkWith(['ScalingLimited', 'True', 'TooFewReplicas']),
  },
  {
    name: 'TestZeroMinReplicasDesiredZero',
    min: 0,
    max: 5,
    spec: 3,
    status: 3,
    expected: 0,
    cpuTarget: 90,
    levels: [0, 0, 0],
    requests: ['0.9', '1.0', '1.1'],
    recommendations: [],
  },
  {
    name: 'TestMinReplicasDesiredZero',
    min: 2,
    max: 5,
    spec: 3,
    status: 3,
    expected: 2,
    cpuTarget: 90,
    levels: [0, 0, 0],
    requests: ['0.9', '1.0', '1.1'],
    recommendations: [],
    conditions: statusOkWith(['ScalingLimited', 'True', 'TooFewReplicas']),
  },
  {
    name: 'TestZeroReplicas',
    min: 3,
    max: 5,
    spec: 0,
    status: 0,
    expected: 0,
    cpuTarget: 90,
    levels: [],
    requests: [],
    conditions: [
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'ScalingDisabled'],
    ],
  },
  {
    name: 'TestTooFewReplicas',
    min: 3,
    max: 5,
    spec: 2,
    status: 2,
    expected: 3,
    cpuTarget: 90,
    levels: [],
    requests: [],
    conditions: [['AbleToScale', 'True', 'SucceededRescale']],
  },
  {
    name: 'TestTooManyReplicas',
    min: 3,
    max: 5,
    spec: 10,
    status: 10,
    expected: 5,
    cpuTarget: 90,
    levels: [],
    requests: [],
    conditions: [['AbleToScale', 'True', 'SucceededRescale']],
  },
  {
    name: 'TestMaxReplicas',
    min: 2,
    max: 5,
    spec: 3,
    status: 3,
    expected: 5,
    cpuTarget: 90,
    levels: [8000, 9500, 1000],
    requests: ['0.9', '1.0', '1.1'],
    conditions: statusOkWith(['ScalingLimited', 'True', 'TooManyReplicas']),
  },
  {
    name: 'TestSuperfluousMetrics',
    min: 2,
    max: 6,
    spec: 4,
    status: 4,
    expected: 6,
    cpuTarget: 100,
    levels: [4000, 9500, 3000, 7000, 3200, 2000],
    requests: r(4),
    conditions: statusOkWith(['ScalingLimited', 'True', 'TooManyReplicas']),
  },
  {
    name: 'TestMissingMetrics',
    min: 2,
    max: 6,
    spec: 4,
    status: 4,
    expected: 3,
    cpuTarget: 100,
    levels: [400, 95],
    requests: r(4),
    recommendations: [],
  },
  {
    name: 'TestEmptyMetrics',
    min: 2,
    max: 6,
    spec: 4,
    status: 4,
    expected: 4,
    cpuTarget: 100,
    levels: [],
    requests: r(4),
    conditions: [
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'FailedGetResourceMetric'],
    ],
  },
  {
    name: 'TestEmptyCPURequest',
    min: 1,
    max: 5,
    spec: 1,
    status: 1,
    expected: 1,
    cpuTarget: 100,
    levels: [200],
    requests: [],
    conditions: [
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'FailedGetResourceMetric'],
    ],
  },
  {
    name: 'TestEventCreated',
    min: 1,
    max: 5,
    spec: 1,
    status: 1,
    expected: 2,
    cpuTarget: 50,
    levels: [200],
    requests: ['0.2'],
  },
  {
    name: 'TestEventNotCreated',
    min: 1,
    max: 5,
    spec: 2,
    status: 2,
    expected: 2,
    cpuTarget: 50,
    levels: [200, 200],
    requests: ['0.4', '0.4'],
    conditions: statusOkWith(['AbleToScale', 'True', 'ReadyForNewScale']),
  },
  {
    name: 'TestMissingReports',
    min: 1,
    max: 5,
    spec: 4,
    status: 4,
    expected: 2,
    cpuTarget: 50,
    levels: [200],
    requests: ['0.2'],
    recommendations: [],
  },
  {
    name: 'TestUpscaleCap',
    min: 1,
    max: 100,
    spec: 3,
    status: 3,
    expected: 24,
    cpuTarget: 10,
    scaleUp: rules(0, 0, 700, 60, 0),
    levels: [100, 200, 300],
    requests: r(3, '0.1'),
    conditions: statusOkWith(['ScalingLimited', 'True', 'ScaleUpLimit']),
  },
  {
    name: 'TestUpscaleCapGreaterThanMaxReplicas',
    min: 1,
    max: 20,
    spec: 3,
    status: 3,
    expected: 20,
    cpuTarget: 10,
    scaleUp: rules(0, 0, 700, 60, 0),
    levels: [100, 200, 300],
    requests: r(3, '0.1'),
    conditions: statusOkWith(['ScalingLimited', 'True', 'TooManyReplicas']),
  },
  {
    name: 'TestMoreReplicasThanSpecNoScale',
    min: 1,
    max: 8,
    spec: 4,
    status: 5,
    expected: 4,
    cpuTarget: 50,
    levels: [500, 500, 500, 500, 500],
    requests: r(5, '1'),
    conditions: statusOkWith(['AbleToScale', 'True', 'ReadyForNewScale']),
  },
  {
    name: 'TestConditionInvalidSelectorMissing',
    min: 1,
    max: 100,
    spec: 3,
    status: 3,
    expected: 3,
    cpuTarget: 10,
    levels: [100, 200, 300],
    requests: r(3, '0.1'),
    selector: '',
    conditions: [
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'InvalidSelector'],
    ],
  },
  {
    name: 'TestConditionInvalidSelectorUnparsable',
    min: 1,
    max: 100,
    spec: 3,
    status: 3,
    expected: 3,
    cpuTarget: 10,
    levels: [100, 200, 300],
    requests: r(3, '0.1'),
    selector: 'cheddar cheese',
    conditions: [
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'InvalidSelector'],
    ],
  },
  {
    name: 'TestConditionNoAmbiguousSelectorWhenNoSelectorOverlapBetweenHPAs',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 5,
    cpuTarget: 30,
    levels: [300, 500, 700],
    requests: r(3),
    selector: 'name=test-pod',
    otherHpas: [],
  },
  {
    name: 'TestConditionAmbiguousSelectorWhenFullSelectorOverlapBetweenHPAs',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 3,
    cpuTarget: 30,
    levels: [300, 500, 700],
    requests: r(3),
    selector: 'name=test-pod',
    otherHpas: ['test-namespace/test-hpa-2'],
    conditions: [
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'AmbiguousSelector'],
    ],
  },
  ...(
    [
      ['FailedGetResourceMetric', undefined],
      ['FailedGetPodsMetric', podsQps('15.0')],
      ['FailedGetObjectMetric', objectQps({ type: 'Value', value: '15.0' })],
      ['FailedGetExternalMetric', externalQps({ type: 'Value', value: '300m' })],
    ] as Array<[string, MetricSpec | undefined]>
  ).map(
    ([reason, spec]): Case => ({
      name: `TestConditionFailedGetMetrics ${reason}`,
      min: 1,
      max: 100,
      spec: 3,
      status: 3,
      expected: 3,
      levels: [100, 200, 300],
      requests: r(3, '0.1'),
      ...(spec ? { metrics: [spec] } : { cpuTarget: 10 }),
      failing: ['cpu', 'qps'],
      conditions: [
        ['AbleToScale', 'True', 'SucceededGetScale'],
        ['ScalingActive', 'False', reason],
      ],
    }),
  ),
  {
    name: 'TestConditionInvalidSourceType',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 3,
    metrics: [cheese],
    levels: [20000],
    conditions: [
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'InvalidMetricSourceType'],
    ],
  },
  {
    name: 'TestNoBackoffUpscaleCM',
    min: 1,
    max: 5,
    spec: 3,
    status: 3,
    expected: 4,
    metrics: [podsQps('15.0')],
    levels: [20000, 10000, 30000],
    requests: r(3),
  },
  {
    name: 'TestNoBackoffUpscaleCMNoBackoffCpu',
    min: 1,
    max: 5,
    spec: 3,
    status: 3,
    expected: 5,
    cpuTarget: 10,
    metrics: [podsQps('15.0')],
    levels: [20000, 10000, 30000],
    requests: r(3),
    conditions: statusOkWith(['ScalingLimited', 'True', 'TooManyReplicas']),
  },
  {
    name: 'TestStabilizeDownscale',
    min: 1,
    max: 5,
    spec: 4,
    status: 4,
    expected: 4,
    cpuTarget: 100,
    levels: [50, 50, 50],
    requests: r(3, '0.1'),
    recommendations: [
      { replicas: 10, agoMs: 10 * 60_000 },
      { replicas: 4, agoMs: 60_000 },
    ],
    conditions: statusOkWith(['AbleToScale', 'True', 'ScaleDownStabilized']),
  },
  {
    name: 'TestScaleUpRCImmediately',
    min: 2,
    max: 6,
    spec: 1,
    status: 1,
    expected: 2,
    levels: [0, 0, 0, 0],
    requests: r(4),
    conditions: [['AbleToScale', 'True', 'SucceededRescale']],
  },
  {
    name: 'TestScaleDownRCImmediately',
    min: 2,
    max: 5,
    spec: 6,
    status: 6,
    expected: 5,
    cpuTarget: 50,
    levels: [8000, 9500, 1000],
    requests: ['0.9', '1.0', '1.1'],
    conditions: [['AbleToScale', 'True', 'SucceededRescale']],
  },
  {
    name: 'TestScaleUpOneMetricEmpty',
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    expected: 4,
    cpuTarget: 30,
    verifyCpuCurrent: true,
    metrics: [externalQps({ type: 'Value', value: '100m' })],
    levels: [300, 400, 500],
    requests: r(3),
    failing: ['qps'],
  },
  {
    name: 'TestNoScaleDownOneMetricInvalid',
    min: 2,
    max: 6,
    spec: 5,
    status: 5,
    expected: 5,
    cpuTarget: 50,
    metrics: [cheese],
    levels: [100, 300, 500, 250, 250],
    requests: r(5),
    recommendations: [],
    conditions: [
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'InvalidMetricSourceType'],
    ],
  },
  {
    name: 'TestNoScaleDownOneMetricEmpty',
    min: 2,
    max: 6,
    spec: 5,
    status: 5,
    expected: 5,
    cpuTarget: 50,
    metrics: [externalQps({ type: 'Value', value: '1000m' })],
    levels: [100, 300, 500, 250, 250],
    requests: r(5),
    recommendations: [],
    failing: ['qps'],
    conditions: [
      ['AbleToScale', 'True', 'SucceededGetScale'],
      ['ScalingActive', 'False', 'FailedGetExternalMetric'],
    ],
  },
];

describe('horizontal_test.go decisions through reconcileHpa', () => {
  for (const c of cases)
    it(c.name, () => {
      run(c);
    });
});

describe('TestComputedToleranceAlgImplementation', () => {
  const offsets = [100, -100, 10, -10, 2, -2, 1, -1, 0, 0];
  const base = {
    min: 0,
    max: 1000,
    spec: 10,
    status: 10,
    levels: offsets.map(() => 150),
    requests: offsets.map((o) => String((300 + o) / 1000)),
    recommendations: [],
  };
  it('scales down when the ratio just leaves the tolerance', () => {
    const target = 1 / (2 * 0.9) + 0.01;
    run({
      ...base,
      name: 'breach',
      cpuTarget: Math.trunc(target * 100),
      expected: Math.ceil((1500 / (3000 * target)) * 10),
    });
  });
  it('keeps the count in a very close margin to the tolerance', () => {
    run({
      ...base,
      name: 'margin',
      cpuTarget: Math.trunc((1 / (2 * 0.9) + 0.004) * 100),
      expected: 10,
      conditions: statusOkWith(['AbleToScale', 'True', 'ReadyForNewScale']),
    });
  });
});

describe('decision details beyond the replica count', () => {
  it('TestEventCreated: emits SuccessfulRescale with the controller message', () => {
    const { result } = run(cases.find((c) => c.name === 'TestEventCreated')!);
    assert.deepEqual(
      result.events.filter((e) => e.reason === 'SuccessfulRescale').map((e) => e.message),
      ['New size: 2; reason: cpu resource utilization (percentage of request) above target'],
    );
  });

  it('TestEventNotCreated: no rescale event when the count stays', () => {
    const { result } = run(cases.find((c) => c.name === 'TestEventNotCreated')!);
    assert.deepEqual(result.events, []);
  });

  it('failing metric: error carries the controller message and the metric status is left empty', () => {
    const { out, result } = run(cases.find((c) => c.name === 'TestEmptyMetrics')!);
    assert.equal(
      out.error,
      'failed to compute desired number of replicas based on listed metrics for ReplicationController/test-namespace/test-rc: ' +
        'invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ' +
        'failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    );
    assert.deepEqual(out.currentMetrics, [{ type: '' }]);
    assert.deepEqual(
      result.events.map((e) => e.reason),
      ['FailedGetResourceMetric', 'FailedComputeMetricsReplicas'],
    );
  });

  it('one metric failing while another asks for a scale-up: scales, reports no error, keeps the failed status empty', () => {
    const { out } = run(cases.find((c) => c.name === 'TestScaleUpOneMetricEmpty')!);
    assert.equal(out.error, undefined);
    assert.deepEqual(out.currentMetrics[1], { type: '' });
    assert.equal(out.currentMetrics[0]?.resource?.current.averageValue, '400m');
  });

  it('behavior path stores the scale event; legacy path stores none', () => {
    const withBehavior = run(cases.find((c) => c.name === 'TestScaleDownWithScalingRules')!);
    assert.deepEqual(
      withBehavior.out.history.scaleDownEvents.map((e) => e.replicaChange),
      [2],
    );
    const legacy = run(cases.find((c) => c.name === 'TestScaleDown')!);
    assert.deepEqual(legacy.out.history.scaleDownEvents, []);
    assert.deepEqual(
      legacy.out.history.recommendations.map((x) => x.replicas),
      [3],
    );
  });

  it('history null records the initial recommendation before the proposal', () => {
    const { out } = run(cases.find((c) => c.name === 'TestScaleDownStabilizeInitialSize')!);
    assert.deepEqual(
      out.history.recommendations.map((x) => x.replicas),
      [5, 3],
    );
  });

  it('status quantities are Kubernetes quantity strings', () => {
    const pods = run(cases.find((c) => c.name === 'TestScaleUpCM')!).out;
    assert.deepEqual(pods.currentMetrics[0]?.pods?.current, { averageValue: '20' });
    const perPod = run(cases.find((c) => c.name === 'TestScaleUpPerPodCMObject')!).out;
    assert.deepEqual(perPod.currentMetrics[0]?.object?.current, { averageValue: '13334m' });
    const external = run(cases.find((c) => c.name === 'TestScaleUpCMExternal')!).out;
    assert.deepEqual(external.currentMetrics[0]?.external?.current, { value: '8600m' });
  });

  it('an empty behavior takes the behavior path with the API defaults (4 pods or 100 % per 15 s)', () => {
    const input = buildInput({
      name: 'defaults',
      min: 1,
      max: 100,
      spec: 10,
      status: 10,
      expected: 20,
      cpuTarget: 10,
      levels: Array.from({ length: 10 }, () => 1000),
      requests: r(10, '0.1'),
    });
    input.hpa.spec.behavior = {};
    const out = whatIfOutput(reconcileHpa(input));
    assert.equal(out.desiredReplicas, 20);
    assert.deepEqual(out.conditions.find((x) => x.type === 'ScalingLimited')?.reason, 'ScaleUpLimit');
    delete input.hpa.spec.behavior;
    assert.equal(
      whatIfOutput(reconcileHpa(input)).desiredReplicas,
      80,
      'legacy: max(8 × current, 4) with the test factor',
    );
  });

  it('per-direction configurable tolerance from behavior overrides config.tolerance', () => {
    const c: Case = {
      name: 'tolerance',
      min: 1,
      max: 10,
      spec: 3,
      status: 3,
      expected: 3,
      cpuTarget: 100,
      levels: [1080, 1080, 1080],
      requests: r(3),
    };
    assert.equal(whatIfOutput(reconcileHpa(buildInput(c))).desiredReplicas, 3);
    const input = buildInput(c);
    input.hpa.spec.behavior = { scaleUp: { tolerance: '0.05' } };
    assert.equal(whatIfOutput(reconcileHpa(input)).desiredReplicas, 4);
  });

  it('a failed scale write sets AbleToScale False/FailedUpdateScale (TestConditionFailedUpdateScale)', () => {
    const c: Case = {
      name: 'TestConditionFailedUpdateScale',
      min: 1,
      max: 5,
      spec: 3,
      status: 3,
      expected: 3,
      cpuTarget: 100,
      levels: [150, 150, 150],
      requests: r(3, '0.1'),
    };
    const result = reconcileHpa(buildInput(c), () => {
      throw new Error('something went wrong');
    });
    assert.deepEqual(
      result.status.conditions?.map((x) => [x.type, x.status, x.reason]),
      statusOkWith(['AbleToScale', 'False', 'FailedUpdateScale']),
    );
    assert.equal(result.scaleUpdated, false);
    assert.equal(result.status.desiredReplicas, 3);
    assert.match(
      result.error ?? '',
      /^failed to rescale ReplicationController\/test-namespace\/test-rc: something went wrong$/,
    );
  });
});
