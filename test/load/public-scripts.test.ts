/**
 * Real public k6 scripts (grafana/quickpizza, Apache-2.0, kept unmodified in test/fixtures/k6/public) run on the
 * builtin engine against a local imitation of their API, with the outcome k6 gives them.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { builtinRuns } from './builtin-runs.js';
import { type QuickPizzaTarget, startQuickPizza } from './quickpizza-target.js';

const quickpizza = fileURLToPath(new URL('../fixtures/k6/public/quickpizza/', import.meta.url));
const operatorE2e = fileURLToPath(new URL('../fixtures/k6/public/k6-operator/e2e/', import.meta.url));

describe('public QuickPizza k6 scripts on the builtin engine', () => {
  let target: QuickPizzaTarget;
  let dir: string;
  const runs = builtinRuns(quickpizza, () => ({ env: { BASE_URL: target.url }, cwd: dir }));
  const { logs, run } = runs;

  before(async () => {
    target = await startQuickPizza();
    dir = await mkdtemp(join(tmpdir(), 'scalegate-quickpizza-'));
  });
  after(async () => {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('03.lifecycle: setup visits the home page once, every iteration gets a pizza, teardown logs', async () => {
    const before = { home: target.homeVisits, pizzas: target.pizzas };
    const result = await run('03.lifecycle.js', { stages: '1s:2,1s:0' });
    assert.equal(result.exitCode, 0, logs.join('\n'));
    assert.equal(target.homeVisits - before.home, 1);
    assert.equal(target.pizzas - before.pizzas, result.metrics.requests - 1);
    assert.ok(result.metrics.iterations >= 2, `iterations: ${result.metrics.iterations}`);
    assert.equal(result.metrics.checksPassRate, 1);
    assert.ok(logs.some((l) => l.includes('Margherita (2 ingredients)')));
    assert.ok(logs.some((l) => l.includes("That's all folks!")));
  });

  it('17.login-action: 50 VUs log in as 50 distinct users from a SharedArray and rate their pizzas', async () => {
    target.logins.length = 0;
    const ratings = target.ratings;
    const result = await run('17.login-action.js');
    assert.equal(result.exitCode, 0, logs.join('\n'));
    assert.deepEqual(
      [...new Set(target.logins)].sort(),
      Array.from({ length: 50 }, (_, i) => `user${i + 1}`).sort(),
    );
    assert.equal(result.metrics.errorRate, 0);
    assert.equal(result.metrics.checksPassRate, 1);
    assert.equal(target.ratings - ratings, result.metrics.iterations);
  });

  it('k6-operator e2e basic-testrun-1: refused at load, naming the extension and remote module it needs (exit 107)', async () => {
    const result = await run(join(operatorE2e, 'basic-testrun-1', 'test.js'));
    assert.equal(result.exitCode, 107);
    const line = logs.find((l) => l.startsWith('ERRO')) ?? '';
    assert.match(line, /module 'k6\/x\/environment' is not supported/);
    assert.match(line, /remote module 'https:\/\/jslib\.k6\.io\/k6-testing\/0\.6\.1\/index\.js'/);
    assert.equal(result.metrics.iterations, 0);
  });

  it('08.arrival-rate: 20 iterations/s for 30 s is 600 iterations, none dropped; handleSummary writes its files', async () => {
    const result = await run('08.arrival-rate.js');
    assert.equal(result.exitCode, 0, logs.join('\n'));
    assert.equal(result.metrics.iterations, 600);
    assert.equal(result.metrics.droppedIterations, 0);
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    assert.equal(summary.metrics.quickpizza_number_of_pizzas.values.count, 600);
    assert.equal(summary.metrics.quickpizza_ingredients.thresholds['avg<8'].ok, true);
    assert.match(runs.stdout, /quickpizza_number_of_pizzas/);
  });
});
