/**
 * Kubernetes' own replica-calculator tables (pkg/controller/podautoscaler/replica_calculator_test.go:
 * TestReplicaCalc*, TestGroupPods, TestCalculateRequests) ported as data: the same fixtures, the same expectations.
 * The fixture builder mirrors the Go one: pods `test-pod-<i>` with containers container1/container2 that both carry
 * the request, per-container usage levels, a zero (year 1) metric timestamp and a one-minute window, and the test
 * timings (CPU initialization 2 min, readiness delay 10 s, tolerance 0.1).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricSource } from '../../simulator/autoscaling/hpa/metric-sources.js';
import {
  formatMilliBinary,
  formatMilliDecimal,
  maxInt32,
  maxInt64,
  milliValue,
} from '../../simulator/autoscaling/hpa/quantity.js';
import {
  calculateRequests,
  groupPods,
  perPodTotalReplicas,
  plainMetricReplicas,
  resourceReplicas,
  saturatedSum,
  type Tolerances,
  usageRatioReplicaCount,
} from '../../simulator/autoscaling/hpa/replica-calculator.js';
import type { MetricSamples, Pod } from '../../simulator/autoscaling/hpa/types.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const zeroTime = '0001-01-01T00:00:00Z';
const hot = iso(now);
const cool = iso(now - 3 * 60_000);
const timing = { cpuInitializationPeriodMs: 120_000, delayOfInitialReadinessStatusMs: 10_000, now };
const defaultTolerances: Tolerances = { scaleDown: 0.1, scaleUp: 0.1 };
const m = (milli: number | bigint) => `${milli}m`;

interface Fixture {
  currentReplicas: number;
  readiness?: Array<'True' | 'False'>;
  startTimes?: string[];
  phases?: string[];
  deleted?: boolean[];
  /** Per-pod CPU request, applied to both containers. */
  requests?: string[];
  /** levels[pod][container] in millicores. */
  levels?: number[][];
  podNames?: string[];
}

function buildPods(f: Fixture): Pod[] {
  const count = Math.max(f.currentReplicas, f.phases?.length ?? 0);
  return Array.from({ length: count }, (_, i) => {
    const request = f.requests && i < f.requests.length ? { requests: { cpu: f.requests[i]! } } : undefined;
    return {
      metadata: {
        name: `test-pod-${i}`,
        ...(f.deleted?.[i] ? { deletionTimestamp: iso(now) } : {}),
      },
      spec: {
        containers: [
          { name: 'container1', ...(request ? { resources: request } : {}) },
          { name: 'container2', ...(request ? { resources: request } : {}) },
        ],
      },
      status: {
        phase: f.phases?.[i] ?? 'Running',
        startTime: f.startTimes?.[i] ?? zeroTime,
        conditions: [{ type: 'Ready', status: f.readiness?.[i] ?? 'True' }],
      },
    };
  });
}

/** metrics.k8s.io as the fake client answers: two container slots per pod, unfilled slots have no usage. */
function resourceSamples(f: Fixture): MetricSamples {
  const resource: NonNullable<MetricSamples['resource']> = {};
  (f.levels ?? []).forEach((levels, i) => {
    const containers: Record<string, Record<string, string>> = {};
    for (let j = 0; j < 2; j++) {
      const level = levels[j];
      if (level === undefined) containers[''] = {};
      else containers[`container${j + 1}`] = { cpu: m(level) };
    }
    resource[f.podNames?.[i] ?? `test-pod-${i}`] = containers;
  });
  return { timestamp: zeroTime, windowSeconds: 60, resource };
}

const perPod = (...levels: number[]) => levels.map((l) => [l, l]);
const requests = (n: number, value = '1.0') => Array.from({ length: n }, () => value);

interface ResourceCase {
  name: string;
  fixture: Fixture;
  container?: string;
  targetUtilization: number;
  tolerances?: Tolerances;
  expected: { replicas: number; utilization: number; rawValue: number } | { error: string };
}

function runResourceCase(c: ResourceCase) {
  const pods = buildPods(c.fixture);
  const source = new MetricSource(resourceSamples(c.fixture));
  const run = () => {
    let metrics: ReturnType<MetricSource['resource']>;
    try {
      metrics = source.resource('cpu', c.container ?? '');
    } catch (e) {
      throw new Error(`unable to get metrics for resource cpu: ${(e as Error).message}`);
    }
    return resourceReplicas({
      currentReplicas: c.fixture.currentReplicas,
      pods,
      metrics,
      resource: 'cpu',
      tolerances: c.tolerances ?? defaultTolerances,
      timing,
      container: c.container ?? '',
      targetUtilization: c.targetUtilization,
    });
  };
  if ('error' in c.expected) {
    assert.throws(run, (e: Error) => e.message.includes((c.expected as { error: string }).error));
    return;
  }
  const got = run();
  assert.deepEqual(
    { replicas: got.replicas, utilization: got.utilization, rawValue: Number(got.rawAverage) },
    c.expected,
  );
}

