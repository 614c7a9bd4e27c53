/**
 * Continuous evaluation against a real Prometheus: stopping at the first failure when a regression starts, a clean
 * window ending in a whole-window verdict, cancellation, and Prometheus going away mid-evaluation (the last tests:
 * they stop the server this file shares).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { evaluateContinuously, evaluateOnce } from '../../actions/lib/gates/evaluate.js';
import { parseGateFile } from '../../actions/lib/gates/load.js';
import { runGates } from '../../actions/lib/gates/run.js';
import type { GateContext } from '../../actions/lib/gates/types.js';
import { PrometheusClient } from '../../actions/lib/prometheus/client.js';
import { type PrometheusServer, startPrometheus } from '../../cli/local/prometheus-server.js';
import { ScriptedExporter } from '../prometheus/scripted-exporter.js';
import { eventually } from '../support/eventually.js';
import { gateContext } from './context.js';

const exporter = new ScriptedExporter();
let prometheus: PrometheusServer;
let client: PrometheusClient;

const set = parseGateFile(
  `
gates:
  - {name: errors, type: errorRate, max: 5%, selector: {service: shop}}
  - {name: p95, type: latency, max: 300ms, selector: {service: shop}}
`,
  'gates.yaml',
);

function context(start: Date, end: Date, overrides: Partial<GateContext> = {}): GateContext {
  return gateContext(client, { start, end }, { lookbackMs: 3000, ...overrides });
}

before(async () => {
  exporter.setTraffic({ service: 'shop' }, { rps: 40, latencySeconds: 0.03 });
  await exporter.start();
  prometheus = await startPrometheus({
    targets: [{ job: 'shop', url: exporter.url }],
    scrapeIntervalSeconds: 1,
  });
  client = new PrometheusClient({ url: prometheus.url, retries: 1, backoffMs: 50, timeoutMs: 3000 });
  await prometheus.waitForSample('http_requests_total');
  // Rate-based gates need at least two scrapes in their lookback.
  await eventually(
    'three scrapes',
    async () => {
      const [sample] = await client.query('count_over_time(http_requests_total[10s])');
      return (sample?.value[1] ?? 0) >= 3;
    },
    { timeoutMs: 60_000 },
  );
});

/** After a scripted regression: wait until the lookback holds only healthy traffic again. */
async function healthy(): Promise<void> {
  await eventually(
    'healthy traffic',
    async () => {
      const results = await evaluateOnce(set.gates, context(new Date(Date.now() - 3000), new Date()));
      return results.every((r) => r.status === 'pass');
    },
    { timeoutMs: 60_000 },
  );
}

after(async () => {
  await client?.close();
  await prometheus?.stop();
  await exporter.close();
});

test('a clean window ends with one whole-window evaluation that passes', async () => {
  const start = new Date(Date.now() - 3000);
  const verdict = await runGates({
    set,
    defaults: {},
    client,
    window: { start, end: new Date(Date.now() + 2500) },
    stepSeconds: 1,
    continuous: { intervalMs: 500, lookbackMs: 3000 },
  });
  assert.equal(verdict.status, 'pass', verdict.summary);
  assert.equal(verdict.mode, 'continuous');
  assert.equal(verdict.continuous?.stoppedEarly, false);
  assert.ok(verdict.continuous!.evaluations >= 2);
  assert.ok(verdict.gates[0]!.series.length > 0, 'the final evaluation fetches plot series');
});

test('stops at the first definitive failure once a regression starts, long before the window ends', async () => {
  await healthy();
  const start = new Date(Date.now() - 3000);
  const end = new Date(Date.now() + 120_000);
  let evaluations = 0;
  const run = evaluateContinuously(set.gates, context(start, end), {
    intervalMs: 500,
    onEvaluation: () => {
      evaluations++;
      if (evaluations === 2) exporter.setTraffic({ service: 'shop' }, { errorRatio: 0.5 });
    },
  });
  const result = await run;
  try {
    assert.equal(result.stoppedEarly, true);
    assert.match(result.stopReason, /gate errors failed 1 time\(s\) \(failureLimit 0\)/);
    assert.equal(result.results.find((r) => r.name === 'errors')!.status, 'fail');
    assert.ok(Date.now() < end.getTime());
    assert.ok(result.evaluations > 2, 'the first evaluations passed');
  } finally {
    exporter.setTraffic({ service: 'shop' }, { errorRatio: 0 });
  }
});

test('failureLimit tolerates failed evaluations before failing', async () => {
  exporter.setTraffic({ service: 'shop' }, { latencySeconds: 0.4 });
  try {
    await eventually(
      'slow requests to show',
      async () => {
        const [r] = await evaluateOnce(set.gates.slice(1), context(new Date(Date.now() - 3000), new Date()));
        return r!.status === 'fail';
      },
      { timeoutMs: 60_000 },
    );
    const result = await evaluateContinuously(
      set.gates.slice(1),
      context(new Date(Date.now() - 3000), new Date(Date.now() + 60_000)),
      {
        intervalMs: 200,
        failureLimit: 2,
      },
    );
    assert.equal(result.stoppedEarly, true);
    assert.equal(result.evaluations, 3);
    assert.match(result.stopReason, /failed 3 time\(s\) \(failureLimit 2\)/);
  } finally {
    exporter.setTraffic({ service: 'shop' }, { latencySeconds: 0.03 });
  }
});

test('cancellation never passes: gates not failed end inconclusive', async () => {
  await healthy();
  const controller = new AbortController();
  const result = await evaluateContinuously(
    set.gates,
    context(new Date(Date.now() - 3000), new Date(Date.now() + 60_000), { signal: controller.signal }),
    { intervalMs: 300, onEvaluation: () => controller.abort() },
  );
  assert.equal(result.stopReason, 'cancelled');
  assert.ok(result.results.every((r) => r.status === 'inconclusive'));
  assert.match(result.results[0]!.reason, /evaluation cancelled before the window ended/);
});

test('Prometheus down between evaluations: inconclusive with the reason, never a pass', async () => {
  await healthy();
  const window = context(new Date(Date.now() - 3000), new Date());
  const before = await evaluateOnce(set.gates, window);
  assert.deepEqual(
    before.map((r) => r.status),
    ['pass', 'pass'],
  );
  await prometheus.stop();
  const afterStop = await evaluateOnce(set.gates, context(new Date(Date.now() - 3000), new Date()));
  for (const r of afterStop) {
    assert.equal(r.status, 'inconclusive');
    assert.equal(r.error?.kind, 'unreachable');
    assert.match(
      r.reason,
      /^Prometheus at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\) \(after 2 attempts\)$/,
    );
  }
});

test('continuous mode gives up after consecutiveErrorLimit errors in a row, inconclusive', async () => {
  const result = await evaluateContinuously(
    set.gates,
    context(new Date(Date.now() - 3000), new Date(Date.now() + 60_000)),
    { intervalMs: 100, consecutiveErrorLimit: 2 },
  );
  assert.equal(result.stoppedEarly, true);
  assert.equal(result.evaluations, 3);
  assert.match(result.stopReason, /could not be evaluated 3 times in a row \(consecutiveErrorLimit 2\)/);
  assert.ok(result.results.every((r) => r.status === 'inconclusive'));
});
