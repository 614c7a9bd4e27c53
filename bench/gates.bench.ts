/**
 * Continuous gates: time from a regression's onset to a failed verdict, against the goal "three scrape intervals
 * plus one evaluation interval" (the reference, as a ratio), and the Prometheus queries one evaluation costs.
 * A real Prometheus scrapes a scripted exporter every second; the exporter switches to bad latency or errors at a
 * random point between evaluations, the continuous evaluation stops at the first failure.
 */
import { evaluateContinuously, evaluateOnce } from '../actions/lib/gates/evaluate.js';
import { parseGateFile } from '../actions/lib/gates/load.js';
import type { GateContext } from '../actions/lib/gates/types.js';
import { PrometheusClient } from '../actions/lib/prometheus/client.js';
import { startPrometheus } from '../cli/local/prometheus-server.js';
import { ScriptedExporter } from '../test/prometheus/scripted-exporter.js';
import { eventually } from '../test/support/eventually.js';

const scrapeSeconds = 1;
const intervalMs = 1000;
const lookbackMs = 4 * scrapeSeconds * 1000;
const goalMs = 3 * scrapeSeconds * 1000 + intervalMs;
const repetitions = 3;

const set = parseGateFile(
  `
gates:
  - {name: errors, type: errorRate, max: 5%, selector: {service: web}}
  - {name: p95, type: latency, max: 300ms, selector: {service: web}}
  - {name: load, type: loadApplied, minRate: 10, selector: {service: web}}
  - {name: scaled, type: hpaScaleOut, namespace: shop, hpa: web, minReplicas: 2, within: 10m}
  - {name: pending, type: pendingPods, namespace: shop, maxPending: 3, maxPendingDuration: 1m}
`,
  'bench-gates.yaml',
);

const exporter = new ScriptedExporter();
exporter.setTraffic(
  { namespace: 'shop', service: 'web', track: 'stable' },
  { rps: 100, latencySeconds: 0.03 },
);
exporter.gauge(
  'kube_horizontalpodautoscaler_status_current_replicas',
  { namespace: 'shop', horizontalpodautoscaler: 'web' },
  3,
);
exporter.gauge('kube_pod_status_phase', { namespace: 'shop', pod: 'web-1', uid: 'u1', phase: 'Pending' }, 0);
await exporter.start();
const prometheus = await startPrometheus({
  targets: [{ job: 'bench', url: exporter.url }],
  scrapeIntervalSeconds: scrapeSeconds,
});
let requests = 0;
const client = new PrometheusClient({ url: prometheus.url, onRequest: () => requests++ });

const context = (start: Date, end: Date): GateContext => ({
  client,
  window: { start, end },
  stepSeconds: scrapeSeconds,
  metrics: set.metrics,
  defaults: {},
  includeSeries: false,
  lookbackMs,
});

/** A minute back, but never before the first scrape: a window without data is a gap, and gaps never pass. */
let firstScrape = 0;
const minuteBack = () => new Date(Math.max(Date.now() - 60_000, firstScrape));

async function healthy(): Promise<void> {
  await eventually(
    'healthy traffic',
    async () =>
      (await evaluateOnce(set.gates, context(minuteBack(), new Date()))).every((r) => r.status === 'pass'),
    { timeoutMs: 120_000 },
  );
}

const rows: string[] = [];
const detections: number[] = [];
let evaluations = 0;
let queriesInLoop = 0;
try {
  await prometheus.waitForSample('http_requests_total');
  firstScrape = Date.now();
  for (let rep = 0; rep < repetitions; rep++) {
    await healthy();
    const kind = rep % 2 === 0 ? 'latency' : 'errors';
    let onset = 0;
    let switchAt = 0;
    const start = minuteBack();
    const before = requests;
    const result = await evaluateContinuously(set.gates, context(start, new Date(Date.now() + 120_000)), {
      intervalMs,
      onEvaluation: (_, n) => {
        if (n !== 2) return;
        // The regression starts somewhere between two evaluations, as it would in real life.
        switchAt = Date.now() + Math.random() * intervalMs;
        setTimeout(() => {
          onset = Date.now();
          exporter.setTraffic(
            { namespace: 'shop', service: 'web', track: 'stable' },
            kind === 'latency' ? { latencySeconds: 0.4 } : { errorRatio: 0.5 },
          );
        }, switchAt - Date.now());
      },
    });
    const detected = Date.now() - onset;
    evaluations += result.evaluations;
    queriesInLoop += requests - before;
    exporter.setTraffic(
      { namespace: 'shop', service: 'web', track: 'stable' },
      { latencySeconds: 0.03, errorRatio: 0 },
    );
    if (!result.stoppedEarly || onset === 0)
      throw new Error(`repetition ${rep}: no failure detected (${result.stopReason})`);
    detections.push(detected);
    rows.push(
      `| ${rep + 1} | ${kind} | ${(detected / 1000).toFixed(2)} s | ${(detected / goalMs).toFixed(2)} | ${result.evaluations} | ${result.stopReason} |`,
    );
  }
} finally {
  await client.close();
  await prometheus.stop();
  await exporter.close();
}

const median = [...detections].sort((a, b) => a - b)[Math.floor(detections.length / 2)]!;
console.log(`## Gates: regression onset to failed verdict (continuous mode)

A real Prometheus scraping every ${scrapeSeconds} s, evaluation every ${intervalMs / 1000} s, rate-based gates over a
${lookbackMs / 1000} s lookback; ${set.gates.length} gates (errorRate, latency, loadApplied, hpaScaleOut, pendingPods).
Reference: the goal, 3 scrape intervals + 1 evaluation interval = ${goalMs / 1000} s. A ratio ≤ 1 meets it.

| run | regression | onset → failed verdict | ratio to goal | evaluations | stopped because |
|---|---|---|---|---|---|
${rows.join('\n')}

- Median detection: **${(median / 1000).toFixed(2)} s = ${(median / goalMs).toFixed(2)} × the goal**.
- Prometheus queries per evaluation (${set.gates.length} gates, passing): **${(queriesInLoop / evaluations).toFixed(1)}**
  (one per gate, but pendingPods: its phases, creation and scheduling times, and while it passes the scrape targets
  and their \`up\` samples to find data gaps; a failing pendingPods gate adds two for its cause, failWhenLimited one).
`);