const resourceScaleCases: ResourceCase[] = [
  {
    name: 'scale up',
    fixture: { currentReplicas: 3, requests: requests(3), levels: perPod(300, 500, 700) },
    targetUtilization: 30,
    expected: { replicas: 5, utilization: 50, rawValue: 2 * 500 },
  },
  {
    name: 'scale up: container metric',
    fixture: {
      currentReplicas: 3,
      requests: requests(3),
      levels: [
        [1000, 300],
        [1000, 500],
        [1000, 700],
      ],
    },
    container: 'container2',
    targetUtilization: 30,
    expected: { replicas: 5, utilization: 50, rawValue: 500 },
  },
  {
    name: 'scale up: unready pod scales less',
    fixture: {
      currentReplicas: 3,
      readiness: ['False', 'True', 'True'],
      requests: requests(3),
      levels: perPod(300, 500, 700),
    },
    targetUtilization: 30,
    expected: { replicas: 4, utilization: 60, rawValue: 2 * 600 },
  },
  {
    name: 'scale up: hot-CPU container scales less',
    fixture: {
      currentReplicas: 3,
      startTimes: [hot, cool, cool],
      requests: requests(3),
      levels: [
        [0, 300],
        [0, 500],
        [0, 700],
      ],
    },
    container: 'container2',
    targetUtilization: 30,
    expected: { replicas: 4, utilization: 60, rawValue: 600 },
  },
  {
    name: 'scale up: hot-CPU pod scales less',
    fixture: {
      currentReplicas: 3,
      startTimes: [hot, cool, cool],
      requests: requests(3),
      levels: perPod(300, 500, 700),
    },
    targetUtilization: 30,
    expected: { replicas: 4, utilization: 60, rawValue: 2 * 600 },
  },
  {
    name: 'no scale: unready pods ignored',
    fixture: {
      currentReplicas: 3,
      readiness: ['True', 'False', 'False'],
      requests: requests(3),
      levels: perPod(400, 500, 700),
    },
    targetUtilization: 30,
    expected: { replicas: 3, utilization: 40, rawValue: 2 * 400 },
  },
  {
    name: 'no scale: hot-CPU pods ignored',
    fixture: {
      currentReplicas: 3,
      readiness: ['True', 'False', 'False'],
      startTimes: [cool, hot, hot],
      requests: requests(3),
      levels: perPod(400, 500, 700),
    },
    targetUtilization: 30,
    expected: { replicas: 3, utilization: 40, rawValue: 2 * 400 },
  },
  {
    name: 'scale up: failed pods ignored',
    fixture: {
      currentReplicas: 2,
      readiness: ['True', 'True', 'False', 'False'],
      phases: ['Running', 'Running', 'Failed', 'Failed'],
      requests: requests(4),
      levels: perPod(500, 700),
    },
    targetUtilization: 30,
    expected: { replicas: 4, utilization: 60, rawValue: 2 * 600 },
  },
  {
    name: 'scale up: failed pods ignored with missing container metric',
    fixture: {
      currentReplicas: 2,
      readiness: ['True', 'True', 'False', 'False'],
      phases: ['Running', 'Running', 'Failed', 'Failed'],
      requests: requests(4),
      levels: [[1000, 500], [9000, 700], [1000], [9000]],
    },
    container: 'container2',
    targetUtilization: 30,
    expected: { replicas: 4, utilization: 60, rawValue: 600 },
  },
  {
    name: 'scale up: pods being deleted are ignored',
    fixture: {
      currentReplicas: 2,
      readiness: ['True', 'True', 'False', 'False'],
      phases: ['Running', 'Running', 'Running', 'Running'],
      deleted: [false, false, true, true],
      requests: requests(4),
      levels: perPod(500, 700),
    },
    targetUtilization: 30,
    expected: { replicas: 4, utilization: 60, rawValue: 2 * 600 },
  },
  {
    name: 'scale down',
    fixture: { currentReplicas: 5, requests: requests(5), levels: perPod(100, 300, 500, 250, 250) },
    targetUtilization: 50,
    expected: { replicas: 3, utilization: 28, rawValue: 2 * 280 },
  },
  {
    name: 'scale down: container metric',
    fixture: {
      currentReplicas: 5,
      requests: requests(5),
      levels: [
        [1000, 100],
        [1000, 300],
        [1000, 500],
        [1000, 250],
        [1000, 250],
      ],
    },
    container: 'container2',
    targetUtilization: 50,
    expected: { replicas: 3, utilization: 28, rawValue: 280 },
  },
  {
    name: 'scale down: exclude unready pods',
    fixture: {
      currentReplicas: 5,
      readiness: ['True', 'True', 'True', 'False', 'False'],
      requests: requests(5),
      levels: perPod(100, 300, 500, 250, 250),
    },
    targetUtilization: 50,
    expected: { replicas: 2, utilization: 30, rawValue: 2 * 300 },
  },
  {
    name: 'scale down: exclude unscheduled pods',
    fixture: {
      currentReplicas: 5,
      readiness: ['True', 'False', 'False', 'False', 'False'],
      phases: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'],
      requests: requests(5),
      levels: perPod(100),
    },
    targetUtilization: 50,
    expected: { replicas: 1, utilization: 10, rawValue: 2 * 100 },
  },
  {
    name: 'scale down: container metric excludes unscheduled pods',
    fixture: {
      currentReplicas: 5,
      readiness: ['True', 'False', 'False', 'False', 'False'],
      phases: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'],
      requests: requests(5),
      levels: [
        [1000, 100],
        [1000, 300],
        [1000, 500],
        [1000, 250],
        [1000, 250],
      ],
    },
    container: 'container2',
    targetUtilization: 50,
    expected: { replicas: 1, utilization: 10, rawValue: 100 },
  },
  {
    name: 'scale down: ignore hot-CPU pods',
    fixture: {
      currentReplicas: 5,
      startTimes: [cool, cool, cool, hot, hot],
      requests: requests(5),
      levels: perPod(100, 300, 500, 250, 250),
    },
    targetUtilization: 50,
    expected: { replicas: 2, utilization: 30, rawValue: 2 * 300 },
  },
  {
    name: 'scale down: container metric ignores hot-CPU pods',
    fixture: {
      currentReplicas: 5,
      startTimes: [cool, cool, cool, hot, hot],
      requests: requests(5),
      levels: [
        [1000, 100],
        [1000, 300],
        [1000, 500],
        [1000, 1000],
        [1000, 1000],
      ],
    },
    container: 'container2',
    targetUtilization: 50,
    expected: { replicas: 2, utilization: 30, rawValue: 300 },
  },
  {
    name: 'scale down: failed pods ignored',
    fixture: {
      currentReplicas: 5,
      readiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'],
      phases: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'],
      requests: requests(7),
      levels: perPod(100, 300, 500, 250, 250),
    },
    targetUtilization: 50,
    expected: { replicas: 3, utilization: 28, rawValue: 2 * 280 },
  },
  {
    name: 'scale down: still-running pods being deleted are ignored',
    fixture: {
      currentReplicas: 5,
      readiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'],
      phases: ['Running', 'Running', 'Running', 'Running', 'Running', 'Running', 'Running'],
      deleted: [false, false, false, false, false, true, true],
      requests: requests(7),
      levels: [
        [1000, 100],
        [1000, 300],
        [1000, 500],
        [1000, 250],
        [1000, 250],
      ],
    },
    container: 'container2',
    targetUtilization: 50,
    expected: { replicas: 3, utilization: 28, rawValue: 280 },
  },
];

