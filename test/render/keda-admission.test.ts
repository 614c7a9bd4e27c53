/**
 * KEDA's checks of a ScaledObject, as its admission webhook and scalers make them, at `scalegate validate` time:
 * one positioned line naming the field; and the scalingModifiers formula language (expr-lang) they compile.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFormula } from '../../actions/lib/keda/formula.js';
import { readScaledObject } from '../../actions/lib/keda/scaled-object.js';
import type { KubeObject } from '../../actions/lib/render/index.js';
import { validationProblem } from '../../actions/lib/render/validate.js';
import { runCli } from '../settings/cli-harness.js';

const prometheus = (name: string) => ({
  type: 'prometheus',
  name,
  metadata: { serverAddress: 'http://prometheus:9090', query: 'vector(1)', threshold: '10' },
});

// biome-ignore lint/suspicious/noExplicitAny: ScaledObject specs as users write them
function scaledObject(spec: Record<string, any>, name = 'web'): KubeObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name },
    spec: { scaleTargetRef: { name: 'web' }, triggers: [prometheus('rps')], ...spec },
  } as KubeObject;
}

function problem(object: KubeObject): string | undefined {
  const found = validationProblem(object);
  return found && `${found.path.join('.')}: ${found.reason}`;
}

describe("KEDA's admission checks", () => {
  const cases: Array<[string, KubeObject, string]> = [
    [
      'idleReplicaCount not below minReplicaCount',
      scaledObject({ minReplicaCount: 2, idleReplicaCount: 2 }),
      'spec.idleReplicaCount: IdleReplicaCount=2 must be less than MinReplicaCount=2',
    ],
    [
      'minReplicaCount above maxReplicaCount',
      scaledObject({ minReplicaCount: 5, maxReplicaCount: 3 }),
      'spec.minReplicaCount: MinReplicaCount=5 must be less than MaxReplicaCount=3',
    ],
    [
      'a fallback with only cpu/memory triggers',
      scaledObject({
        minReplicaCount: 1,
        fallback: { failureThreshold: 3, replicas: 4 },
        triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '50' } }],
      }),
      'spec.fallback: at least one trigger (that is not cpu or memory) has to have the `AverageValue` type for the fallback to be enabled',
    ],
    [
      'a fallback behavior KEDA does not know',
      scaledObject({ fallback: { failureThreshold: 3, replicas: 4, behavior: 'sometimes' } }),
      'spec.fallback.behavior: Unsupported value: "sometimes": supported values: "static", "currentReplicas", "currentReplicasIfHigher", "currentReplicasIfLower"',
    ],
    [
      'two triggers with one name',
      scaledObject({ triggers: [prometheus('rps'), prometheus('rps')] }),
      'spec.triggers.1.name: triggerName "rps" is defined multiple times in the ScaledObject/ScaledJob, but it must be unique',
    ],
    [
      'useCachedMetrics on a cpu trigger',
      scaledObject({
        minReplicaCount: 1,
        triggers: [
          prometheus('rps'),
          { type: 'cpu', metricType: 'Utilization', useCachedMetrics: true, metadata: { value: '50' } },
        ],
      }),
      'spec.triggers.1.useCachedMetrics: property "useCachedMetrics" is not supported for "cpu" scaler',
    ],
    [
      'only cpu/memory triggers with minReplicaCount 0',
      scaledObject({
        triggers: [{ type: 'memory', metricType: 'AverageValue', metadata: { value: '200Mi' } }],
      }),
      "spec.minReplicaCount: scaledobject has only cpu/memory triggers AND minReplica is 0 (scale to zero doesn't work in this case)",
    ],
    [
      'a cpu trigger without a metric type',
      scaledObject({ minReplicaCount: 1, triggers: [{ type: 'cpu', metadata: { value: '50' } }] }),
      "spec.triggers.0.metricType: unknown metric type: , allowed values are 'Utilization' or 'AverageValue'",
    ],
    [
      'ignoreNullValues that is no boolean',
      scaledObject({
        triggers: [
          { ...prometheus('rps'), metadata: { ...prometheus('rps').metadata, ignoreNullValues: 'maybe' } },
        ],
      }),
      'spec.triggers.0.metadata.ignoreNullValues: strconv.ParseBool: parsing "maybe": invalid syntax',
    ],
    [
      'a prometheus trigger with a Utilization target',
      scaledObject({ triggers: [{ ...prometheus('rps'), metricType: 'Utilization' }] }),
      "spec.triggers.0.metricType: 'Utilization' metric type is unsupported for external metrics, allowed values are 'Value' or 'AverageValue'",
    ],
    [
      'scalingModifiers without a formula',
      scaledObject({ advanced: { scalingModifiers: { target: '10' } } }),
      'spec.advanced.scalingModifiers.formula: error ScalingModifiers.Formula is mandatory',
    ],
    [
      'a formula without a target',
      scaledObject({ advanced: { scalingModifiers: { formula: 'rps' } } }),
      'spec.advanced.scalingModifiers.target: error validating formula in ScalingModifiers: formula is given but target is empty',
    ],
    [
      'a formula naming a trigger that does not exist',
      scaledObject({ advanced: { scalingModifiers: { formula: 'rps + queue', target: '10' } } }),
      'spec.advanced.scalingModifiers.formula: error validating formula in ScalingModifiers: unknown name queue',
    ],
    [
      'a target that is not a positive number',
      scaledObject({ advanced: { scalingModifiers: { formula: 'rps', target: '-1' } } }),
      'spec.advanced.scalingModifiers.target: error validating target in ScalingModifiers: error converting target for scalingModifiers (string->float) to valid target: "-1"',
    ],
    [
      'a name too long for the label value',
      scaledObject({}, 'w'.repeat(64)),
      `metadata.name: scaledobject name "${'w'.repeat(64)}" is 64 characters long; must be no more than 63 characters because it is used as the "scaledobject.keda.sh/name" label value`,
    ],
  ];
  for (const [title, object, expected] of cases) {
    it(`refuses ${title}`, () => {
      assert.equal(problem(object), expected);
    });
  }

  it('accepts fallback, scalingModifiers, ignoreNullValues and a cpu trigger together', () => {
    const object = scaledObject({
      minReplicaCount: 1,
      fallback: { failureThreshold: 2, replicas: 5, behavior: 'currentReplicasIfHigher' },
      advanced: { scalingModifiers: { formula: 'rps > 5 ? rps : 0', target: '10', activationTarget: '1' } },
      triggers: [
        { ...prometheus('rps'), metadata: { ...prometheus('rps').metadata, ignoreNullValues: 'false' } },
        { type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } },
      ],
    });
    assert.equal(problem(object), undefined);
    const spec = readScaledObject(object);
    assert.deepEqual(spec.fallback, {
      failureThreshold: 2,
      replicas: 5,
      behavior: 'currentReplicasIfHigher',
    });
    assert.equal(spec.scalingModifiers?.metricType, 'AverageValue');
    assert.deepEqual(
      spec.triggers.map((t) => (t.type === 'prometheus' ? [t.type, t.ignoreNullValues] : [t.type, t.value])),
      [
        ['prometheus', false],
        ['cpu', '60'],
      ],
    );
  });

  it('scalegate validate reports a bad formula in a base manifest on one positioned line, exit 2', async () => {
    const result = await runCli([
      'validate',
      '--env',
      'test/fixtures/settings/base-errors/invalid-scaledobject.yaml',
    ]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "test/fixtures/settings/manifests-invalid-keda/scaledobject.yaml:12:16: spec.advanced.scalingModifiers.formula: error validating formula in ScalingModifiers: unknown name queue (got 'rps + queue') in the rendered ScaledObject web-queue\n",
    );
    assert.equal(result.stdout, '');
  });
});

describe('scalingModifiers formulas (expr-lang)', () => {
  const value = (formula: string, values: Record<string, number | null>) =>
    compileFormula(formula, Object.keys(values)).evaluate(values);

  it('computes with expr precedence: power binds tighter than * and is right-associative', () => {
    assert.equal(value('(a + b) / 2', { a: 10, b: 20 }), 15);
    assert.equal(value('2 ^ 3 ^ 2', {}), 512);
    assert.equal(value('2 * 3 ** 2', {}), 18);
    assert.equal(value('7 % 4', {}), 3);
  });

  it('ternaries, word operators, nil coalescing and the built-in functions', () => {
    assert.equal(value('a > 5 and not (b < 0) ? a * 2 : 0', { a: 10, b: 1 }), 20);
    assert.equal(value('a < 5 or b == 1 ? 1 : 2', { a: 10, b: 1 }), 1);
    assert.equal(value('a ?? 4', { a: null }), 4);
    assert.equal(
      value('max(a, 3) + min(1, 2) + round(2.5) + ceil(0.1) + floor(1.9) + abs(-2)', { a: 1 }),
      11,
    );
    assert.equal(value('int(a) / 2', { a: 5.8 }), 2.5);
  });

  it('type errors as expr reports them', () => {
    assert.throws(
      () => value('a % 2', { a: 3 }),
      /invalid operation: % \(mismatched types float64 and int\)/,
    );
    assert.throws(() => value('a ? 1 : 2', { a: 3 }), /non-bool float64 used as condition/);
    assert.throws(() => value('a > 1', { a: 3 }), /invalid operation: float\(\) \(mismatched type bool\)/);
    assert.throws(() => compileFormula('sqrt(a)', ['a']), /unknown func sqrt/);
    assert.throws(() => compileFormula('a +', ['a']), /Expected expression/);
  });
});
