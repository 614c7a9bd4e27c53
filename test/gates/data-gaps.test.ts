/**
 * Gaps are not data, against a real Prometheus that the test crashes (SIGKILL) and restarts inside a window, then
 * freezes (SIGSTOP): a failing pendingPods gate still fails, gates that would pass only because data is missing are
 * inconclusive, and a frozen server does not stretch a continuous window past its query deadline.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { evaluateOnce, queryBudgetMs } from '../../actions/lib/gates/evaluate.js';
import { parseGateFile } from '../../actions/lib/gates/load.js';
import { runGates } from '../../actions/lib/gates/run.js';
import type { GateResult } from '../../actions/lib/gates/types.js';
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
  - {name: stuck, type: pendingPods, namespace: gap-stuck, maxPendingDuration: 3s}
  - {name: quiet, type: pendingPods, namespace: gap-quiet, maxPending: 0}
  - {name: scale, type: hpaScaleOut, namespace: gap, hpa: slow, minReplicas: 4, within: 6s}
`,
  'gates.yaml',
);

function podGauges(namespace: string, pod: string, phase: 'Pending' | 'Running', created: number) {
  const ids = { namespace, pod, uid: `uid-${pod}` };
  exporter.gauge('kube_pod_status_phase', { ...ids, phase: 'Pending' }, phase === 'Pending' ? 1 : 0);
  exporter.gauge('kube_pod_status_phase', { ...ids, phase: 'Running' }, phase === 'Running' ? 1 : 0);
  exporter.gauge('kube_pod_created', ids, created);
  return ids;
}

async function evaluate(start: Date, end: Date): Promise<Map<string, GateResult>> {
  const results = await evaluateOnce(set.gates, gateContext(client, { start, end }));
  return new Map(results.map((r) => [r.name, r]));
}

/** Resolves once Prometheus holds a successful scrape taken after `since`. */
async function scrapedAfter(since: Date): Promise<void> {
  await eventually(
    'a scrape',
    async () => {
      const [sample] = await client.query('timestamp(up == 1)').catch(() => []);
      return (sample?.value[1] ?? 0) * 1000 > since.getTime();
    },
    { timeoutMs: 60_000 },
  );
}

/** Resolves once `ms` have passed since `start` and a scrape after that is stored. */
async function windowOf(start: Date, ms: number): Promise<Date> {
  await eventually(`${ms} ms of window`, () => Date.now() - start.getTime() >= ms, { timeoutMs: ms + 5000 });
  const end = new Date();
  await scrapedAfter(end);
  return end;
}

before(async () => {
  const now = Math.floor(Date.now() / 1000);
  podGauges('gap-stuck', 'stuck', 'Pending', now);
  const calm = podGauges('gap-quiet', 'calm', 'Running', now - 600);
  exporter.gauge('kube_pod_status_scheduled_time', calm, now - 599);
  const hpa = { namespace: 'gap', horizontalpodautoscaler: 'slow' };
  exporter.gauge('kube_horizontalpodautoscaler_status_current_replicas', hpa, 2);
  await exporter.start();
  prometheus = await startPrometheus({
    targets: [{ job: 'ksm', url: exporter.url }],
    scrapeIntervalSeconds: 1,
  });
  client = new PrometheusClient({ url: prometheus.url, retries: 1, backoffMs: 50 });
  await prometheus.waitForSample('kube_pod_created');
});

after(async () => {
  await client?.close();
  await prometheus?.stop();
  await exporter.close();
});

test('without a gap: the quiet namespace passes, the stuck pod and the slow HPA fail', async () => {
  const start = new Date();
  const end = await windowOf(start, 7000);
  const results = await evaluate(start, end);
  assert.equal(results.get('quiet')!.status, 'pass', results.get('quiet')!.reason);
  assert.equal(results.get('stuck')!.status, 'fail', results.get('stuck')!.reason);
  assert.equal(results.get('scale')!.status, 'fail', results.get('scale')!.reason);
});

test('a Prometheus crash and restart inside the window: the failure still fails, passes become inconclusive', async () => {
  const start = new Date();
  await scrapedAfter(new Date(start.getTime() + 1000));
  await prometheus.crash();
  // While Prometheus is down, a pod in the quiet namespace is created, Pending, and deleted: nobody sees it.
  const blip = podGauges('gap-quiet', 'blip', 'Pending', Math.floor(Date.now() / 1000));
  await eventually('4 s of outage', () => Date.now() - start.getTime() >= 5000);
  for (const phase of ['Pending', 'Running']) exporter.remove('kube_pod_status_phase', { ...blip, phase });
  exporter.remove('kube_pod_created', blip);
  await prometheus.restart();
  const end = await windowOf(start, 9000);
  const results = await evaluate(start, end);

  const stuck = results.get('stuck')!;
  assert.equal(stuck.status, 'fail', stuck.reason);
  assert.ok((stuck.observed.longestPendingSeconds as number) >= 8, stuck.reason);

  const quiet = results.get('quiet')!;
  assert.equal(quiet.status, 'inconclusive', quiet.reason);
  assert.match(
    quiet.reason,
    /no failure in the data, but \d+(\.\d)?s of the window without a successful scrape/,
  );
  assert.ok((quiet.observed.dataGapSeconds as number) >= 3, quiet.reason);

  const scale = results.get('scale')!;
  assert.equal(scale.status, 'inconclusive', scale.reason);
  assert.match(
    scale.reason,
    /peaked at 2 of 4 replicas, but before the 6s deadline there was .*may have scaled out/,
  );
});

test('a frozen Prometheus (SIGSTOP) does not stretch a continuous window past its query deadline', async () => {
  // The client's own patience (10 s per attempt, 4 attempts) would hold every query for over 40 s.
  const patient = new PrometheusClient({ url: prometheus.url });
  const start = new Date();
  const end = new Date(start.getTime() + 6000);
  let frozen = false;
  try {
    const verdict = await runGates({
      set,
      defaults: {},
      client: patient,
      window: { start, end },
      stepSeconds: 1,
      continuous: { intervalMs: 500 },
      onEvaluation: () => {
        if (frozen) return;
        frozen = true;
        process.kill(prometheus.pid!, 'SIGSTOP');
      },
    });
    const late = Date.now() - end.getTime();
    const budget = queryBudgetMs({ start, end });
    assert.ok(frozen, 'Prometheus was frozen after the first evaluation');
    assert.ok(late < budget + 5000, `ended ${late} ms after the window (query budget ${budget} ms)`);
    assert.notEqual(verdict.status, 'pass');
    for (const gate of verdict.gates) {
      assert.equal(gate.status, 'inconclusive', `${gate.name}: ${gate.reason}`);
      assert.match(gate.reason, /did not answer by the evaluation deadline/);
    }
  } finally {
    if (frozen) process.kill(prometheus.pid!, 'SIGCONT');
    await patient.close();
  }
});