const mixedRequests = ['0.9', '1.0', '1.1'];
const toleranceCases: ResourceCase[] = [
  {
    name: 'within default tolerance',
    fixture: { currentReplicas: 3, requests: mixedRequests, levels: perPod(1010, 1030, 1020) },
    targetUtilization: 100,
    expected: { replicas: 3, utilization: 102, rawValue: 2 * 1020 },
  },
  {
    name: 'outside 0% tolerance',
    tolerances: { scaleDown: 0, scaleUp: 0 },
    fixture: { currentReplicas: 3, requests: mixedRequests, levels: perPod(909, 1010, 1111) },
    targetUtilization: 100,
    expected: { replicas: 4, utilization: 101, rawValue: 2 * 1010 },
  },
  {
    name: 'within 200% scale-up tolerance',
    tolerances: { scaleDown: 0.1, scaleUp: 2 },
    fixture: { currentReplicas: 3, requests: mixedRequests, levels: perPod(1890, 1910, 1900) },
    targetUtilization: 100,
    expected: { replicas: 3, utilization: 190, rawValue: 2 * 1900 },
  },
  {
    name: 'outside 8% scale-up tolerance (superfluous scale-down tolerance)',
    tolerances: { scaleDown: 2, scaleUp: 0.08 },
    fixture: { currentReplicas: 3, requests: mixedRequests, levels: perPod(1100, 1080, 1090) },
    targetUtilization: 100,
    expected: { replicas: 4, utilization: 109, rawValue: 2 * 1090 },
  },
  {
    name: 'within 36% scale-down tolerance',
    tolerances: { scaleDown: 0.36, scaleUp: 0.1 },
    fixture: { currentReplicas: 3, requests: mixedRequests, levels: perPod(660, 640, 650) },
    targetUtilization: 100,
    expected: { replicas: 3, utilization: 65, rawValue: 2 * 650 },
  },
  {
    name: 'outside 34% scale-down tolerance',
    tolerances: { scaleDown: 0.34, scaleUp: 0.1 },
    fixture: { currentReplicas: 3, requests: mixedRequests, levels: perPod(660, 640, 650) },
    targetUtilization: 100,
    expected: { replicas: 2, utilization: 65, rawValue: 2 * 650 },
  },
];

