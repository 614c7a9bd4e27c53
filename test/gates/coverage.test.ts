import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findGaps } from '../../actions/lib/gates/coverage.js';
import { queryBudgetMs } from '../../actions/lib/gates/evaluate.js';

const window = { start: new Date(100_000), end: new Date(120_000) };
/** Scrapes every second from 100.5 s to 119.5 s; `down` are the seconds whose scrape failed or never happened. */
function scrapes(missing: number[] = [], failed: number[] = []): [number, number][] {
  const out: [number, number][] = [];
  for (let t = 100.5; t < 120; t++) {
    if (missing.includes(Math.floor(t))) continue;
    out.push([t, failed.includes(Math.floor(t)) ? 0 : 1]);
  }
  return out;
}

test('regular scrapes leave no gap; one missed or failed scrape is tolerated', () => {
  assert.deepEqual(findGaps(scrapes(), window, 15), []);
  assert.deepEqual(findGaps(scrapes([110]), window, 15), []);
  assert.deepEqual(findGaps(scrapes([], [110]), window, 15), []);
});

test('a stretch without scrapes (Prometheus down) or with up == 0 is a gap, found at scrape resolution', () => {
  assert.deepEqual(findGaps(scrapes([108, 109, 110, 111]), window, 15), [{ start: 107.5, end: 112.5 }]);
  assert.deepEqual(findGaps(scrapes([], [108, 109, 110]), window, 15), [{ start: 107.5, end: 111.5 }]);
});

test('the window edges count: no data at its start or end is a gap too', () => {
  assert.deepEqual(findGaps(scrapes([100, 101, 102, 103]), window, 15), [{ start: 100, end: 104.5 }]);
  assert.deepEqual(findGaps([], window, 1), [{ start: 100, end: 120 }]);
});

test('the query budget after a window is a whole number of ms (timers need one): a quarter, 10 s to 2 min', () => {
  const after = (ms: number) => queryBudgetMs({ start: new Date(0), end: new Date(ms) });
  assert.equal(after(61_590), 15_398);
  assert.equal(after(1000), 10_000);
  assert.equal(after(3_600_000), 120_000);
});
