import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  constantArrivalOffsets,
  rampingArrivalOffsets,
  rampingVusSteps,
} from '../../actions/lib/load/builtin/schedule.js';

const s = (durationMs: number, target: number) => ({ durationMs, target });
const steps = (list: { atMs: number; vus: number }[]) => list.map(({ atMs, vus }) => [atMs / 1000, vus]);

describe('ramping-vus steps (k6 vectors)', () => {
  it('ramps 3 → 5 over 2 s one VU per second', () => {
    assert.deepEqual(steps(rampingVusSteps(3, [s(2000, 5)])), [
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
  });

  it('jumps instantly on a zero-length stage, then ramps down with ceil', () => {
    assert.deepEqual(steps(rampingVusSteps(2, [s(0, 5), s(2000, 3)])), [
      [0, 2],
      [0, 5],
      [1, 4],
      [2, 3],
    ]);
  });

  it('goes up and down across four stages from 0', () => {
    assert.deepEqual(steps(rampingVusSteps(0, [s(2000, 2), s(2000, 0), s(2000, 2), s(2000, 0)])), [
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 1],
      [4, 0],
      [5, 1],
      [6, 2],
      [7, 1],
      [8, 0],
    ]);
  });

  it('starts the stages shortcut at 1 VU and adds a VU every 2.5 s', () => {
    assert.deepEqual(steps(rampingVusSteps(1, [s(10_000, 5)])), [
      [0, 1],
      [2.5, 2],
      [5, 3],
      [7.5, 4],
      [10, 5],
    ]);
  });

  it('rounds step times up to the next nanosecond', () => {
    const [, first] = rampingVusSteps(0, [s(1000, 3)]);
    assert.equal(first!.atMs, 333.333334);
  });

  it('keeps flat stages flat', () => {
    assert.deepEqual(steps(rampingVusSteps(4, [s(5000, 4)])), [[0, 4]]);
  });
});

describe('arrival-rate schedules', () => {
  it('constant-arrival-rate fires at 0 and every timeUnit/rate until the duration ends', () => {
    assert.deepEqual([...constantArrivalOffsets(2, 1000, 3000)], [0, 500, 1000, 1500, 2000, 2500]);
    assert.equal([...constantArrivalOffsets(2000, 1000, 1000)].length, 2000);
    assert.deepEqual([...constantArrivalOffsets(1, 60_000, 180_000)], [0, 60_000, 120_000]);
  });

  it('ramping-arrival-rate starts iteration n when the area under the rate reaches n', () => {
    const got = [...rampingArrivalOffsets(0, 1000, [s(5000, 1), s(1000, 1), s(5000, 0)])].map(
      (ms) => ms / 1000,
    );
    const want = [3.162, 4.472, 5.5, 6.527, 7.837, 11.0];
    assert.equal(got.length, want.length);
    for (const [i, value] of got.entries()) {
      assert.ok(Math.abs(value - want[i]!) / want[i]! < 0.001, `${value} vs ${want[i]}`);
    }
  });

  it('never fires at 0 and matches the documented first iterations', () => {
    const flat = [...rampingArrivalOffsets(2, 1000, [s(3000, 2)])];
    assert.deepEqual(flat, [500, 1000, 1500, 2000, 2500, 3000]);
    const [first] = rampingArrivalOffsets(0, 1000, [s(30_000, 30)]);
    assert.ok(Math.abs(first! - 1414.2) < 1, String(first));
  });
});
