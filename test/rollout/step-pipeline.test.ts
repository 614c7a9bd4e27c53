/**
 * The canary step pipeline on its own: the sequencing of one step (weight, bake, checks) and the checks (load with
 * continuous gates, the rest at its end), with the weight-setter, the bake, the load, the gate evaluator and the
 * clock injected. No cluster, no Prometheus, no load: what the pipeline decides from what they answer.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { continuousGates, registeredGateTypes } from '../../actions/lib/gates/registry.js';
import { gateSchema } from '../../actions/lib/gates/schema.js';
import type { GateResult } from '../../actions/lib/gates/types.js';
import { buildVerdict, type Verdict } from '../../actions/lib/gates/verdict.js';
import type { LoadResult, RunLoadOptions } from '../../actions/lib/load/types.js';
import { PrometheusClient } from '../../actions/lib/prometheus/client.js';
import { type GateEvaluation, stepChecks } from '../../actions/lib/rollout/step-checks.js';
import {
  Cancelled,
  runStep,
  type StepPorts,
  type StepVerdict,
} from '../../actions/lib/rollout/step-pipeline.js';
import { type LoadedEnvironment, loadEnvironment } from '../../actions/lib/settings/index.js';
import type { CanaryStep } from '../../actions/lib/settings/schema.js';
import type { ScalegateError } from '../../actions/lib/util/errors.js';
import { environmentSettings } from './helpers/environment.js';

const t0 = new Date('2026-01-01T12:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe('runStep: one step in order', () => {
  function ports(events: string[], overrides: Partial<StepPorts> = {}): StepPorts {
    return {
      setWeight: async (weight) => {
        events.push(`weight ${weight}`);
        return weight === 25 ? 20 : weight;
      },
      bake: async (pause) => {
        events.push(`bake ${pause}`);
        return at(-30);
      },
      checks: async (_step, index, _signal, since) => {
        events.push(`checks ${index} since ${since.toISOString()}`);
        return { verdict: 'pass', summary: 'ok' };
      },
      now: () => t0,
      signal: new AbortController().signal,
      ...overrides,
    };
  }

  it('sets the weight, bakes, then judges from when the bake began', async () => {
    const events: string[] = [];
    const outcome = await runStep({ weight: 25, pause: '1m', gates: ['g'] }, 2, ports(events), {
      passedBefore: false,
    });
    assert.deepEqual(events, ['weight 25', 'bake 1m', `checks 2 since ${at(-30).toISOString()}`]);
    assert.deepEqual(outcome, {
      index: 2,
      weight: 25,
      achieved: 20,
      checked: { verdict: 'pass', summary: 'ok' },
    });
  });

  it('judges from now without a bake; an approval pause is the caller’s, after the verdict', async () => {
    for (const step of [
      { weight: 50, load: 'ramp' },
      { weight: 50, load: 'ramp', pause: 'untilApproved' },
    ] as CanaryStep[]) {
      const events: string[] = [];
      await runStep(step, 0, ports(events), { passedBefore: false });
      assert.deepEqual(events, ['weight 50', `checks 0 since ${t0.toISOString()}`]);
    }
  });

  it('does not judge a step that has nothing to judge, or that passed before a resume', async () => {
    const none: string[] = [];
    const bare = await runStep({ weight: 50, pause: '10s' }, 1, ports(none), { passedBefore: false });
    assert.deepEqual(none, ['weight 50', 'bake 10s']);
    assert.equal(bare.checked, undefined);
    const resumed: string[] = [];
    const again = await runStep({ weight: 50, gates: ['g'] }, 1, ports(resumed), { passedBefore: true });
    assert.deepEqual(resumed, ['weight 50']);
    assert.equal(again.checked, undefined);
  });

  it('returns a failed verdict as it is: advancing or rolling back is the caller’s', async () => {
    const verdict: StepVerdict = { verdict: 'inconclusive', summary: 'no samples' };
    const outcome = await runStep(
      { weight: 10, gates: ['g'] },
      0,
      ports([], { checks: async () => verdict }),
      { passedBefore: false },
    );
    assert.equal(outcome.checked, verdict);
  });

  it('stops as cancelled before moving traffic, and after checks that saw the cancellation', async () => {
    const cancelled = new AbortController();
    cancelled.abort();
    const before: string[] = [];
    await assert.rejects(
      runStep({ weight: 10, gates: ['g'] }, 0, ports(before, { signal: cancelled.signal }), {
        passedBefore: false,
      }),
      Cancelled,
    );
    assert.deepEqual(before, []);
    const during = new AbortController();
    await assert.rejects(
      runStep(
        { weight: 10, gates: ['g'] },
        0,
        ports([], {
          signal: during.signal,
          checks: async () => {
            during.abort();
            return { verdict: 'inconclusive', summary: 'cancelled' };
          },
        }),
        { passedBefore: false },
      ),
      Cancelled,
    );
  });
});

describe('gate definitions', () => {
  it('every gate type the schema parses is registered; a gate judged over the whole stage is not continuous', () => {
    const types = gateSchema.options.map((option) => option.shape.type.value);
    assert.deepEqual(registeredGateTypes(), types);
    const gates = [
      gateSchema.parse({ name: 'rate', type: 'loadApplied', minRate: 5 }),
      gateSchema.parse({ name: 'errors', type: 'errorRate', max: '1%' }),
    ];
    assert.deepEqual(
      continuousGates(gates).map((g) => g.name),
      ['errors'],
    );
  });
});

describe('stepChecks: load, continuous gates and the verdict', () => {
  let dir: string;
  let loaded: LoadedEnvironment;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scalegate-pipeline-'));
    await mkdir(join(dir, 'environments'));
    await writeFile(join(dir, 'load.js'), 'export default function () {}\n');
    const settings = environmentSettings({
      name: 'pipe',
      namespace: 'pipe',
      steps: [
        { weight: 10, gates: ['errors'] },
        { weight: 50, load: 'ramp', gates: ['errors', 'rate'] },
      ],
      gates: [
        { name: 'errors', type: 'errorRate', max: '1%' },
        { name: 'rate', type: 'loadApplied', minRate: 5 },
      ],
      extra: {
        prometheus: { url: 'http://127.0.0.1:9' },
        load: {
          script: '../load.js',
          target: { url: 'http://127.0.0.1:8080/' },
          stages: { ramp: [{ duration: '10s', target: 5 }] },
        },
      },
    });
    await writeFile(join(dir, 'environments', 'pipe.yaml'), stringify(settings));
    loaded = await loadEnvironment('pipe', { cwd: dir });
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const result = (name: string, status: GateResult['status']): GateResult => ({
    name,
    type: name === 'rate' ? 'loadApplied' : 'errorRate',
    status,
    reason: `${name} ${status}`,
    observed: {},
    threshold: {},
    margin: null,
    queries: [],
    window: { start: t0.toISOString(), end: t0.toISOString() },
    series: [],
    settled: true,
  });

  const verdictOf = (
    evaluation: GateEvaluation,
    status: GateResult['status'],
    stoppedEarly = false,
  ): Verdict =>
    buildVerdict({
      results: evaluation.set.gates.map((g) => result(g.name, status)),
      window: evaluation.window,
      prometheusUrl: 'http://127.0.0.1:9',
      mode: evaluation.continuous ? 'continuous' : 'once',
      ...(evaluation.continuous
        ? {
            continuous: {
              evaluations: 1,
              stoppedEarly,
              stopReason: stoppedEarly ? 'gate errors failed 1 time(s) (failureLimit 0)' : 'the window ended',
            },
          }
        : {}),
    });

  const loadResult = (exitCode: number): LoadResult => ({
    exitCode,
    runner: 'builtin',
    windows: { start: at(1).toISOString(), end: at(11).toISOString(), scenarios: [] },
    thresholdsPassed: exitCode !== 99,
    metrics: {
      requests: 100,
      requestRate: 10,
      p95Ms: 12,
      p99Ms: 20,
      errorRate: 0,
      iterations: 100,
      droppedIterations: 0,
      checksPassRate: undefined,
    },
  });

  /** A load that reports progress (first with no request yet), then ends or waits to be aborted. */
  function fakeLoad(seen: RunLoadOptions[], exitCode: number, untilAborted = false) {
    return async (options: RunLoadOptions): Promise<LoadResult> => {
      seen.push(options);
      const progress = {
        stage: 'default',
        vus: 1,
        vusMax: 5,
        requestRate: 0,
        p95Ms: 0,
        errors: 0,
        iterations: 0,
      };
      options.onProgress?.({ ...progress, elapsedMs: 0, requests: 0 });
      options.onProgress?.({ ...progress, elapsedMs: 1000, requests: 3 });
      if (untilAborted) {
        const signal = options.signal!;
        if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve));
        return loadResult(105);
      }
      return loadResult(exitCode);
    };
  }

  const checksWith = (ports: Parameters<typeof stepChecks>[2], lines: string[] = []) =>
    stepChecks(
      loaded,
      {
        cwd: dir,
        log: (line) => lines.push(line),
        prometheus: () => assert.fail('the injected evaluator needs no Prometheus client'),
        bakeLookbackMs: 60_000,
      },
      { now: () => t0, ...ports },
    );
  const steps = () => loaded.settings.canary!.steps;

  it('watches the continuous gates during the load, then judges every gate over its window', async () => {
    const evaluations: GateEvaluation[] = [];
    const loads: RunLoadOptions[] = [];
    const lines: string[] = [];
    const checks = checksWith(
      {
        runLoad: fakeLoad(loads, 0),
        evaluate: async (evaluation) => {
          evaluations.push(evaluation);
          return verdictOf(evaluation, 'pass');
        },
      },
      lines,
    );
    const verdict = await checks(steps()[1]!, 1, new AbortController().signal, t0);
    assert.equal(loads.length, 1);
    assert.equal(loads[0]!.stages, '10s:5');
    assert.equal(loads[0]!.env?.TARGET_URL, 'http://127.0.0.1:8080/');
    assert.equal(evaluations.length, 2);
    const [watching, judging] = evaluations;
    assert.deepEqual(
      watching!.set.gates.map((g) => g.name),
      ['errors'],
    );
    assert.ok(watching!.continuous, 'the first evaluation runs during the load');
    // Planned 10 s plus a minute of slack: the load's end, not this window, ends the watching.
    assert.equal(watching!.window.end.getTime() - watching!.window.start.getTime(), 70_000);
    assert.deepEqual(
      judging!.set.gates.map((g) => g.name),
      ['errors', 'rate'],
    );
    assert.equal(judging!.continuous, undefined);
    assert.deepEqual(judging!.window, { start: at(1), end: at(11) });
    assert.equal(verdict.verdict, 'pass');
    assert.match(verdict.summary, /^load ramp: 100 requests, 10\.0 req\/s, p95 12 ms; /);
    assert.equal(verdict.evidence?.load, 'ramp');
    assert.equal(verdict.evidence?.loadExitCode, 0);
    assert.equal(verdict.evidence?.verdict?.mode, 'once');
    assert.equal(verdict.evidence?.stoppedEarly, undefined);
    assert.ok(lines.includes("step 2: load 'ramp' (10s:5) → http://127.0.0.1:8080/"));
  });

  it('stops the load at a definitive failure of a continuous gate and keeps that verdict', async () => {
    const evaluations: GateEvaluation[] = [];
    const loads: RunLoadOptions[] = [];
    const checks = checksWith({
      runLoad: fakeLoad(loads, 0, true),
      evaluate: async (evaluation) => {
        evaluations.push(evaluation);
        return verdictOf(evaluation, 'fail', true);
      },
    });
    const verdict = await checks(steps()[1]!, 1, new AbortController().signal, t0);
    assert.equal(loads[0]!.signal?.aborted, true, 'the load was stopped');
    assert.equal(evaluations.length, 1, 'the early failure is the verdict');
    assert.equal(verdict.verdict, 'fail');
    // The abort asked for (exit 105) is not reported as a load failure.
    assert.doesNotMatch(verdict.summary, /k6 exited/);
    assert.equal(verdict.evidence?.loadExitCode, 105);
    assert.equal(verdict.evidence?.stoppedEarly, 'gate errors failed 1 time(s) (failureLimit 0)');
  });

  it('fails a step whose load fails, and still judges its gates for the evidence', async () => {
    const checks = checksWith({
      runLoad: fakeLoad([], 99),
      evaluate: async (evaluation) => verdictOf(evaluation, 'pass'),
    });
    const verdict = await checks(steps()[1]!, 1, new AbortController().signal, t0);
    assert.equal(verdict.verdict, 'fail');
    assert.match(verdict.summary, /; k6 exited 99 \(thresholds failed\); /);
    assert.equal(verdict.evidence?.verdict?.status, 'pass');
  });

  it('judges a step without load over its bake time, at least the bake lookback', async () => {
    const evaluations: GateEvaluation[] = [];
    const checks = checksWith({
      runLoad: async () => assert.fail('a step without load runs none'),
      evaluate: async (evaluation) => {
        evaluations.push(evaluation);
        return verdictOf(evaluation, 'inconclusive');
      },
    });
    const signal = new AbortController().signal;
    const short = await checks(steps()[0]!, 0, signal, at(-5));
    const long = await checks(steps()[0]!, 0, signal, at(-300));
    assert.deepEqual(evaluations[0]!.window, { start: at(-60), end: t0 });
    assert.deepEqual(evaluations[1]!.window, { start: at(-300), end: t0 });
    assert.equal(short.verdict, 'inconclusive');
    assert.equal(long.evidence?.verdict?.status, 'inconclusive');
  });

  it('names the settings file when a step names a gate that is not defined', async () => {
    const checks = checksWith({ evaluate: async () => assert.fail('nothing to evaluate') });
    await assert.rejects(
      checks({ weight: 10, gates: ['ghost'] }, 0, new AbortController().signal, t0),
      (error: ScalegateError) => {
        assert.equal(error.exitCode, 2);
        assert.match(error.message, /environments\/pipe\.yaml: canary step names gate 'ghost'/);
        return true;
      },
    );
  });

  it('asks for the Prometheus client only when a gate is evaluated', async () => {
    let made = 0;
    const checks = stepChecks(loaded, {
      cwd: dir,
      log: () => {},
      prometheus: () => {
        made++;
        return new PrometheusClient({ url: 'http://127.0.0.1:9', retries: 0, timeoutMs: 200 });
      },
    });
    assert.equal(made, 0);
    const verdict = await checks(steps()[0]!, 0, new AbortController().signal, at(-5));
    assert.equal(made, 1);
    // Nothing listens there: a fault is never a pass.
    assert.equal(verdict.verdict, 'inconclusive');
  });
});