const missingMetricsCases: ResourceCase[] = [
  {
    name: 'superfluous metrics counted',
    fixture: {
      currentReplicas: 4,
      requests: requests(4),
      levels: perPod(4000, 9500, 3000, 7000, 3200, 2000),
    },
    targetUtilization: 100,
    expected: { replicas: 24, utilization: 587, rawValue: 2 * 5875 },
  },
  {
    name: 'some pods missing metrics scales down',
    fixture: { currentReplicas: 4, requests: requests(4), levels: perPod(400, 95) },
    targetUtilization: 100,
    expected: { replicas: 3, utilization: 24, rawValue: 495 },
  },
  {
    name: 'no change: metric equal to target',
    fixture: { currentReplicas: 2, requests: requests(2), levels: perPod(1000) },
    targetUtilization: 100,
    expected: { replicas: 2, utilization: 100, rawValue: 2 * 1000 },
  },
  {
    name: 'no change: metric above target',
    fixture: { currentReplicas: 2, requests: requests(2), levels: perPod(1900) },
    targetUtilization: 100,
    expected: { replicas: 2, utilization: 190, rawValue: 2 * 1900 },
  },
  {
    name: 'no change: metric below target',
    fixture: { currentReplicas: 2, requests: requests(2), levels: perPod(600) },
    targetUtilization: 100,
    expected: { replicas: 2, utilization: 60, rawValue: 2 * 600 },
  },
  {
    name: 'no change: unready pod metric missing',
    fixture: {
      currentReplicas: 3,
      readiness: ['False', 'True', 'True'],
      requests: requests(3),
      levels: perPod(100, 450),
    },
    targetUtilization: 50,
    expected: { replicas: 3, utilization: 45, rawValue: 2 * 450 },
  },
  {
    name: 'no change: hot-CPU pod metric missing',
    fixture: {
      currentReplicas: 3,
      startTimes: [hot, cool, cool],
      requests: requests(3),
      levels: perPod(100, 450),
    },
    targetUtilization: 50,
    expected: { replicas: 3, utilization: 45, rawValue: 2 * 450 },
  },
  {
    name: 'scale up: unready pod metric missing',
    fixture: {
      currentReplicas: 3,
      readiness: ['False', 'True', 'True'],
      requests: requests(3),
      levels: perPod(100, 2000),
    },
    targetUtilization: 50,
    expected: { replicas: 4, utilization: 200, rawValue: 2 * 2000 },
  },
  {
    name: 'scale up: hot-CPU pod metric missing',
    fixture: {
      currentReplicas: 3,
      readiness: ['False', 'True', 'True'],
      startTimes: [hot, cool, cool],
      requests: requests(3),
      levels: perPod(100, 2000),
    },
    targetUtilization: 50,
    expected: { replicas: 4, utilization: 200, rawValue: 2 * 2000 },
  },
  {
    name: 'scale down: unready pod metric missing',
    fixture: {
      currentReplicas: 4,
      readiness: ['False', 'True', 'True', 'True'],
      requests: requests(4),
      levels: perPod(100, 100, 100),
    },
    targetUtilization: 50,
    expected: { replicas: 3, utilization: 10, rawValue: 2 * 100 },
  },
  {
    name: 'scale down: target over 100 (missing pods count at the target, 1.34-as-specified)',
    fixture: {
      currentReplicas: 4,
      readiness: ['False', 'True', 'True', 'True'],
      requests: ['1.0', '1.0', '2.0', '2.0'],
      levels: perPod(200, 100, 100),
    },
    targetUtilization: 300,
    expected: { replicas: 2, utilization: 6, rawValue: 2 * 100 },
  },
  {
    name: 'rolling update with maxSurge: extra pod missing metric',
    fixture: {
      currentReplicas: 2,
      phases: ['Running', 'Running', 'Running'],
      requests: requests(3),
      levels: perPod(100, 100),
    },
    targetUtilization: 50,
    expected: { replicas: 2, utilization: 10, rawValue: 2 * 100 },
  },
  {
    name: 'disjoint pod and metric names',
    fixture: {
      currentReplicas: 1,
      requests: requests(1),
      levels: perPod(100),
      podNames: ['an-older-pod-name'],
    },
    targetUtilization: 100,
    expected: { error: 'no metrics returned matched known pods' },
  },
  {
    name: 'no metrics returned from metrics API',
    fixture: { currentReplicas: 4, requests: requests(3), levels: [] },
    targetUtilization: 100,
    expected: {
      error: 'unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    },
  },
  {
    name: 'missing CPU request on container',
    fixture: { currentReplicas: 1, requests: [], levels: perPod(200) },
    targetUtilization: 100,
    expected: { error: 'missing request for' },
  },
];

describe('TestReplicaCalcResourceScale', () => {
  for (const c of resourceScaleCases) it(c.name, () => runResourceCase(c));
});

describe('TestReplicaCalcResourceTolerance', () => {
  for (const c of toleranceCases) it(c.name, () => runResourceCase(c));
});

describe('TestReplicaCalcResourceMissingMetrics', () => {
  for (const c of missingMetricsCases) it(c.name, () => runResourceCase(c));
});

describe('TestReplicaCalcComputedToleranceAlgImplementation', () => {
  // 10 pods using 150m each against requests of ~300m (50 %), with a target just outside / inside tolerance.
  const perPodRequested = 300;
  const offsets = [100, -100, 10, -10, 2, -2, 1, -1, 0, 0];
  const fixture: Fixture = {
    currentReplicas: 10,
    requests: offsets.map((o) => m(perPodRequested + o)),
    levels: perPod(...offsets.map(() => 150)),
  };
  it('scales down once the ratio leaves the tolerance', () => {
    const target = Math.trunc((1 / (2 * 0.9) + 0.01) * 100);
    const expectedPods = Math.ceil((1500 / (3000 * (1 / (2 * 0.9) + 0.01))) * 10);
    runResourceCase({
      name: 'breach',
      fixture,
      targetUtilization: target,
      expected: { replicas: expectedPods, utilization: 50, rawValue: 2 * 150 },
    });
  });
  it('keeps the count within a very close margin to the tolerance', () => {
    const target = Math.trunc((1 / (2 * 0.9) + 0.004) * 100);
    runResourceCase({
      name: 'margin',
      fixture,
      targetUtilization: target,
      expected: { replicas: 10, utilization: 50, rawValue: 2 * 150 },
    });
  });
});

interface PlainCase {
  name: string;
  fixture: Fixture;
  levels: Array<number | bigint>;
  target: number | bigint;
  tolerances?: Tolerances;
  expected: { replicas: number; usage: number | bigint };
}

function podMetricSamples(levels: Array<number | bigint>): MetricSamples {
  return {
    timestamp: zeroTime,
    windowSeconds: 60,
    pods: { qps: Object.fromEntries(levels.map((l, i) => [`test-pod-${i}`, m(l)])) },
    object: { qps: m(levels[0] ?? 0) },
    external: { qps: levels.map((l) => m(l)) },
  };
}

describe('TestReplicaCalcPodMetric', () => {
  const cases: PlainCase[] = [
    {
      name: 'scale up',
      fixture: { currentReplicas: 3 },
      levels: [20000, 10000, 30000],
      target: 15000,
      expected: { replicas: 4, usage: 20000 },
    },
    {
      name: 'scale up: unready hot-CPU pod scales less',
      fixture: { currentReplicas: 3, readiness: ['True', 'True', 'False'], startTimes: [cool, cool, hot] },
      levels: [50000, 10000, 30000],
      target: 15000,
      expected: { replicas: 6, usage: 30000 },
    },
    {
      name: 'scale up: unready hot-CPU pods avoid scale-down',
      fixture: { currentReplicas: 3, readiness: ['False', 'True', 'False'], startTimes: [hot, cool, hot] },
      levels: [50000, 15000, 30000],
      target: 15000,
      expected: { replicas: 7, usage: 31666 },
    },
    {
      name: 'scale down',
      fixture: { currentReplicas: 5 },
      levels: [12000, 12000, 12000, 12000, 12000],
      target: 20000,
      expected: { replicas: 3, usage: 12000 },
    },
    {
      name: 'within default tolerance',
      fixture: { currentReplicas: 3 },
      levels: [20000, 21000, 21000],
      target: 20000,
      expected: { replicas: 3, usage: 20666 },
    },
    {
      name: 'outside configurable 1% tolerance',
      tolerances: { scaleDown: 0.1, scaleUp: 0.01 },
      fixture: { currentReplicas: 3 },
      levels: [20000, 21000, 21000],
      target: 20000,
      expected: { replicas: 4, usage: 20666 },
    },
    {
      name: 'no change: missing metrics',
      fixture: { currentReplicas: 5 },
      levels: [20000, 19000, 21000],
      target: 20000,
      expected: { replicas: 5, usage: 20000 },
    },
    {
      name: 'rolling update with maxSurge: extra pod missing metric',
      fixture: { currentReplicas: 2, phases: ['Running', 'Running', 'Running'] },
      levels: [10000, 10000],
      target: 17000,
      expected: { replicas: 2, usage: 10000 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = plainMetricReplicas({
        currentReplicas: c.fixture.currentReplicas,
        pods: buildPods(c.fixture),
        metrics: new MetricSource(podMetricSamples(c.levels)).pods('qps'),
        resource: '',
        tolerances: c.tolerances ?? defaultTolerances,
        timing,
        targetUsage: BigInt(c.target),
      });
      assert.deepEqual(
        { replicas: got.replicas, usage: got.usage },
        { ...c.expected, usage: BigInt(c.expected.usage) },
      );
    });
  }
});

describe('TestReplicaCalcObjectMetric', () => {
  const cases: PlainCase[] = [
    {
      name: 'scale up',
      fixture: { currentReplicas: 3 },
      levels: [20000],
      target: 15000,
      expected: { replicas: 4, usage: 20000 },
    },
    {
      name: 'scale up: very large metric saturates replicas to MaxInt32',
      fixture: { currentReplicas: 3 },
      levels: [maxInt64],
      target: 1,
      expected: { replicas: maxInt32, usage: maxInt64 },
    },
    {
      name: 'scale up: ignores unready pods',
      fixture: { currentReplicas: 3, readiness: ['False', 'True', 'False'] },
      levels: [50000],
      target: 10000,
      expected: { replicas: 5, usage: 50000 },
    },
    {
      name: 'scale down',
      fixture: { currentReplicas: 5 },
      levels: [12000],
      target: 20000,
      expected: { replicas: 3, usage: 12000 },
    },
    {
      name: 'within default tolerance',
      fixture: { currentReplicas: 3 },
      levels: [20666],
      target: 20000,
      expected: { replicas: 3, usage: 20666 },
    },
    {
      name: 'outside configurable 1% tolerance',
      tolerances: { scaleDown: 0.1, scaleUp: 0.01 },
      fixture: { currentReplicas: 3 },
      levels: [20666],
      target: 20000,
      expected: { replicas: 4, usage: 20666 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const usage = new MetricSource(podMetricSamples(c.levels)).object(
        'qps',
        'Deployment',
        'some-deployment',
      );
      const replicas = usageRatioReplicaCount(
        c.fixture.currentReplicas,
        Number(usage) / Number(c.target),
        c.tolerances ?? defaultTolerances,
        buildPods(c.fixture),
      );
      assert.deepEqual({ replicas, usage }, { ...c.expected, usage: BigInt(c.expected.usage) });
    });
  }
});

describe('TestReplicaCalcObjectPerPodMetric and TestReplicaCalcExternalPerPodMetric', () => {
  const cases: PlainCase[] = [
    {
      name: 'object: scale up',
      fixture: { currentReplicas: 3 },
      levels: [20000],
      target: 5000,
      expected: { replicas: 4, usage: 6667 },
    },
    {
      name: 'object: scale down',
      fixture: { currentReplicas: 5 },
      levels: [6000],
      target: 2000,
      expected: { replicas: 3, usage: 1200 },
    },
    {
      name: 'object: within default tolerance',
      fixture: { currentReplicas: 4 },
      levels: [20166],
      target: 5000,
      expected: { replicas: 4, usage: 5042 },
    },
    {
      name: 'object: outside configurable 1% tolerance',
      tolerances: { scaleDown: 0.1, scaleUp: 0.01 },
      fixture: { currentReplicas: 4 },
      levels: [20208],
      target: 5000,
      expected: { replicas: 5, usage: 5052 },
    },
    {
      name: 'external: replica count overflow saturates to MaxInt32',
      fixture: { currentReplicas: 1 },
      levels: [maxInt64],
      target: 1,
      expected: { replicas: maxInt32, usage: maxInt64 },
    },
    {
      name: 'external: usage overflow with huge target leaves replicas unchanged',
      fixture: { currentReplicas: 1 },
      levels: [maxInt64],
      target: maxInt64,
      expected: { replicas: 1, usage: maxInt64 },
    },
    {
      name: 'external: scale up',
      fixture: { currentReplicas: 3 },
      levels: [8600],
      target: 2150,
      expected: { replicas: 4, usage: 2867 },
    },
    {
      name: 'external: scale down',
      fixture: { currentReplicas: 5 },
      levels: [8600],
      target: 2867,
      expected: { replicas: 3, usage: 1720 },
    },
    {
      name: 'external: within default tolerance',
      fixture: { currentReplicas: 3 },
      levels: [8600],
      target: 2900,
      expected: { replicas: 3, usage: 2867 },
    },
    {
      name: 'external: outside configurable 1% tolerance',
      tolerances: { scaleDown: 0.1, scaleUp: 0.01 },
      fixture: { currentReplicas: 3 },
      levels: [8600],
      target: 2800,
      expected: { replicas: 4, usage: 2867 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const source = new MetricSource(podMetricSamples(c.levels));
      const total = c.name.startsWith('object')
        ? source.object('qps', 'Deployment', 'some-deployment')
        : saturatedSum(source.external('qps'));
      const got = perPodTotalReplicas(
        c.fixture.currentReplicas,
        total,
        BigInt(c.target),
        c.tolerances ?? defaultTolerances,
      );
      assert.deepEqual(got, { replicas: c.expected.replicas, usage: BigInt(c.expected.usage) });
    });
  }
});

describe('TestReplicaCalcExternalMetric', () => {
  const cases: PlainCase[] = [
    {
      name: 'scale down: ignores unready pods (would otherwise scale up)',
      fixture: { currentReplicas: 3, readiness: ['False', 'True', 'False'] },
      levels: [8600],
      target: 4400,
      expected: { replicas: 2, usage: 8600 },
    },
    {
      name: 'scale down',
      fixture: { currentReplicas: 5 },
      levels: [8600],
      target: 14334,
      expected: { replicas: 3, usage: 8600 },
    },
    {
      name: 'within default tolerance',
      fixture: { currentReplicas: 3 },
      levels: [8600],
      target: 8888,
      expected: { replicas: 3, usage: 8600 },
    },
    {
      name: 'outside configurable 1% tolerance',
      tolerances: { scaleDown: 0.1, scaleUp: 0.01 },
      fixture: { currentReplicas: 3 },
      levels: [8900],
      target: 8800,
      expected: { replicas: 4, usage: 8900 },
    },
    {
      name: 'usage overflow caps at MaxInt64',
      fixture: { currentReplicas: 3 },
      levels: [maxInt64 / 2n + 1n, maxInt64 / 2n + 1n],
      target: maxInt64,
      expected: { replicas: 3, usage: maxInt64 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const usage = saturatedSum(new MetricSource(podMetricSamples(c.levels)).external('qps'));
      const replicas = usageRatioReplicaCount(
        c.fixture.currentReplicas,
        Number(usage) / Number(c.target),
        c.tolerances ?? defaultTolerances,
        buildPods(c.fixture),
      );
      assert.deepEqual(
        { replicas, usage },
        { replicas: c.expected.replicas, usage: BigInt(c.expected.usage) },
      );
    });
  }
});

describe('TestGroupPods', () => {
  const sample = (timestamp = 0, windowMs = 0) => ({ value: 1n, timestamp, windowMs });
  const pod = (name: string, status: Pod['status'], deletionTimestamp?: string): Pod => ({
    metadata: { name, ...(deletionTimestamp ? { deletionTimestamp } : {}) },
    status,
  });
  const ago = (ms: number) => iso(now - ms);
  const cases: Array<{
    name: string;
    pods: Pod[];
    metrics: Array<[string, ReturnType<typeof sample>]>;
    resource: string;
    ready: number;
    unready: string[];
    missing: string[];
    ignored: string[];
  }> = [
    { name: 'void', pods: [], metrics: [], resource: 'cpu', ready: 0, unready: [], missing: [], ignored: [] },
    {
      name: 'count in a ready pod - memory',
      pods: [pod('bentham', { phase: 'Succeeded' })],
      metrics: [['bentham', sample(now, 60_000)]],
      resource: 'memory',
      ready: 1,
      unready: [],
      missing: [],
      ignored: [],
    },
    {
      name: 'unready a pod without ready condition - CPU',
      pods: [pod('lucretius', { phase: 'Succeeded', startTime: iso(now) })],
      metrics: [['lucretius', sample()]],
      resource: 'cpu',
      ready: 0,
      unready: ['lucretius'],
      missing: [],
      ignored: [],
    },
    {
      name: 'count in a ready pod with fresh metrics during initialization period - CPU',
      pods: [
        pod('bentham', {
          phase: 'Succeeded',
          startTime: ago(60_000),
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ago(30_000) }],
        }),
      ],
      metrics: [['bentham', sample(now, 30_000)]],
      resource: 'cpu',
      ready: 1,
      unready: [],
      missing: [],
      ignored: [],
    },
    {
      name: 'unready a ready pod without fresh metrics during initialization period - CPU',
      pods: [
        pod('bentham', {
          phase: 'Succeeded',
          startTime: ago(60_000),
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ago(30_000) }],
        }),
      ],
      metrics: [['bentham', sample(now, 60_000)]],
      resource: 'cpu',
      ready: 0,
      unready: ['bentham'],
      missing: [],
      ignored: [],
    },
    {
      name: 'unready an unready pod during initialization period - CPU',
      pods: [
        pod('lucretius', {
          phase: 'Succeeded',
          startTime: ago(600_000),
          conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: ago(594_000) }],
        }),
      ],
      metrics: [['lucretius', sample()]],
      resource: 'cpu',
      ready: 0,
      unready: ['lucretius'],
      missing: [],
      ignored: [],
    },
    {
      name: 'count in a ready pod without fresh metrics after initialization period - CPU',
      pods: [
        pod('bentham', {
          phase: 'Succeeded',
          startTime: ago(180_000),
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ago(180_000) }],
        }),
      ],
      metrics: [['bentham', sample(now - 120_000, 60_000)]],
      resource: 'cpu',
      ready: 1,
      unready: [],
      missing: [],
      ignored: [],
    },
    {
      name: 'count in an unready pod that was ready after initialization period - CPU',
      pods: [
        pod('lucretius', {
          phase: 'Succeeded',
          startTime: ago(600_000),
          conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: ago(540_000) }],
        }),
      ],
      metrics: [['lucretius', sample()]],
      resource: 'cpu',
      ready: 1,
      unready: [],
      missing: [],
      ignored: [],
    },
    {
      name: 'unready pod that has never been ready after initialization period - CPU',
      pods: [
        pod('lucretius', {
          phase: 'Succeeded',
          startTime: ago(600_000),
          conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: ago(590_000) }],
        }),
      ],
      metrics: [['lucretius', sample()]],
      resource: 'cpu',
      ready: 1,
      unready: [],
      missing: [],
      ignored: [],
    },
    {
      name: 'a missing pod',
      pods: [pod('epicurus', { phase: 'Succeeded', startTime: ago(180_000) })],
      metrics: [],
      resource: 'cpu',
      ready: 0,
      unready: [],
      missing: ['epicurus'],
      ignored: [],
    },
    {
      name: 'several pods',
      pods: [
        pod('lucretius', { phase: 'Succeeded', startTime: iso(now) }),
        pod('niccolo', {
          phase: 'Succeeded',
          startTime: ago(180_000),
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ago(180_000) }],
        }),
        pod('epicurus', { phase: 'Succeeded', startTime: ago(180_000) }),
      ],
      metrics: [
        ['lucretius', sample()],
        ['niccolo', sample()],
      ],
      resource: 'cpu',
      ready: 1,
      unready: ['lucretius'],
      missing: ['epicurus'],
      ignored: [],
    },
    {
      name: 'pending pods are unreadied',
      pods: [pod('unscheduled', { phase: 'Pending' })],
      metrics: [],
      resource: 'cpu',
      ready: 0,
      unready: ['unscheduled'],
      missing: [],
      ignored: [],
    },
    {
      name: 'ignore pods with deletion timestamps',
      pods: [pod('deleted', { phase: 'Pending' }, iso(1000))],
      metrics: [['deleted', sample()]],
      resource: 'cpu',
      ready: 0,
      unready: [],
      missing: [],
      ignored: ['deleted'],
    },
    {
      name: 'ignore pods in a failed state',
      pods: [pod('failed', { phase: 'Failed' })],
      metrics: [['failed', sample()]],
      resource: 'cpu',
      ready: 0,
      unready: [],
      missing: [],
      ignored: ['failed'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = groupPods(c.pods, new Map(c.metrics), c.resource, timing);
      assert.deepEqual(
        {
          ready: got.readyPodCount,
          unready: [...got.unready],
          missing: [...got.missing],
          ignored: [...got.ignored],
        },
        { ready: c.ready, unready: c.unready, missing: c.missing, ignored: c.ignored },
      );
    });
  }
});

