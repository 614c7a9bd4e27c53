/**
 * Kubernetes' normalization tables from horizontal_test.go ported as data: TestScalingWithRules (policy rate limits
 * with recorded scale events), TestNormalizeDesiredReplicasWithBehavior (stabilization windows and the stored
 * recommendations), TestNormalizeDesiredReplicas (legacy window), TestConvertDesiredReplicasWithRules (legacy
 * min/max and scale-up cap with the tests' factor 8), TestStoreScaleEvents and the limit calculations.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  changeInPeriod,
  convertWithBehaviorRate,
  convertWithRules,
  effectiveBehavior,
  scaleDownLimit,
  scaleUpLimit,
  stabilizeLegacy,
  stabilizeWithBehavior,
  storeScaleEvent,
} from '../../simulator/autoscaling/hpa/normalize.js';
import type { History, ScaleEvent, ScalingRules } from '../../simulator/autoscaling/hpa/types.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();
const emptyHistory = (): History => ({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });

/** generateScalingRules(pods, podsPeriod, percent, percentPeriod, stabilizationWindow) */
function rules(
  pods: number,
  podsPeriod: number,
  percent: number,
  percentPeriod: number,
  window: number,
): ScalingRules {
  const policies: NonNullable<ScalingRules['policies']> = [];
  if (pods) policies.push({ type: 'Pods', value: pods, periodSeconds: podsPeriod });
  if (percent) policies.push({ type: 'Percent', value: percent, periodSeconds: percentPeriod });
  return {
    stabilizationWindowSeconds: window,
    selectPolicy: 'Max',
    ...(policies.length ? { policies } : {}),
  };
}

/** generateEventsUniformDistribution: events centred in equal segments of the last `period` seconds. */
function uniformEvents(changes: number[], periodSeconds: number): ScaleEvent[] {
  const segment = periodSeconds / changes.length;
  return changes.map((replicaChange, idx) => ({
    replicaChange,
    timestamp: ago(Math.trunc(periodSeconds - segment * (idx + 1) + segment / 2)),
  }));
}

