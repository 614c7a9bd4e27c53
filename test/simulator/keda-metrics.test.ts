/**
 * The values KEDA's metrics server hands the HPA once a trigger falls back, per fallback behavior and metric type,
 * and the composite metric's fallback (pkg/fallback's doFallback, pkg/scaling/modifiers).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readScaledObject } from '../../actions/lib/keda/scaled-object.js';
import {
  activity,
  type Health,
  metricValue,
  type Sample,
  type TargetReplicas,
} from '../../simulator/autoscaling/keda-metrics.js';

// biome-ignore lint/suspicious/noExplicitAny: ScaledObject specs as users write them
function spec(extra: Record<string, any>, metricType = 'AverageValue') {
  return readScaledObject({
    metadata: { name: 'web' },
    spec: {
      scaleTargetRef: { name: 'web' },
      triggers: [
        {
          type: 'prometheus',
          name: 'a',
          metricType,
          metadata: { serverAddress: 'http://p:9090', query: 'q', threshold: '10' },
        },
        {
          type: 'prometheus',
          name: 'b',
          metricType,
          metadata: { serverAddress: 'http://p:9090', query: 'q', threshold: '10' },
        },
      ],
      ...extra,
    },
  });
}

function answers(failures: number, b: Sample = { value: 7 }) {
  return {
    samples: new Map<string, Sample>([
      ['s0-prometheus', failures > 0 ? { error: 'down' } : { value: 40 }],
      ['s1-prometheus', b],
    ]),
    health: new Map<string, Health>([
      ['s0-prometheus', { numberOfFailures: failures, status: failures > 0 ? 'Failing' : 'Happy' }],
    ]),
  };
}

const replicas: TargetReplicas = { current: 3, ready: () => 2 };

describe('KEDA fallback values', () => {
  const behaviors: Array<[string, number]> = [
    ['static', 60],
    ['currentReplicas', 30],
    ['currentReplicasIfHigher', 60],
    ['currentReplicasIfLower', 30],
  ];
  for (const [behavior, expected] of behaviors) {
    it(`${behavior}: threshold × the replicas it picks (fallback 6, current 3)`, () => {
      const s = spec({ fallback: { failureThreshold: 2, replicas: 6, behavior } });
      assert.equal(metricValue(s, answers(3), 's0-prometheus', replicas), expected);
    });
  }

  it('the error reaches the HPA until failures exceed failureThreshold', () => {
    const s = spec({ fallback: { failureThreshold: 2, replicas: 6 } });
    assert.throws(() => metricValue(s, answers(2), 's0-prometheus', replicas), /down/);
    const idle = { value: 0 };
    assert.deepEqual(activity(s, answers(2, idle), replicas), {
      active: false,
      error: true,
      activeMetrics: [],
    });
    // Falling back counts as active and not as an error.
    assert.deepEqual(activity(s, answers(3, idle), replicas), {
      active: true,
      error: false,
      activeMetrics: ['s0-prometheus'],
    });
  });

  it('a Value target divides the fallback replicas by the ready ones', () => {
    const s = spec({ fallback: { failureThreshold: 0, replicas: 6 } }, 'Value');
    assert.equal(metricValue(s, answers(1), 's0-prometheus', replicas), 30);
    assert.throws(
      () => metricValue(s, answers(1), 's0-prometheus', { current: 3, ready: () => 0 }),
      /readyReplicas is zero/,
    );
  });

  it('composite-metric: the formula, the fallback over the modifiers target, and nil through ??', () => {
    const modifiers = (formula: string) => ({
      advanced: { scalingModifiers: { formula, target: '5', activationTarget: '50' } },
    });
    const s = spec({ ...modifiers('a + b'), fallback: { failureThreshold: 1, replicas: 4 } });
    assert.equal(metricValue(s, answers(0), 'composite-metric', replicas), 47);
    assert.equal(metricValue(s, answers(0), 's0-prometheus', replicas), undefined);
    assert.deepEqual(activity(s, answers(0), replicas), { active: false, error: false, activeMetrics: [] });
    const low = spec({
      advanced: { scalingModifiers: { formula: 'a + b', target: '5', activationTarget: '10' } },
    });
    assert.deepEqual(activity(low, answers(0), replicas), {
      active: true,
      error: false,
      activeMetrics: ['composite-metric'],
    });
    assert.equal(metricValue(s, answers(2), 'composite-metric', replicas), 20);
    // A formula that gives nil (only possible with ??) means fallback.replicas × target.
    const nil = spec({
      ...modifiers('b > 5 ? nil ?? nil : a'),
      fallback: { failureThreshold: 1, replicas: 4 },
    });
    assert.equal(metricValue(nil, answers(0), 'composite-metric', replicas), 20);
    const none = spec(modifiers('a + b'));
    assert.throws(() => metricValue(none, answers(1), 'composite-metric', replicas), /encountered error/);
  });
});
