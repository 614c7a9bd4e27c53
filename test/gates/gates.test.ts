/**
 * Every gate type against a real Prometheus scraping a scripted exporter once a second. All scenarios live in
 * their own namespaces of one exporter and share one timeline, so one Prometheus and one ~8 s window cover them.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { evaluateOnce } from '../../actions/lib/gates/evaluate.js';
import { parseGateFile } from '../../actions/lib/gates/load.js';
import type { GateContext, GateResult } from '../../actions/lib/gates/types.js';
import { PrometheusClient } from '../../actions/lib/prometheus/client.js';
import { type PrometheusServer, startPrometheus } from '../../cli/local/prometheus-server.js';
import { ScriptedExporter } from '../prometheus/scripted-exporter.js';
import { eventually } from '../support/eventually.js';
import { gateContext } from './context.js';
import { runCli } from './run-cli.js';

const exporter = new ScriptedExporter();
let prometheus: PrometheusServer;
let client: PrometheusClient;
let window: { start: Date; end: Date };
let results: Map<string, GateResult>;
let dir: string;

function hpa(namespace: string, name: string, replicas: number, max = 10): void {
  const labels = { namespace, horizontalpodautoscaler: name };
  exporter.gauge('kube_horizontalpodautoscaler_status_current_replicas', labels, replicas);
  exporter.gauge('kube_horizontalpodautoscaler_status_desired_replicas', labels, replicas);
  exporter.gauge('kube_horizontalpodautoscaler_spec_max_replicas', labels, max);
}

function pod(
  namespace: string,
  name: string,
  phase: 'Pending' | 'Running',
  labels: Record<string, string> = {},
  createdSecondsAgo = 0,
): void {
  const ids = { namespace, pod: name, uid: `uid-${name}` };
  exporter.gauge('kube_pod_status_phase', { ...ids, phase: 'Pending' }, phase === 'Pending' ? 1 : 0);
  exporter.gauge('kube_pod_status_phase', { ...ids, phase: 'Running' }, phase === 'Running' ? 1 : 0);
  // A pod's creation time never changes: only its first call sets it.
  if (!exporter.has('kube_pod_created', ids))
    exporter.gauge('kube_pod_created', ids, Math.floor(Date.now() / 1000) - createdSecondsAgo);
  const podLabels = Object.fromEntries(Object.entries(labels).map(([k, v]) => [`label_${k}`, v]));
  exporter.gauge('kube_pod_labels', { ...ids, ...podLabels }, 1);
}

const gateFile = `
gates:
  - {name: hpa-pass, type: hpaScaleOut, namespace: hpa, hpa: web, minReplicas: 6, within: 30s}
  - {name: hpa-track, type: hpaScaleOut, namespace: hpa, track: canary, service: web, factor: 2, within: 30s}
  - {name: hpa-fail, type: hpaScaleOut, namespace: hpa, hpa: stuck, minReplicas: 6, within: 2s}
  - {name: hpa-pending, type: hpaScaleOut, namespace: hpa, hpa: stuck, minReplicas: 6, within: 10m}
  - {name: hpa-nodata, type: hpaScaleOut, namespace: hpa, hpa: ghost, minReplicas: 2, within: 30s}
  - {name: hpa-limited, type: hpaScaleOut, namespace: hpa, hpa: limited, minReplicas: 5, within: 30s, failWhenLimited: true}
  - {name: pending-pass, type: pendingPods, namespace: pods-ok, maxPending: 1, maxPendingDuration: 30s}
  - {name: pending-capacity, type: pendingPods, namespace: pods-capacity, maxPending: 2}
  - {name: pending-selector, type: pendingPods, namespace: pods-capacity, selector: {app: web}, maxPending: 0}
  - {name: pending-app, type: pendingPods, namespace: pods-app, maxPendingDuration: 2s}
  - {name: pending-nodata, type: pendingPods, namespace: nowhere, maxPending: 0}
  - {name: latency-pass, type: latency, quantile: 0.95, max: 300ms, selector: {service: web, track: stable}}
  - {name: latency-fail, type: latency, quantile: 0.95, max: 300ms, selector: {service: web, track: canary}}
  - {name: latency-nodata, type: latency, max: 300ms, selector: {service: ghost}}
  - {name: errors-pass, type: errorRate, max: 1%, namespace: app, selector: {service: web}, track: stable}
  - {name: errors-fail, type: errorRate, max: 0.01, selector: {service: web, track: canary}}
  - {name: errors-nodata, type: errorRate, max: 1%, selector: {service: ghost}}
  - {name: load-pass, type: loadApplied, minRate: 30, selector: {service: web}}
  - {name: load-fraction, type: loadApplied, minFraction: 50%, selector: {service: web}}
  - {name: load-fail, type: loadApplied, minRate: 1000, selector: {service: web}}
  - {name: load-nodata, type: loadApplied, minRate: 1, selector: {service: ghost}}
  - {name: canary-fail, type: canaryVsStable, maxRatio: 1.1, minSamples: 20, selector: {service: web}}
  - {name: canary-pass, type: canaryVsStable, maxRatio: 1.1, minSamples: 20, selector: {service: twin}}
  - {name: canary-errors, type: canaryVsStable, metric: errorRate, maxRatio: 2, minSamples: 20, selector: {service: web}}
  - {name: canary-few, type: canaryVsStable, maxRatio: 1.1, minSamples: 1000000, selector: {service: twin}}
  - name: promql-pass
    type: promql
    query: max(kube_horizontalpodautoscaler_status_current_replicas{namespace="hpa", horizontalpodautoscaler="web"})
    successCondition: result >= 6
  - name: promql-fail
    type: promql
    query: sum(rate(http_requests_total{service="web", code=~"5.."}[$window]))
    failureCondition: result > 0
  - {name: promql-nodata, type: promql, query: 'absent_over_time(up[1m]) * 0', successCondition: result == 0}
  - {name: promql-nodata-pass, type: promql, query: 'up{job="nothing"}', successCondition: result == 1, noData: pass}
  - name: promql-neither
    type: promql
    query: max(kube_horizontalpodautoscaler_status_current_replicas{horizontalpodautoscaler="web", namespace="hpa"})
    successCondition: result > 100
    failureCondition: result < 1
  - name: promql-lambda
    type: promql
    query: kube_horizontalpodautoscaler_status_current_replicas{namespace="hpa"}
    successCondition: 'len(result) >= 3 && all(result, # >= 1)'
  - name: promql-ambiguous
    type: promql
    query: kube_horizontalpodautoscaler_status_current_replicas{namespace="hpa"}
    successCondition: result > 1
`;

function context(overrides: Partial<GateContext> = {}): GateContext {
  return gateContext(client, window, { targetRate: 100, includeSeries: true, ...overrides });
}

function result(name: string): GateResult {
  const found = results.get(name);
  assert.ok(found, `no result for ${name}`);
  return found;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scalegate-gates-'));
  hpa('hpa', 'web', 2);
  hpa('hpa', 'web-canary', 2);
  hpa('hpa', 'stuck', 2);
  hpa('hpa', 'limited', 5, 5);
  const limited = { namespace: 'hpa', horizontalpodautoscaler: 'limited' };
  exporter.gauge(
    'kube_horizontalpodautoscaler_status_condition',
    { ...limited, condition: 'ScalingLimited', status: 'true' },
    1,
  );
  exporter.gauge(
    'kube_horizontalpodautoscaler_status_condition',
    { ...limited, condition: 'ScalingLimited', status: 'false' },
    0,
  );
  const metric = { ...limited, metric_name: 'cpu', metric_target_type: 'utilization', container: '' };
  exporter.gauge('kube_horizontalpodautoscaler_spec_target_metric', metric, 80);
  exporter.gauge('kube_horizontalpodautoscaler_status_target_metric', metric, 150);

  pod('pods-ok', 'a', 'Running');
  pod('pods-ok', 'b', 'Pending');
  for (const name of ['c1', 'c2', 'c3']) {
    pod('pods-capacity', name, 'Pending', { app: 'batch' });
    exporter.gauge(
      'kube_pod_status_unschedulable',
      { namespace: 'pods-capacity', pod: name, uid: `uid-${name}` },
      1,
    );
  }
  pod('pods-capacity', 'w1', 'Running', { app: 'web' });
  pod('pods-app', 'img', 'Pending', {}, 120);
  exporter.gauge(
    'kube_pod_container_status_waiting_reason',
    { namespace: 'pods-app', pod: 'img', uid: 'uid-img', container: 'app', reason: 'ImagePullBackOff' },
    1,
  );

  exporter.setTraffic(
    { namespace: 'app', service: 'web', track: 'stable' },
    { rps: 50, latencySeconds: 0.03 },
  );
  exporter.setTraffic(
    { namespace: 'app', service: 'web', track: 'canary' },
    { rps: 20, latencySeconds: 0.4, errorRatio: 0.1 },
  );
  exporter.setTraffic(
    { namespace: 'app', service: 'twin', track: 'stable' },
    { rps: 30, latencySeconds: 0.2 },
  );
  exporter.setTraffic(
    { namespace: 'app', service: 'twin', track: 'canary' },
    { rps: 30, latencySeconds: 0.2 },
  );
  await exporter.start();

  prometheus = await startPrometheus({
    targets: [{ job: 'scripted', url: exporter.url }],
    scrapeIntervalSeconds: 1,
  });
  client = new PrometheusClient({ url: prometheus.url, retries: 1, backoffMs: 100 });
  await prometheus.waitForSample('kube_horizontalpodautoscaler_status_current_replicas');
  const start = new Date();
  // The timeline: two seconds in, the HPAs scale out and the short-lived Pending pod gets scheduled.
  await new Promise((r) => setTimeout(r, 2000));
  hpa('hpa', 'web', 6);
  hpa('hpa', 'web-canary', 4);
  pod('pods-ok', 'b', 'Running');
  // A pod Pending for exactly 4 s (by its kube-state-metrics timestamps), far shorter than a 15 s step.
  pod('pods-quick', 'quick', 'Pending');
  const quickCreated = Math.floor(Date.now() / 1000);
  exporter.gauge(
    'kube_pod_created',
    { namespace: 'pods-quick', pod: 'quick', uid: 'uid-quick' },
    quickCreated,
  );
  await eventually('4 s of the quick pod Pending', () => Date.now() >= (quickCreated + 4) * 1000);
  pod('pods-quick', 'quick', 'Running');
  exporter.gauge(
    'kube_pod_status_scheduled_time',
    { namespace: 'pods-quick', pod: 'quick', uid: 'uid-quick' },
    quickCreated + 4,
  );
  await eventually(
    'the scale-out to be scraped',
    async () => {
      const [sample] = await client.query(
        'max(kube_horizontalpodautoscaler_status_current_replicas{namespace="hpa",horizontalpodautoscaler="web"})',
      );
      return sample?.value[1] === 6 && Date.now() - start.getTime() > 7000;
    },
    { timeoutMs: 60_000 },
  );
  window = { start, end: new Date() };
  const set = parseGateFile(gateFile, 'gates.yaml');
  results = new Map((await evaluateOnce(set.gates, context())).map((r) => [r.name, r]));
});

after(async () => {
  await client?.close();
  await prometheus?.stop();
  await exporter.close();
  await rm(dir, { recursive: true, force: true });
});

describe('hpaScaleOut', () => {
  test('passes when the HPA reaches minReplicas within the deadline, reporting the time it took', () => {
    const r = result('hpa-pass');
    assert.equal(r.status, 'pass', r.reason);
    assert.equal(r.observed.startReplicas, 2);
    assert.equal(r.observed.peakReplicas, 6);
    const took = r.observed.timeToScaleSeconds as number;
    assert.ok(took >= 1.5 && took <= (window.end.getTime() - window.start.getTime()) / 1000, `took ${took}`);
    assert.equal(
      r.queries[0],
      'max(kube_horizontalpodautoscaler_status_current_replicas{namespace="hpa",horizontalpodautoscaler="web"})',
    );
    assert.ok(r.series[0]!.points.length > 3);
    assert.ok((r.margin as number) > 0);
  });

  test('finds the canary HPA by track and scales by a factor of the starting replicas', () => {
    const r = result('hpa-track');
    assert.equal(r.status, 'pass', r.reason);
    assert.equal(r.observed.targetReplicas, 4);
    assert.match(r.queries[0]!, /horizontalpodautoscaler="web-canary"/);
  });

  test('fails when the deadline passed without reaching the target', () => {
    const r = result('hpa-fail');
    assert.equal(r.status, 'fail');
    assert.match(r.reason, /peaked at 2 replicas .* did not reach 6 within 2s/);
  });

  test('is inconclusive (unsettled) when the deadline lies after the window end', () => {
    const r = result('hpa-pending');
    assert.equal(r.status, 'inconclusive');
    assert.equal(r.settled, false);
  });

  test('is inconclusive without data', () => {
    const r = result('hpa-nodata');
    assert.equal(r.status, 'inconclusive');
    assert.match(
      r.reason,
      /no kube_horizontalpodautoscaler_status_current_replicas series for HPA hpa\/ghost/,
    );
  });

  test('failWhenLimited fails an HPA pinned at maxReplicas while above target, even at minReplicas', () => {
    const r = result('hpa-limited');
    assert.equal(r.status, 'fail');
    assert.match(r.reason, /pinned at maxReplicas \(5\) with ScalingLimited=True/);
    assert.equal(r.queries.length, 2);
  });
});

describe('pendingPods', () => {
  test('passes when a pod was Pending briefly', () => {
    const r = result('pending-pass');
    assert.equal(r.status, 'pass', r.reason);
    assert.equal(r.observed.maxPending, 1);
    assert.equal(r.observed.longestPendingPod, 'b');
  });

  test('fails on too many Pending pods and names missing capacity as the cause', () => {
    const r = result('pending-capacity');
    assert.equal(r.status, 'fail');
    assert.equal(r.observed.maxPending, 3);
    assert.equal(r.observed.cause, 'capacity');
    assert.match(r.reason, /3 pod\(s\) were Pending at once .*capacity: 3 pod\(s\) Unschedulable/);
    assert.equal(r.margin, -1);
  });

  test('a selector joins kube_pod_labels and only counts the matching pods', () => {
    const r = result('pending-selector');
    assert.equal(r.status, 'pass', r.reason);
    assert.equal(r.observed.podsSeen, 1);
    assert.match(
      r.queries[0]!,
      /\* on \(namespace, pod\) group_left \(\) max by \(namespace, pod\) \(kube_pod_labels\{namespace="pods-capacity",label_app="web"\}\)/,
    );
  });

  test('fails on a pod Pending too long (counted from its creation) and names the app as the cause', () => {
    const r = result('pending-app');
    assert.equal(r.status, 'fail');
    assert.equal(r.observed.cause, 'app');
    assert.match(r.reason, /pod img was Pending for .*the app: img ImagePullBackOff/);
    assert.ok((r.observed.longestPendingSeconds as number) >= 120, 'counted from kube_pod_created');
  });

  test('measures Pending from kube_pod_created to kube_pod_status_scheduled_time, whatever the step', async () => {
    const gates = parseGateFile(
      'gates: [{name: quick, type: pendingPods, namespace: pods-quick, maxPendingDuration: 2s, maxPending: 0}]\n',
      'gates.yaml',
    ).gates;
    for (const stepSeconds of [1, 15]) {
      const [r] = await evaluateOnce(gates, context({ stepSeconds }));
      assert.equal(r!.status, 'fail', `step ${stepSeconds}s: ${r!.reason}`);
      // 4 s by the timestamps; a scrape just before the pod turned Running may add a fraction of a second.
      const longest = r!.observed.longestPendingSeconds as number;
      assert.ok(longest >= 4 && longest < 5, `step ${stepSeconds}s: longest ${longest}`);
      assert.equal(r!.observed.longestPendingPod, 'quick');
      assert.equal(r!.observed.maxPending, 1, `step ${stepSeconds}s`);
      assert.match(r!.reason, /pod quick was Pending for 4(\.\d)?s \(max 2s\)/);
    }
  });

  test('is inconclusive when no pod matches', () => {
    assert.equal(result('pending-nodata').status, 'inconclusive');
  });
});

describe('latency, errorRate, loadApplied', () => {
  test('latency passes, fails and is inconclusive without requests', () => {
    const pass = result('latency-pass');
    assert.equal(pass.status, 'pass', pass.reason);
    assert.ok((pass.observed.p95Ms as number) < 50);
    const fail = result('latency-fail');
    assert.equal(fail.status, 'fail');
    assert.ok((fail.observed.p95Ms as number) > 300);
    assert.ok((fail.margin as number) < 0);
    assert.match(
      fail.queries[0]!,
      /^histogram_quantile\(0\.95, sum by \(le\) \(rate\(http_request_duration_seconds_bucket\{service="web",track="canary"\}\[\d+ms\]\)\)\)$/,
    );
    assert.equal(result('latency-nodata').status, 'inconclusive');
  });

  test('errorRate reads 0 when no 5xx series exists, fails on 10% errors, is inconclusive without requests', () => {
    const pass = result('errors-pass');
    assert.equal(pass.status, 'pass', pass.reason);
    assert.equal(pass.observed.errorRatio, 0);
    assert.match(pass.queries[0]!, /namespace="app",service="web",track="stable",code=~"5\.\."/);
    const fail = result('errors-fail');
    assert.equal(fail.status, 'fail');
    assert.ok(Math.abs((fail.observed.errorRatio as number) - 0.1) < 0.02);
    assert.equal(result('errors-nodata').status, 'inconclusive');
  });

  test('loadApplied compares the achieved rate with minRate or a fraction of the target rate', () => {
    assert.equal(result('load-pass').status, 'pass', result('load-pass').reason);
    assert.equal(result('load-fraction').status, 'pass');
    assert.equal(result('load-fraction').threshold.requiredRate, 50);
    assert.equal(result('load-fail').status, 'fail');
    assert.equal(result('load-nodata').status, 'inconclusive');
  });

  test('loadApplied minFraction without a target rate is inconclusive', async () => {
    const set = parseGateFile(gateFile, 'gates.yaml');
    const [r] = await evaluateOnce(
      set.gates.filter((g) => g.name === 'load-fraction'),
      context({ targetRate: undefined }),
    );
    assert.equal(r!.status, 'inconclusive');
    assert.match(r!.reason, /needs the load target rate/);
  });
});

describe('canaryVsStable', () => {
  test('fails a slower canary, passes equal tracks, is inconclusive below minSamples', () => {
    const fail = result('canary-fail');
    assert.equal(fail.status, 'fail', fail.reason);
    assert.ok((fail.observed.ratio as number) > 5);
    assert.equal(result('canary-pass').status, 'pass', result('canary-pass').reason);
    assert.equal(result('canary-pass').observed.ratio, 1);
    const few = result('canary-few');
    assert.equal(few.status, 'inconclusive');
    assert.match(few.reason, /too few requests/);
  });

  test('compares error ratios; a canary with errors against a clean stable is an unbounded ratio', () => {
    const r = result('canary-errors');
    assert.equal(r.status, 'fail');
    assert.equal(r.observed.ratio, null);
    assert.match(r.reason, /ratio ∞/);
  });
});

describe('promql', () => {
  test('success and failure conditions, $window, noData, neither, lambdas and ambiguous results', () => {
    assert.equal(result('promql-pass').status, 'pass', result('promql-pass').reason);
    const fail = result('promql-fail');
    assert.equal(fail.status, 'fail');
    assert.match(fail.queries[0]!, /\[\d+ms\]\)\)$/);
    assert.equal(result('promql-nodata').status, 'inconclusive');
    assert.equal(result('promql-nodata-pass').status, 'pass');
    assert.equal(result('promql-neither').status, 'inconclusive');
    assert.equal(result('promql-lambda').status, 'pass', result('promql-lambda').reason);
    const ambiguous = result('promql-ambiguous');
    assert.equal(ambiguous.status, 'inconclusive');
    assert.match(ambiguous.reason, /result has \d+ values; use result\[i\]/);
  });
});

describe('scalegate gate', () => {
  async function cli(gates: string, extra: string[] = []) {
    const file = join(dir, `gates-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, gates);
    const args = ['gate', '--prometheus', prometheus.url, '--gates', file, '--step', '1s'];
    args.push('--start', window.start.toISOString(), '--end', String(window.end.getTime() / 1000), ...extra);
    return runCli(args, dir);
  }

  test('exit 0 when every gate passes, and the verdict JSON is written', async () => {
    const run = await cli(
      'gates: [{name: up, type: hpaScaleOut, namespace: hpa, hpa: web, minReplicas: 6, within: 30s}]\n',
      ['--out', 'verdict.json'],
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^PASS up \(hpaScaleOut\): HPA hpa\/web reached 6 replicas/m);
    const verdict = JSON.parse(await readFile(join(dir, 'verdict.json'), 'utf8'));
    const schema = JSON.parse(await readFile('schema/verdict.schema.json', 'utf8'));
    const validate = new Ajv2020({ allowUnionTypes: true, validateFormats: false }).compile(schema);
    assert.equal(validate(verdict), true, JSON.stringify(validate.errors));
    assert.equal(verdict.schemaVersion, 'scalegate.dev/verdict/v2');
    assert.equal(verdict.status, 'pass');
    assert.equal(verdict.passed, true);
    assert.equal(verdict.gates[0].queries.length, 1);
  });

  test('exit 1 when a gate fails, 3 when inconclusive and none failed', async () => {
    const failing = await cli(
      'gates:\n  - {name: p95, type: latency, max: 300ms, selector: {service: web, track: canary}}\n  - {name: ghost, type: latency, max: 1s, selector: {service: ghost}}\n',
    );
    assert.equal(failing.code, 1, failing.stdout + failing.stderr);
    assert.match(failing.stdout, /^FAIL p95/m);
    assert.match(failing.stdout, /^INCONCLUSIVE ghost/m);
    const unknown = await cli('gates: [{name: ghost, type: latency, max: 1s, selector: {service: ghost}}]\n');
    assert.equal(unknown.code, 3, unknown.stdout + unknown.stderr);
  });
});

describe('actions/gate', () => {
  test('reads the load windows, writes the verdict, the outputs and a job-summary table; fails the step on fail', async () => {
    await writeFile(
      join(dir, 'action-gates.yaml'),
      'gates:\n  - {name: up, type: hpaScaleOut, namespace: hpa, hpa: web, minReplicas: 6, within: 30s}\n  - {name: p95, type: latency, max: 300ms, selector: {service: web, track: canary}}\n',
    );
    const [outputs, summary] = [join(dir, 'outputs.txt'), join(dir, 'summary.md')];
    await writeFile(outputs, '');
    await writeFile(summary, '');
    const windows = {
      start: window.start.toISOString(),
      end: window.end.toISOString(),
      scenarios: [
        {
          name: 'ramp',
          executor: 'ramping-vus',
          start: window.start.toISOString(),
          end: window.end.toISOString(),
          stages: [],
        },
      ],
    };
    const env = {
      ...process.env,
      GITHUB_WORKSPACE: dir,
      GITHUB_OUTPUT: outputs,
      GITHUB_STEP_SUMMARY: summary,
      'INPUT_PROMETHEUS-URL': prometheus.url,
      INPUT_GATES: 'action-gates.yaml',
      INPUT_WINDOWS: JSON.stringify(windows),
      INPUT_STAGE: 'ramp',
      INPUT_STEP: '1s',
      INPUT_OUT: 'verdict-action.json',
      'INPUT_INSECURE-SKIP-VERIFY': 'false',
      'INPUT_FAIL-ON': 'inconclusive',
    };
    const code = await new Promise<number>((resolvePromise) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', 'actions/gate/index.ts'],
        { env },
        () => {},
      );
      child.on('exit', (c) => resolvePromise(c ?? -1));
    });
    assert.equal(code, 1, 'the step fails');
    const written = await readFile(outputs, 'utf8');
    assert.match(written, /^verdict<<.*\n.*verdict-action\.json\n/m);
    assert.match(written, /^passed<<.*\nfalse\n/m);
    assert.match(written, /^status<<.*\nfail\n/m);
    assert.match(written, /^summary<<.*\n1\/2 gates passed; p95 failed: p95 was .*\n/m);
    const table = await readFile(summary, 'utf8');
    assert.match(table, /^\| up \| hpaScaleOut \| ✅ pass \|/m);
    assert.match(table, /^\| p95 \| latency \| ❌ fail \|/m);
    assert.match(table, /\(stage ramp\)/);
    const verdict = JSON.parse(await readFile(join(dir, 'verdict-action.json'), 'utf8'));
    assert.equal(verdict.window.stage, 'ramp');
  });
});