describe('TestScalingWithRules', () => {
  const cases: Array<{
    name: string;
    up?: ScaleEvent[];
    down?: ScaleEvent[];
    min: number;
    max: number;
    scaleUp?: ScalingRules;
    scaleDown?: ScalingRules;
    current: number;
    desired: number;
    expected: number;
    condition: string;
  }> = [
    {
      name: 'prenormalized desired replicas within range',
      current: 5,
      desired: 7,
      min: 3,
      max: 8,
      expected: 7,
      condition: 'DesiredWithinRange',
    },
    {
      name: 'prenormalized desired replicas < minReplicas',
      current: 3,
      desired: 1,
      min: 2,
      max: 8,
      expected: 2,
      condition: 'TooFewReplicas',
    },
    {
      name: 'prenormalized desired replicas within range when minReplicas is 0',
      current: 1,
      desired: 0,
      min: 0,
      max: 10,
      expected: 0,
      condition: 'DesiredWithinRange',
    },
    {
      name: 'maxReplicas is the limit because maxReplicas < scaleUpLimit',
      current: 20,
      desired: 1000,
      min: 1,
      max: 10,
      expected: 10,
      condition: 'TooManyReplicas',
    },
    {
      name: 'desired replica count is more than the maximum replica count',
      current: 100,
      desired: 1000,
      min: 100,
      max: 150,
      expected: 150,
      condition: 'TooManyReplicas',
    },
    {
      name: 'scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies',
      current: 3,
      desired: 1000,
      min: 1,
      max: 2000,
      scaleUp: rules(0, 0, 1, 60, 0),
      expected: 4,
      condition: 'ScaleUpLimit',
    },
    {
      name: 'scaleDownLimit is the limit because scaleDownLimit > minReplicas with user defined policies',
      current: 1000,
      desired: 3,
      min: 3,
      max: 2000,
      scaleDown: rules(20, 60, 0, 0, 0),
      expected: 980,
      condition: 'ScaleDownLimit',
    },
    {
      name: 'scaleUp with default behavior',
      min: 1,
      max: 1000,
      current: 10,
      desired: 50,
      expected: 20,
      condition: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp with pods policy larger than percent policy',
      min: 1,
      max: 1000,
      scaleUp: rules(100, 60, 100, 60, 0),
      current: 10,
      desired: 500,
      expected: 110,
      condition: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp with percent policy larger than pods policy',
      min: 1,
      max: 1000,
      scaleUp: rules(2, 60, 100, 60, 0),
      current: 10,
      desired: 500,
      expected: 20,
      condition: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp with spec MaxReplicas limitation with large pod policy',
      min: 1,
      max: 1000,
      scaleUp: rules(100, 60, 0, 0, 0),
      current: 10,
      desired: 50,
      expected: 50,
      condition: 'DesiredWithinRange',
    },
    {
      name: 'scaleUp with spec MaxReplicas limitation with large percent policy',
      min: 1,
      max: 1000,
      scaleUp: rules(10000, 60, 0, 0, 0),
      current: 10,
      desired: 50,
      expected: 50,
      condition: 'DesiredWithinRange',
    },
    {
      name: 'scaleUp with pod policy limitation',
      min: 1,
      max: 1000,
      scaleUp: rules(30, 60, 0, 0, 0),
      current: 10,
      desired: 50,
      expected: 40,
      condition: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp with percent policy limitation',
      min: 1,
      max: 1000,
      scaleUp: rules(0, 0, 200, 60, 0),
      current: 10,
      desired: 50,
      expected: 30,
      condition: 'ScaleUpLimit',
    },
    {
      name: 'scaleDown with percent policy larger than pod policy',
      min: 1,
      max: 1000,
      scaleDown: rules(20, 60, 1, 60, 300),
      current: 100,
      desired: 2,
      expected: 80,
      condition: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown with pod policy larger than percent policy',
      min: 1,
      max: 1000,
      scaleDown: rules(2, 60, 1, 60, 300),
      current: 100,
      desired: 2,
      expected: 98,
      condition: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown with spec MinReplicas=nil limitation with large pod policy',
      min: 1,
      max: 1000,
      scaleDown: rules(100, 60, 0, 0, 300),
      current: 10,
      desired: 0,
      expected: 1,
      condition: 'TooFewReplicas',
    },
    {
      name: 'scaleDown with spec MinReplicas limitation with large percent policy',
      min: 5,
      max: 1000,
      scaleDown: rules(0, 0, 100, 60, 300),
      current: 10,
      desired: 2,
      expected: 5,
      condition: 'TooFewReplicas',
    },
    {
      name: 'scaleDown with pod policy limitation',
      min: 1,
      max: 1000,
      scaleDown: rules(5, 60, 0, 0, 300),
      current: 10,
      desired: 2,
      expected: 5,
      condition: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown with percent policy limitation',
      min: 1,
      max: 1000,
      scaleDown: rules(0, 0, 50, 60, 300),
      current: 10,
      desired: 5,
      expected: 5,
      condition: 'DesiredWithinRange',
    },
    {
      name: 'scaleUp with spec MaxReplicas limitation with large pod policy and events',
      up: uniformEvents([1, 5, 9], 120),
      min: 1,
      max: 200,
      scaleUp: rules(300, 60, 0, 0, 0),
      current: 100,
      desired: 500,
      expected: 200,
      condition: 'TooManyReplicas',
    },
    {
      name: 'scaleUp with spec MaxReplicas limitation with large percent policy and events',
      up: uniformEvents([1, 5, 9], 120),
      min: 1,
      max: 200,
      scaleUp: rules(0, 0, 10000, 60, 0),
      current: 100,
      desired: 500,
      expected: 200,
      condition: 'TooManyReplicas',
    },
    {
      name: 'scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events',
      up: uniformEvents([1, 5, 9], 120),
      min: 1,
      max: 1000,
      scaleUp: rules(5, 120, 0, 0, 0),
      current: 100,
      desired: 500,
      expected: 100,
      condition: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp with pod policy and previous scale up events',
      up: uniformEvents([1, 5, 9], 120),
      min: 1,
      max: 1000,
      scaleUp: rules(150, 120, 0, 0, 0),
      current: 100,
      desired: 500,
      expected: 235,
      condition: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp with percent policy and previous scale up events',
      up: uniformEvents([1, 5, 9], 120),
      min: 1,
      max: 1000,
      scaleUp: rules(0, 0, 200, 120, 0),
      current: 100,
      desired: 500,
      expected: 255,
      condition: 'ScaleUpLimit',
    },
    {
      name: 'scaleUp with percent policy and previous scale up and down events',
      up: uniformEvents([4], 120),
      down: uniformEvents([2], 120),
      min: 1,
      max: 1000,
      scaleUp: rules(0, 0, 300, 300, 0),
      current: 6,
      desired: 24,
      expected: 16,
      condition: 'ScaleUpLimit',
    },
    {
      name: 'scaleDown with default policy and previous events',
      down: uniformEvents([1, 5, 9], 120),
      min: 1,
      max: 1000,
      current: 10,
      desired: 5,
      expected: 5,
      condition: 'DesiredWithinRange',
    },
    {
      name: 'scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events',
      down: uniformEvents([1, 5, 9], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(115, 120, 0, 0, 300),
      current: 100,
      desired: 0,
      expected: 1,
      condition: 'TooFewReplicas',
    },
    {
      name: 'scaleDown with spec MinReplicas limitation with large pod policy and previous events',
      down: uniformEvents([1, 5, 9], 120),
      min: 5,
      max: 1000,
      scaleDown: rules(130, 120, 0, 0, 300),
      current: 100,
      desired: 0,
      expected: 5,
      condition: 'TooFewReplicas',
    },
    {
      name: 'scaleDown with spec MinReplicas limitation with large percent policy and previous events',
      down: uniformEvents([1, 5, 9], 120),
      min: 5,
      max: 1000,
      scaleDown: rules(0, 0, 100, 120, 300),
      current: 100,
      desired: 2,
      expected: 5,
      condition: 'TooFewReplicas',
    },
    {
      name: 'scaleDown with pod policy limitation and previous events',
      down: uniformEvents([1, 5, 9], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(5, 120, 0, 0, 300),
      current: 100,
      desired: 2,
      expected: 100,
      condition: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown with percent policy limitation and previous events',
      down: uniformEvents([2, 4, 6], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(0, 0, 50, 120, 300),
      current: 100,
      desired: 0,
      expected: 56,
      condition: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown with percent policy and previous scale up and down events',
      up: uniformEvents([2], 120),
      down: uniformEvents([4], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(0, 0, 50, 180, 0),
      current: 10,
      desired: 1,
      expected: 6,
      condition: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown with previous events preventing further scale down',
      down: uniformEvents([10, 10, 10], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(0, 0, 10, 120, 300),
      current: 100,
      desired: 0,
      expected: 100,
      condition: 'ScaleDownLimit',
    },
    {
      name: 'scaleDown with with previous events still allowing more scale down',
      down: uniformEvents([10, 10, 10], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(0, 0, 1000, 120, 300),
      current: 10,
      desired: 5,
      expected: 5,
      condition: 'DesiredWithinRange',
    },
    {
      name: "check 'outdated' flag for events for one behavior for up",
      up: uniformEvents([8, 12, 9, 11], 120),
      min: 1,
      max: 1000,
      scaleUp: rules(1000, 60, 0, 0, 0),
      current: 100,
      desired: 200,
      expected: 200,
      condition: 'DesiredWithinRange',
    },
    {
      name: "check that events were not marked 'outdated' for two different policies in the behavior for up",
      up: uniformEvents([8, 12, 9, 11], 120),
      min: 1,
      max: 1000,
      scaleUp: rules(1000, 120, 100, 60, 0),
      current: 100,
      desired: 200,
      expected: 200,
      condition: 'DesiredWithinRange',
    },
    {
      name: "check that events were marked 'outdated' for two different policies in the behavior for up",
      up: uniformEvents([8, 12, 9, 11], 120),
      min: 1,
      max: 1000,
      scaleUp: rules(1000, 30, 100, 60, 0),
      current: 100,
      desired: 200,
      expected: 200,
      condition: 'DesiredWithinRange',
    },
    {
      name: "check 'outdated' flag for events for one behavior for down",
      down: uniformEvents([8, 12, 9, 11], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(1000, 60, 0, 0, 300),
      current: 100,
      desired: 5,
      expected: 5,
      condition: 'DesiredWithinRange',
    },
    {
      name: "check that events were not marked 'outdated' for two different policies in the behavior for down",
      down: uniformEvents([8, 12, 9, 11], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(1000, 120, 100, 60, 300),
      current: 100,
      desired: 5,
      expected: 5,
      condition: 'DesiredWithinRange',
    },
    {
      name: "check that events were marked 'outdated' for two different policies in the behavior for down",
      down: uniformEvents([8, 12, 9, 11], 120),
      min: 1,
      max: 1000,
      scaleDown: rules(1000, 30, 100, 60, 300),
      current: 100,
      desired: 5,
      expected: 5,
      condition: 'DesiredWithinRange',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const history: History = {
        recommendations: [],
        scaleUpEvents: c.up ?? [],
        scaleDownEvents: c.down ?? [],
      };
      const effective = effectiveBehavior({ scaleUp: c.scaleUp, scaleDown: c.scaleDown }, 300);
      const got = convertWithBehaviorRate(
        { current: c.current, desired: c.desired, min: c.min, max: c.max, now },
        history,
        effective,
      );
      assert.deepEqual([got.replicas, got.reason], [c.expected, c.condition]);
    });
  }
});

describe('TestNormalizeDesiredReplicasWithBehavior', () => {
  const cases: Array<{
    name: string;
    recs: Array<[number, number]>;
    current: number;
    desired: number;
    expected: number;
    stored?: number[];
    up?: number;
    down?: number;
  }> = [
    {
      name: 'empty recommendations for scaling down',
      recs: [],
      current: 100,
      desired: 5,
      expected: 5,
      stored: [5],
    },
    {
      name: 'simple scale down stabilization',
      recs: [
        [4, 120],
        [5, 60],
      ],
      current: 100,
      desired: 3,
      expected: 5,
      stored: [4, 5, 3],
      down: 180,
    },
    {
      name: 'simple scale up stabilization',
      recs: [
        [4, 120],
        [5, 60],
      ],
      current: 1,
      desired: 7,
      expected: 4,
      stored: [4, 5, 7],
      up: 300,
    },
    {
      name: 'no scale down stabilization',
      recs: [
        [1, 120],
        [2, 60],
      ],
      current: 100,
      desired: 3,
      expected: 3,
      stored: [1, 2, 3],
      up: 300,
    },
    {
      name: 'no scale up stabilization',
      recs: [
        [4, 120],
        [5, 60],
      ],
      current: 1,
      desired: 3,
      expected: 3,
      stored: [4, 5, 3],
      down: 300,
    },
    {
      name: 'no scale down stabilization, reuse recommendation element',
      recs: [
        [10, 600],
        [9, 540],
      ],
      current: 100,
      desired: 3,
      expected: 3,
      stored: [10, 3],
    },
    {
      name: 'no scale up stabilization, reuse recommendation element',
      recs: [
        [10, 600],
        [9, 540],
      ],
      current: 1,
      desired: 100,
      expected: 100,
      stored: [10, 100],
    },
    {
      name: 'scale down stabilization, reuse one of obsolete recommendation element',
      recs: [
        [10, 600],
        [4, 60],
        [5, 120],
        [9, 540],
      ],
      current: 100,
      desired: 3,
      expected: 5,
      stored: [10, 4, 5, 3],
      down: 180,
    },
    {
      name: 'scale up stabilization, reuse one of obsolete recommendation element',
      recs: [
        [10, 6000],
        [6, 60],
        [5, 120],
        [9, 180],
      ],
      current: 1,
      desired: 100,
      expected: 5,
      stored: [100, 6, 5, 9],
      up: 300,
    },
    {
      name: 'scale up and down stabilization, do not scale up when prenormalized rec goes down',
      recs: [
        [2, 6000],
        [3, 180],
      ],
      current: 2,
      desired: 1,
      expected: 2,
      up: 300,
      down: 300,
    },
    {
      name: 'scale up and down stabilization, do not scale down when prenormalized rec goes up',
      recs: [
        [2, 6000],
        [1, 180],
      ],
      current: 2,
      desired: 3,
      expected: 2,
      up: 300,
      down: 300,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const history = emptyHistory();
      history.recommendations = c.recs.map(([replicas, seconds]) => ({ replicas, timestamp: ago(seconds) }));
      const got = stabilizeWithBehavior(history, c.desired, c.current, now, c.up ?? 0, c.down ?? 0);
      assert.equal(got.replicas, c.expected);
      if (c.stored)
        assert.deepEqual(
          history.recommendations.map((x) => x.replicas),
          c.stored,
        );
    });
  }
});

describe('TestNormalizeDesiredReplicas (legacy stabilization)', () => {
  const cases: Array<{
    name: string;
    recs: Array<[number, number]>;
    desired: number;
    expected: number;
    length: number;
  }> = [
    { name: 'empty log', recs: [], desired: 5, expected: 5, length: 1 },
    {
      name: 'stabilize',
      recs: [
        [4, 120],
        [5, 60],
      ],
      desired: 3,
      expected: 5,
      length: 3,
    },
    {
      name: 'no stabilize',
      recs: [
        [1, 120],
        [2, 60],
      ],
      desired: 3,
      expected: 3,
      length: 3,
    },
    {
      name: 'no stabilize - old recommendations',
      recs: [
        [10, 600],
        [9, 540],
      ],
      desired: 3,
      expected: 3,
      length: 2,
    },
    {
      name: 'stabilize - old recommendations',
      recs: [
        [10, 600],
        [4, 60],
        [5, 120],
        [9, 540],
      ],
      desired: 3,
      expected: 5,
      length: 4,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const history = emptyHistory();
      history.recommendations = c.recs.map(([replicas, seconds]) => ({ replicas, timestamp: ago(seconds) }));
      assert.equal(stabilizeLegacy(history, c.desired, now, 300), c.expected);
      assert.equal(history.recommendations.length, c.length);
    });
  }
});

describe('TestConvertDesiredReplicasWithRules (scaleUpLimitFactor 8 as in the Go tests)', () => {
  const cases: Array<[string, number, number, number, number, number, string]> = [
    ['prenormalized desired replicas within range', 5, 7, 3, 8, 7, 'DesiredWithinRange'],
    ['prenormalized desired replicas < minReplicas', 3, 1, 2, 8, 2, 'TooFewReplicas'],
    ['prenormalized desired zeroed replicas within range', 1, 0, 0, 10, 0, 'DesiredWithinRange'],
    ['maxReplicas is the limit because maxReplicas < scaleUpLimit', 20, 1000, 1, 10, 10, 'TooManyReplicas'],
    ['scaleUpLimit is the limit because scaleUpLimit < maxReplicas', 3, 1000, 1, 2000, 24, 'ScaleUpLimit'],
  ];
  for (const [name, current, desired, min, max, expected, condition] of cases) {
    it(name, () => {
      const got = convertWithRules(current, desired, min, max, 8);
      assert.deepEqual([got.replicas, got.reason], [expected, condition]);
    });
  }
  it('production factor 2: max(2 × current, 4)', () => {
    assert.equal(convertWithRules(3, 1000, 1, 2000, 2).replicas, 6);
    assert.equal(convertWithRules(1, 1000, 1, 2000, 2).replicas, 4);
  });
});

describe('TestCalculateScaleUpLimitWithScalingRules / TestCalculateScaleDownLimitWithBehaviors', () => {
  const minPolicy = {
    stabilizationWindowSeconds: 300,
    selectPolicy: 'Min' as const,
    policies: [
      { type: 'Pods' as const, value: 2, periodSeconds: 60 },
      { type: 'Percent' as const, value: 50, periodSeconds: 60 },
    ],
  };
  it('scale-up limit with the Min policy', () =>
    assert.equal(scaleUpLimit(1, emptyHistory(), minPolicy, now), 2));
  it('scale-down limit with the Min policy', () =>
    assert.equal(scaleDownLimit(5, emptyHistory(), minPolicy, now), 3));
  it('Disabled keeps the current count', () => {
    assert.equal(scaleUpLimit(5, emptyHistory(), { ...minPolicy, selectPolicy: 'Disabled' }, now), 5);
    assert.equal(scaleDownLimit(5, emptyHistory(), { ...minPolicy, selectPolicy: 'Disabled' }, now), 5);
  });
});

describe('TestStoreScaleEvents', () => {
  const cases: Array<{
    name: string;
    prev: Array<[number, number]>;
    next: Array<[number, boolean]>;
    rules?: ScalingRules;
    expectedChange: number;
  }> = [
    { name: 'empty entries with default behavior', prev: [], next: [], expectedChange: 0 },
    {
      name: 'empty entries with two-policy-behavior',
      prev: [],
      next: [[5, false]],
      rules: rules(10, 60, 100, 60, 0),
      expectedChange: 0,
    },
    {
      name: 'one outdated entry to be kept untouched without behavior',
      prev: [[7, 61]],
      next: [[7, false]],
      expectedChange: 0,
    },
    {
      name: 'one outdated entry to be replaced with behavior',
      prev: [[7, 61]],
      next: [[5, false]],
      rules: rules(10, 60, 100, 60, 0),
      expectedChange: 0,
    },
    {
      name: 'one actual entry to be not touched with behavior',
      prev: [[7, 58]],
      next: [
        [7, false],
        [5, false],
      ],
      rules: rules(10, 60, 100, 60, 0),
      expectedChange: 7,
    },
    {
      name: 'two entries, one of them to be replaced',
      prev: [
        [7, 61],
        [6, 59],
      ],
      next: [
        [5, false],
        [6, false],
      ],
      rules: rules(10, 60, 0, 0, 0),
      expectedChange: 6,
    },
    {
      name: 'replace one entry, use policies with different periods',
      prev: [
        [8, 29],
        [6, 59],
        [7, 61],
        [9, 61],
      ],
      next: [
        [8, false],
        [6, false],
        [7, true],
        [5, false],
      ],
      rules: rules(10, 60, 100, 30, 0),
      expectedChange: 14,
    },
    {
      name: 'two entries, both actual',
      prev: [
        [7, 58],
        [6, 59],
      ],
      next: [
        [7, false],
        [6, false],
        [5, false],
      ],
      rules: rules(10, 120, 100, 30, 0),
      expectedChange: 13,
    },
  ];
  for (const c of cases) {
    for (const direction of ['up', 'down'] as const) {
      it(`${c.name} (${direction})`, () => {
        const events: ScaleEvent[] = c.prev.map(([replicaChange, seconds]) => ({
          replicaChange,
          timestamp: ago(seconds),
        }));
        assert.equal(changeInPeriod(60, events, now), c.expectedChange);
        const history = emptyHistory();
        if (direction === 'up') history.scaleUpEvents = events;
        else history.scaleDownEvents = events;
        if (c.rules) {
          const behavior = direction === 'up' ? { scaleUp: c.rules } : { scaleDown: c.rules };
          storeScaleEvent(history, effectiveBehavior(behavior, 300), 10, direction === 'up' ? 15 : 5, now);
        }
        const stored = direction === 'up' ? history.scaleUpEvents : history.scaleDownEvents;
        assert.deepEqual(
          stored.map((e) => [e.replicaChange, e.outdated ?? false]),
          c.next,
        );
      });
    }
  }
});
