import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { planPooled } from '../../actions/lib/load/builtin/pool/rewrite.js';
import { bundleScript } from '../../actions/lib/load/bundle.js';
import type { RunLoadOptions } from '../../actions/lib/load/types.js';
import { builtinRuns } from './builtin-runs.js';
import { awaitedPlan } from './pool-plan.js';
import { startTarget, type TargetServer } from './target-server.js';

const fixtures = fileURLToPath(new URL('../fixtures/k6/', import.meta.url));

describe('builtin engine: many VUs per pool worker, each in its own realm', () => {
  let target: TargetServer;
  let dir: string;
  const runs = builtinRuns(fixtures, () => ({
    env: { TARGET: target.url },
    stdout: () => undefined,
    poolPlan: awaitedPlan,
    verbose: true,
  }));
  const { logs } = runs;
  const run = (script: string, extra: Partial<RunLoadOptions> = {}) => {
    target.requests.length = 0;
    return runs.run(script, extra);
  };
  const count = (path: string) => target.requests.filter((r) => r.path === path).length;
  const took = (result: { windows: { start: string; end: string } }) =>
    Date.parse(result.windows.end) - Date.parse(result.windows.start);

  before(async () => {
    target = await startTarget();
    dir = await mkdtemp(join(tmpdir(), 'scalegate-pool-'));
  });
  after(async () => {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps globals, module state, cookie jars, __VU and __ITER apart between VUs of one worker', async () => {
    // Twice as many VUs as workers: every worker hosts several.
    const vus = 2 * availableParallelism();
    const result = await run('pool-isolation.js', { env: { TARGET: target.url, VUS: String(vus) } });
    assert.equal(result.exitCode, 0, logs.join('\n'));
    assert.ok(
      logs.some((l) => l.includes('VUs run pooled')),
      `--verbose says the VUs run pooled\n${logs.join('\n')}`,
    );
    assert.equal(result.metrics.checksPassRate, 1);
    assert.equal(result.metrics.iterations, vus * 3);
    const expected = Array.from({ length: vus }, (_, v) =>
      [0, 1, 2].map((i) => `/items/${v + 1}-${i}`),
    ).flat();
    const seen = target.requests.filter((r) => /^\/items\/\d+-\d+$/.test(r.path)).map((r) => r.path);
    assert.deepEqual([...seen].sort(), expected.sort());
  });

  it('runs async VU code (promises, timers, asyncRequest, top-level await) as a VU thread does', async () => {
    const requested = async (extra: Partial<RunLoadOptions>) => {
      const result = await run('async-vu.js', extra);
      const paths = target.requests.map((r) => r.path).sort();
      return {
        exitCode: result.exitCode,
        iterations: result.metrics.iterations,
        checks: result.metrics.checksPassRate,
        paths,
      };
    };
    const pooled = await requested({});
    assert.ok(logs.some((l) => l.includes('VUs run pooled')));
    assert.equal(pooled.checks, 1, logs.join('\n'));
    // The engine's own plan keeps this script on threads (a blocking call in a timer), and --verbose says why.
    const threaded = await requested({ poolPlan: planPooled });
    assert.ok(
      logs.some((l) =>
        l.includes('VUs run a thread each: http.get inside a callback passed to setTimeout at async-vu.js:'),
      ),
      logs.join('\n'),
    );
    assert.deepEqual(pooled, threaded);
  });

  it('fails the iteration of the VU whose http.asyncRequest rejected unhandled, as a VU thread does', async () => {
    const outcome = async (extra: Partial<RunLoadOptions>) => {
      const result = await run('pool-uncaught.js', extra);
      const logged = logs.some((l) => l.startsWith('ERRO') && l.includes('connection refused'));
      return {
        exitCode: result.exitCode,
        iterations: result.metrics.iterations,
        logged,
        after: count('/not-reached'),
      };
    };
    const pooled = await outcome({});
    assert.ok(logs.some((l) => l.includes('VUs run pooled')));
    assert.deepEqual(pooled, { exitCode: 0, iterations: 1, logged: true, after: 0 }, logs.join('\n'));
    assert.deepEqual(await outcome({ vuHosting: 'threads' }), pooled);
  });

  it('logs the error of every iteration of a standing order that throws, and counts each, as a VU thread does', async () => {
    const outcome = async (extra: Partial<RunLoadOptions>) => {
      const result = await run('pool-throws.js', extra);
      const errors = logs.filter((l) => l.startsWith('ERRO') && l.includes('boom in VU'));
      assert.ok(
        errors.every((l) => l.includes('executor=constant-vus scenario=steady source=stacktrace')),
        errors.join('\n'),
      );
      const named = new Set(errors.map((l) => /boom in VU \d+ iteration \d+/.exec(l)?.[0]));
      assert.equal(named.size, errors.length, `each iteration's error once\n${errors.join('\n')}`);
      return { exitCode: result.exitCode, all: result.metrics.iterations === errors.length };
    };
    const pooled = await outcome({});
    assert.ok(logs.some((l) => l.includes('VUs run pooled')));
    assert.ok(count('/throws') >= 4, `two VUs iterate for 1 s: ${count('/throws')} requests`);
    assert.deepEqual(pooled, { exitCode: 0, all: true });
    assert.deepEqual(await outcome({ vuHosting: 'threads' }), pooled);
  });

  it('keeps each VU its group path across awaits', async () => {
    const summaryExport = join(dir, 'groups.json');
    const result = await run('pool-groups.js', { summaryExport });
    assert.equal(result.exitCode, 0, logs.join('\n'));
    const root = JSON.parse(await readFile(summaryExport, 'utf8')).root_group;
    const outer = root.groups.outer;
    const inner = outer.groups.inner;
    assert.deepEqual(
      [
        root.checks['at the root'].passes,
        outer.checks['outer after inner'].passes,
        inner.checks['inner ok'].passes,
      ],
      [8, 8, 8],
    );
    assert.deepEqual(Object.keys(root.groups), ['outer']);
    assert.deepEqual(Object.keys(outer.groups), ['inner']);
  });

  it('stops an awaiting iteration and one that never yields at the end of gracefulStop, counting neither', async () => {
    const result = await run('pool-busy.js');
    assert.equal(result.exitCode, 0, logs.join('\n'));
    assert.equal(count('/busy/cpu'), 1);
    assert.equal(count('/busy/waiting'), 1);
    assert.equal(count('/busy/woke'), 0);
    assert.equal(result.metrics.iterations, 0);
    assert.ok(took(result) < 30_000, `ended long before the 30 s loop and sleep would (${took(result)} ms)`);
  });

  it("runs pooled event-loop.test.ts's fixtures of stops and uncaught errors", async () => {
    // Those tests then cover the pool: its VUs re-initialized with the setup data, exit 105 with a VU stuck, a
    // rejection nobody handled failing the iteration of its own VU.
    for (const script of ['revived-vu.js', 'busy-abort.js', 'busy-iterations.js', 'async-errors.js'])
      assert.deepEqual(
        planPooled(await bundleScript(join(fixtures, script))).pooled,
        true,
        `${script} runs pooled`,
      );
  });

  it('gives the same requests, checks, groups, metrics and thresholds as a thread per VU', async () => {
    const figures = async (extra: Partial<RunLoadOptions>) => {
      const summaryExport = join(dir, 'parity.json');
      const result = await run('pool-parity.js', { summaryExport, ...extra });
      const summary = JSON.parse(await readFile(summaryExport, 'utf8'));
      const m = summary.metrics;
      return {
        exitCode: result.exitCode,
        thresholdsPassed: result.thresholdsPassed,
        requests: m.http_reqs.count,
        named: m['http_reqs{name:item}'].count,
        failed: [m.http_req_failed.passes, m.http_req_failed.fails],
        checks: [m.checks.passes, m.checks.fails],
        iterations: m.iterations.count,
        visits: m.visits.count,
        thresholds: Object.fromEntries(
          Object.entries(summary.metrics)
            .filter(([, v]) => (v as { thresholds?: object }).thresholds)
            .map(([k, v]) => [k, (v as { thresholds: object }).thresholds]),
        ),
        groups: summary.root_group,
      };
    };
    const threaded = await figures({ vuHosting: 'threads' });
    assert.ok(logs.some((l) => l.includes('VUs run a thread each: a thread per VU was asked for')));
    const pooled = await figures({});
    assert.ok(logs.some((l) => l.includes('VUs run pooled')));
    assert.equal(threaded.exitCode, 99, 'the checks threshold fails');
    assert.equal(threaded.requests, 18);
    assert.deepEqual(pooled, threaded);
  });
});