describe('TestCalculateRequests', () => {
  const container = (name: string, cpu?: string, restartPolicy?: string) => ({
    name,
    ...(restartPolicy ? { restartPolicy } : {}),
    ...(cpu ? { resources: { requests: { cpu } } } : {}),
  });
  const cases: Array<{ name: string; pod: Pod; container: string; expected: number | string }> = [
    {
      name: 'sum container requests',
      pod: {
        metadata: { name: 'test-pod' },
        spec: { containers: [container('container1', '100m'), container('container2', '50m')] },
      },
      container: '',
      expected: 150,
    },
    {
      name: 'pod-level requests override container requests',
      pod: {
        metadata: { name: 'test-pod' },
        spec: {
          resources: { requests: { cpu: '800m' } },
          containers: [container('container1', '100m'), container('container2', '50m')],
        },
      },
      container: '',
      expected: 800,
    },
    {
      name: 'fail if one container is missing requests and pod-level requests are not set',
      pod: {
        metadata: { name: 'test-pod' },
        spec: { containers: [container('container1'), container('container2', '50m')] },
      },
      container: '',
      expected: 'missing request for cpu in container container1 of Pod test-pod',
    },
    {
      name: 'pod-level requests override missing container requests',
      pod: {
        metadata: { name: 'test-pod' },
        spec: {
          resources: { requests: { cpu: '800m' } },
          containers: [container('container1'), container('container2', '50m')],
        },
      },
      container: '',
      expected: 800,
    },
    {
      name: 'container: only that container',
      pod: {
        metadata: { name: 'test-pod' },
        spec: { containers: [container('container1', '100m'), container('container2', '50m')] },
      },
      container: 'container1',
      expected: 100,
    },
    {
      name: 'container: ignores pod-level requests',
      pod: {
        metadata: { name: 'test-pod' },
        spec: {
          resources: { requests: { cpu: '800m' } },
          containers: [container('container1', '100m'), container('container2', '50m')],
        },
      },
      container: 'container1',
      expected: 100,
    },
    {
      name: 'pod with restartable init containers',
      pod: {
        metadata: { name: 'test-pod' },
        spec: {
          containers: [container('container1', '100m')],
          initContainers: [
            container('init-container1', '20m'),
            container('restartable-container1', '50m', 'Always'),
          ],
        },
      },
      container: '',
      expected: 150,
    },
    {
      name: 'non-existent container',
      pod: { metadata: { name: 'test-pod' }, spec: { containers: [container('container1', '100m')] } },
      container: 'non-existent-container',
      expected: 'container non-existent-container not found in Pod test-pod',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (typeof c.expected === 'string') {
        assert.throws(() => calculateRequests([c.pod], c.container, 'cpu'), { message: c.expected });
      } else {
        assert.deepEqual(
          calculateRequests([c.pod], c.container, 'cpu'),
          new Map([['test-pod', BigInt(c.expected)]]),
        );
      }
    });
  }
});

describe('quantities', () => {
  it('milliValue rounds up to whole milli-units as Quantity.MilliValue does', () => {
    assert.equal(milliValue('1.0'), 1000n);
    assert.equal(milliValue('0.0001'), 1n);
    assert.equal(milliValue('1Ki'), 1024000n);
    assert.equal(milliValue('1e3'), 1000000n);
    assert.equal(milliValue('250n'), 1n);
    assert.equal(milliValue('2k'), 2000000n);
    assert.equal(milliValue(15), 15000n);
  });
  it('formats as NewMilliQuantity(..., DecimalSI / BinarySI).String()', () => {
    assert.deepEqual([0n, 500n, 1500n, 2000n, 20_000_000n, 6667n].map(formatMilliDecimal), [
      '0',
      '500m',
      '1500m',
      '2',
      '20k',
      '6667m',
    ]);
    assert.deepEqual([524_288_000n, 1_500n].map(formatMilliBinary), ['512Ki', '1500m']);
  });
});
