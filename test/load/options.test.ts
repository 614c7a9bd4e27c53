import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseK6Duration } from '../../actions/lib/load/duration.js';
import {
  applyCliOverrides,
  ConfigError,
  deriveScenarios,
  parseStagesSpec,
} from '../../actions/lib/load/options.js';

describe('k6 durations', () => {
  it('reads Go durations with days and bare numbers as milliseconds', () => {
    assert.equal(parseK6Duration('1h2m3.5s', 'x'), 3_723_500);
    assert.equal(parseK6Duration('2d12h', 'x'), 216_000_000);
    assert.equal(parseK6Duration('250us', 'x'), 0.25);
    assert.equal(parseK6Duration(1500, 'x'), 1500);
    assert.equal(parseK6Duration('1500', 'x'), 1500);
    assert.throws(() => parseK6Duration('1 minute', 'x'), /not a duration/);
  });
});

describe('options → scenarios', () => {
  it('accepts integers given as strings, as k6 does, and still refuses other text', () => {
    const [scenario] = deriveScenarios({ vus: '2', iterations: '6' });
    assert.equal(scenario!.executor, 'shared-iterations');
    assert.equal((scenario as { vus: number }).vus, 2);
    assert.equal((scenario as { iterations: number }).iterations, 6);
    const [rate] = deriveScenarios({
      scenarios: {
        open: { executor: 'constant-arrival-rate', rate: '50', duration: '1s', preAllocatedVUs: ' 3 ' },
      },
    });
    assert.equal((rate as { rate: number }).rate, 50);
    assert.equal((rate as { preAllocatedVUs: number }).preAllocatedVUs, 3);
    assert.throws(() => deriveScenarios({ vus: 'two' }), /vus must be a number, got "two"/);
  });

  it('applies the shortcuts, first match wins', () => {
    const [iterations] = deriveScenarios({ vus: 3, iterations: 9, duration: '20s' });
    assert.deepEqual(
      {
        executor: iterations!.executor,
        vus: (iterations as { vus: number }).vus,
        max: (iterations as { maxDurationMs: number }).maxDurationMs,
      },
      { executor: 'shared-iterations', vus: 3, max: 20_000 },
    );
    assert.equal(deriveScenarios({ vus: 2, duration: '5s' })[0]!.executor, 'constant-vus');
    const [ramp] = deriveScenarios({ stages: [{ duration: '10s', target: 5 }, { target: 9 }] });
    assert.equal(ramp!.executor, 'ramping-vus');
    assert.deepEqual((ramp as { startVUs: number; stages: unknown[] }).startVUs, 1);
    assert.equal((ramp as { stages: unknown[] }).stages.length, 1);
    const [vusOnly] = deriveScenarios({ vus: 4 });
    assert.deepEqual(
      [vusOnly!.executor, (vusOnly as { iterations: number }).iterations],
      ['shared-iterations', 4],
    );
    const [nothing] = deriveScenarios({});
    assert.deepEqual([nothing!.executor, (nothing as { vus: number }).vus], ['per-vu-iterations', 1]);
  });

  it('fills executor defaults and validates like k6', () => {
    const [scenario] = deriveScenarios({
      scenarios: { api: { executor: 'constant-arrival-rate', rate: 5, duration: '1m', preAllocatedVUs: 2 } },
    });
    assert.deepEqual(scenario, {
      name: 'api',
      startTimeMs: 0,
      gracefulStopMs: 30_000,
      exec: 'default',
      env: {},
      tags: {},
      executor: 'constant-arrival-rate',
      rate: 5,
      timeUnitMs: 1000,
      durationMs: 60_000,
      preAllocatedVUs: 2,
      maxVUs: 2,
    });
    const bad = (scenarios: object, message: RegExp) =>
      assert.throws(
        () => deriveScenarios({ scenarios }),
        (e: Error) => e instanceof ConfigError && message.test(e.message),
      );
    bad({ a: { executor: 'constant-vus', vus: 1, duration: '1s', extra: 1 } }, /unknown field "extra"/);
    bad({ a: { executor: 'warp-speed' } }, /unknown executor/);
    bad({ a: { executor: 'shared-iterations', vus: 5, iterations: 2 } }, /can't be less than vus/);
    bad({ a: { executor: 'constant-vus', vus: 1, duration: '500ms' } }, /at least 1s/);
    bad(
      { a: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '1s', target: 0 }] } },
      /more than 0/,
    );
    bad(
      { a: { executor: 'constant-arrival-rate', rate: 1, duration: '1s', preAllocatedVUs: 2, maxVUs: 1 } },
      /maxVUs/,
    );
    bad({ 'a b': { executor: 'constant-vus', duration: '1s' } }, /invalid scenario name/);
    bad({ a: { executor: 'constant-vus', duration: '1s', exec: '' } }, /exec/);
    assert.throws(
      () => deriveScenarios({ iterations: 2, stages: [{ duration: '1s', target: 1 }] }),
      ConfigError,
    );
  });

  it('replaces scenarios with CLI stages', () => {
    assert.deepEqual(parseStagesSpec('10s:5, 1m:0'), [
      { duration: '10s', target: 5 },
      { duration: '1m', target: 0 },
    ]);
    assert.throws(() => parseStagesSpec('10s'), /\[duration\]:\[target\]/);
    const options = applyCliOverrides(
      { scenarios: { x: { executor: 'constant-vus', duration: '1s' } }, vus: 2 },
      '2s:4',
    );
    const [scenario] = deriveScenarios(options);
    assert.equal(scenario!.executor, 'ramping-vus');
    assert.equal((scenario as { startVUs: number }).startVUs, 2);
  });
});
