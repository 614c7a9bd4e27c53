import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runLoad } from '../../actions/lib/load/index.js';
import type { RunLoadOptions } from '../../actions/lib/load/types.js';
import { startTarget, type TargetServer } from './target-server.js';

const fixtures = fileURLToPath(new URL('../fixtures/k6/', import.meta.url));

describe('builtin engine against a loopback server', () => {
  let target: TargetServer;
  let dir: string;
  const logs: string[] = [];
  let stdout = '';
  const logged = (text: string) =>
    assert.ok(
      logs.some((l) => l.includes(text)),
      `the log mentions ${text}`,
    );
  const run = (script: string, { env, ...extra }: Partial<RunLoadOptions> = {}) => {
    target.requests.length = 0;
    logs.length = 0;
    stdout = '';
    return runLoad({
      script: isAbsolute(script) ? script : join(fixtures, script),
      runner: 'builtin',
      env: { TARGET: target.url, ...env },
      log: (line) => logs.push(line),
      stdout: (text) => {
        stdout += text;
      },
      ...extra,
    });
  };

  before(async () => {
    target = await startTarget();
    dir = await mkdtemp(join(tmpdir(), 'scalegate-load-test-'));
  });
  after(async () => {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends exactly the requests of the script, per VU and iteration', async () => {
    const summaryExport = join(dir, 'requests-summary.json');
    const result = await run('requests.js', { summaryExport });
    assert.equal(result.exitCode, 0, logs.join('\n'));
    const received = target.requests;
    assert.equal(received.length, 3 * 2 * 7);
    for (let vu = 1; vu <= 3; vu++) {
      for (let iter = 0; iter < 2; iter++) {
        const who = `vu${vu}-iter${iter}`;
        const item = received.find((r) => r.path === `/items/${who}?q=a%20b`);
        assert.ok(item, `GET for ${who}`);
        assert.equal(item.method, 'GET');
        assert.equal(item.headers['x-who'], who);
        assert.match(String(item.headers['user-agent']), /^Grafana k6\//);
        const order = received.find((r) => r.path === '/orders' && r.body.includes(`"${who}"`));
        assert.ok(order, `POST for ${who}`);
        assert.equal(order.method, 'POST');
        assert.equal(order.headers['content-type'], 'application/json');
        assert.deepEqual(JSON.parse(order.body), { who, qty: 2 });
        const put = received.find((r) => r.method === 'PUT' && r.body === `name=${who}&tags=a&tags=b`);
        assert.ok(put, `PUT form for ${who}`);
        assert.equal(put.headers['content-type'], 'application/x-www-form-urlencoded');
        assert.equal(received.filter((r) => r.path === `/cart/${who}` && r.method === 'DELETE').length, 1);
        assert.equal(received.filter((r) => r.path === `/batch/a?who=${who}`).length, 1);
        assert.equal(received.filter((r) => r.path === `/batch/b?who=${who}`).length, 1);
      }
    }
    const patches = received.filter((r) => r.method === 'PATCH');
    assert.equal(patches.length, 6);
    assert.ok(
      patches.every((r) => r.body === 'nickname=x' && r.headers['content-type'] === 'text/plain'),
      'every PATCH carries its text body',
    );

    const summary = JSON.parse(await readFile(summaryExport, 'utf8'));
    assert.equal(summary.metrics.http_reqs.count, 42);
    assert.equal(summary.metrics.iterations.count, 6);
    assert.equal(summary.metrics.orders_placed.count, 6);
    assert.deepEqual(summary.metrics.orders_placed.thresholds, { 'count==6': false });
    assert.equal(summary.metrics['checks{kind:json}'].value, 1);
    assert.equal(summary.metrics.item_size.count, undefined);
    assert.equal(summary.metrics['http_req_duration{name:item}'].thresholds['max<60000'], false);
    const browse = summary.root_group.groups.browse;
    assert.equal(browse.path, '::browse');
    assert.deepEqual(
      { passes: browse.checks['item is json'].passes, fails: browse.checks['item is json'].fails },
      { passes: 6, fails: 0 },
    );
    assert.ok(summary.root_group.groups.buy, 'group buy in the summary');
    assert.equal(summary.root_group.checks['batch a ok'].passes, 6);
    assert.deepEqual(Object.keys(summary.metrics.http_req_duration).sort(), [
      'avg',
      'max',
      'med',
      'min',
      'p(90)',
      'p(95)',
    ]);
  });

  it('passes JSON copies of setup data, shares arrays, opens files and calls handleSummary', async () => {
    const summaryFile = join(dir, 'custom-summary.json');
    const result = await run('lifecycle.js', { env: { SUMMARY_FILE: summaryFile, MODE: 'ci' } });
    assert.equal(result.exitCode, 0, logs.join('\n'));
    const paths = target.requests.map((r) => `${r.method} ${r.path}`);
    assert.equal(paths[0], 'POST /setup');
    assert.equal(target.requests[0]!.body, 'hello');
    const users = target.requests.filter((r) => r.path.startsWith('/user/'));
    assert.equal(users.length, 4);
    // Each VU mutates its own copy of setup data: the list grows per VU, never across VUs.
    const seen = users.map((r) => new URL(r.path, target.url).searchParams.get('seen')).sort();
    assert.deepEqual(seen, ['3', '3', '4', '4']);
    const first = new URL(users[0]!.path, target.url).searchParams;
    assert.equal(first.get('token'), 'abc');
    assert.equal(first.get('when'), '1970-01-01T00:00:00.000Z');
    assert.equal(first.get('fn'), 'undefined');
    assert.equal(first.get('mode'), 'ci');
    assert.equal(first.get('banner'), 'hi there');
    assert.deepEqual(users.map((r) => r.path.split('?')[0]).sort(), [
      '/user/ada',
      '/user/ada',
      '/user/grace',
      '/user/linus',
    ]);
    const teardown = target.requests.at(-1)!;
    assert.equal(`${teardown.method} ${teardown.path}`, 'POST /teardown');
    assert.deepEqual(JSON.parse(teardown.body), {
      token: 'abc',
      list: [1, 2],
      when: '1970-01-01T00:00:00.000Z',
    });
    assert.deepEqual(JSON.parse(await readFile(summaryFile, 'utf8')), {
      setup_data: { token: 'abc', list: [1, 2], when: '1970-01-01T00:00:00.000Z' },
      iterations: 4,
    });
    assert.match(stdout, /iterations\.+: 4/);
  });

  it('follows redirects, maps network errors to k6 codes and honours expectedStatuses', async () => {
    const summaryExport = join(dir, 'edges.json');
    const result = await run('http-edges.js', { summaryExport });
    assert.equal(result.exitCode, 0, logs.join('\n'));
    assert.deepEqual(
      target.requests.map((r) => `${r.method} ${r.path}`),
      ['GET /redirect', 'GET /items/redirected', 'GET /missing', 'GET /items/a', 'POST /report'],
    );
    assert.deepEqual(JSON.parse(target.requests.at(-1)!.body), {
      redirect: [200, '/items/redirected'],
      refused: [0, 1212],
      missing: [404, 1404],
      json: ['a', 'application/json', true],
    });
    const summary = JSON.parse(await readFile(summaryExport, 'utf8'));
    // Each redirect hop is a request; the refused one has no expected response, so it counts as failed.
    assert.equal(summary.metrics.http_reqs.count, 6);
    assert.deepEqual([summary.metrics.http_req_failed.passes, summary.metrics.http_req_failed.fails], [1, 5]);
  });

  it('runs TypeScript scripts with local .ts imports', async () => {
    const result = await run('typescript.ts');
    assert.equal(result.exitCode, 0, logs.join('\n'));
    assert.deepEqual(
      target.requests.map((r) => r.path),
      ['/ts/1?count=2&iter=0', '/ts/1?count=2&iter=1'],
    );
    assert.equal(result.metrics.checksPassRate, 1);
  });

  it('exits 99 when thresholds are crossed and marks them failed in the export', async () => {
    const summaryExport = join(dir, 'failed.json');
    const result = await run('thresholds-fail.js', { summaryExport });
    assert.equal(result.exitCode, 99);
    assert.equal(result.thresholdsPassed, false);
    assert.equal(target.requests.length, 3);
    const summary = JSON.parse(await readFile(summaryExport, 'utf8'));
    assert.deepEqual(summary.metrics.http_req_failed.thresholds, { 'rate<0.5': true });
    assert.equal(summary.metrics.http_req_failed.value, 1);
    assert.deepEqual(summary.metrics['http_req_duration{status:404}'].thresholds, { 'max>=0': false });
    assert.deepEqual(summary.metrics.checks.thresholds, { 'rate>0.9': true });
    assert.equal(result.metrics.errorRate, 1);
    logged("thresholds on metrics 'http_req_failed, checks' have been crossed");
  });

  it('stops early on abortOnFail with exit 99 and still runs teardown', async () => {
    const result = await run('abort-on-fail.js');
    assert.equal(result.exitCode, 99);
    const planned = Date.parse(result.windows.start) + 60_000;
    assert.ok(Date.parse(result.windows.end) < planned, 'ended before the planned 60 s');
    assert.equal(target.requests.at(-1)!.path, '/teardown');
    logged('abortOnFail enabled, stopping test prematurely');
  });

  it('exits 108 on exec.test.abort()', async () => {
    const result = await run('test-abort.js');
    assert.equal(result.exitCode, 108);
    assert.deepEqual(
      target.requests.map((r) => r.path),
      ['/step/0', '/step/1'],
    );
  });

  it('exits 110 after exec.test.fail() once every iteration ran', async () => {
    const result = await run('mark-failed.js');
    assert.equal(result.exitCode, 110);
    assert.deepEqual(target.requests.map((r) => r.path).sort(), ['/fail/0', '/fail/1']);
    logged('marked failed');
  });

  it('exits 107 on init errors and 104 on invalid options or thresholds', async () => {
    assert.equal((await run('init-error.js')).exitCode, 107);
    logged('broken init');
    assert.equal((await run('bad-options.js')).exitCode, 104);
    logged('unknown field "bogus"');
    assert.equal((await run('bad-threshold.js')).exitCode, 104);
    logged("unsupported aggregation method 'p(95)'");
    assert.equal(target.requests.length, 0);
  });

  it('stops on an AbortSignal with exit 105, keeping the windows', async () => {
    const controller = new AbortController();
    const poll = setInterval(() => {
      if (target.requests.length >= 5) controller.abort();
    }, 20);
    const result = await run('long-run.js', { signal: controller.signal }).finally(() => clearInterval(poll));
    assert.equal(result.exitCode, 105);
    assert.equal(result.windows.scenarios.length, 1);
    assert.ok(
      Date.parse(result.windows.scenarios[0]!.end) < Date.parse(result.windows.start) + 60_000,
      'stopped before the planned 60 s',
    );
  });

  it('runs open and closed executors with their iteration counts and stage windows', async () => {
    const outJson = join(dir, 'points.ndjson');
    const progress: number[] = [];
    const result = await run('executors.js', { outJson, onProgress: (p) => progress.push(p.vusMax) });
    assert.equal(result.exitCode, 0, logs.join('\n'));
    const count = (prefix: string) => target.requests.filter((r) => r.path.startsWith(prefix)).length;
    const lines = (await readFile(outJson, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // dropped_iterations is tagged with its scenario, as in k6; the total mixes the scenarios.
    const dropped = (scenario: string) =>
      lines
        .filter(
          (l) => l.type === 'Point' && l.metric === 'dropped_iterations' && l.data.tags.scenario === scenario,
        )
        .reduce((sum, l) => sum + l.data.value, 0);
    assert.equal(
      dropped('arrivals') + dropped('ramp') + dropped('shared'),
      result.metrics.droppedIterations,
      'every dropped iteration is tagged with its scenario',
    );
    assert.equal(count('/arrive') + dropped('arrivals'), 20);
    // 0→10/s over 1 s then 10/s for 1 s: area 5 + 10 = 15 iterations.
    assert.equal(count('/ramp') + dropped('ramp'), 15, `ramping arrivals: ${count('/ramp')}`);
    assert.equal(count('/share/'), 7);
    assert.ok(count('/user') >= 2, 'both ramping VUs ran');
    const names = result.windows.scenarios.map((s) => s.name);
    assert.deepEqual(names, ['arrivals', 'ramp', 'shared', 'users']);
    const ramp = result.windows.scenarios[1]!;
    assert.equal(ramp.stages.length, 2);
    assert.equal(Date.parse(ramp.stages[1]!.start) - Date.parse(ramp.stages[0]!.start), 1000);
    assert.equal(ramp.stages[0]!.end, ramp.stages[1]!.start);
    const shared = result.windows.scenarios[2]!;
    const delay = Date.parse(shared.start) - Date.parse(result.windows.scenarios[0]!.start);
    assert.ok(delay >= 490, `shared starts ${delay} ms after the others`);
    assert.ok(progress.length > 0, 'progress reported');
    const firstPoint = lines.findIndex((l) => l.type === 'Point' && l.metric === 'http_reqs');
    const metricLine = lines.findIndex((l) => l.type === 'Metric' && l.metric === 'http_reqs');
    assert.ok(metricLine >= 0 && metricLine < firstPoint, 'Metric line before the first Point');
    assert.deepEqual(lines[metricLine].data, {
      name: 'http_reqs',
      type: 'counter',
      contains: 'default',
      thresholds: [],
      submetrics: null,
    });
    const point = lines[firstPoint];
    assert.deepEqual(Object.keys(point.data.tags), [...Object.keys(point.data.tags)].sort());
    assert.match(point.data.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(
      lines.filter((l) => l.metric === 'http_reqs' && l.type === 'Point').length,
      target.requests.length,
    );
  });

  it('lets constant-vus VUs iterate on their own with exact iteration numbers, samples and errors', async () => {
    const script = join(dir, 'constant-vus.js');
    await writeFile(
      script,
      `import http from 'k6/http';
import exec from 'k6/execution';
import { sleep } from 'k6';
export const options = { scenarios: { steady: { executor: 'constant-vus', vus: 3, duration: '1500ms' } } };
export default function () {
  const s = exec.scenario;
  http.get(\`\${__ENV.TARGET}/cv/\${exec.vu.idInTest}/\${s.iterationInTest}/\${__ITER}/\${exec.vu.iterationInScenario}/\${s.progress}\`);
  sleep(0.02);
  if (__ITER % 3 === 2) throw new Error(\`planned failure \${exec.vu.idInTest}/\${__ITER}\`);
}
`,
    );
    const result = await run(script);
    assert.equal(result.exitCode, 0, logs.join('\n'));
    const seen = target.requests
      .filter((r) => r.path.startsWith('/cv/'))
      .map((r) => r.path.split('/').slice(2).map(Number));
    assert.ok(seen.length >= 6, `iterations: ${seen.length}`);
    assert.equal(result.metrics.iterations, seen.length, 'one iterations sample per completed iteration');
    const inTest = seen.map(([, t]) => t!).sort((a, b) => a - b);
    assert.deepEqual(
      inTest,
      inTest.map((_, i) => i),
      'iterationInTest numbers every iteration once',
    );
    for (const vu of [1, 2, 3]) {
      const own = seen.filter(([v]) => v === vu);
      assert.ok(own.length > 0, `VU ${vu} iterated`);
      assert.deepEqual(
        own.map(([, , iter]) => iter),
        own.map((_, i) => i),
        `__ITER of VU ${vu}`,
      );
      assert.deepEqual(
        own.map(([, , , inScenario]) => inScenario),
        own.map((_, i) => i),
        `iterationInScenario of VU ${vu}`,
      );
    }
    assert.ok(
      seen.every(([, , , , progress]) => progress! >= 0 && progress! <= 1),
      'progress within 0..1',
    );
    const failures = seen.filter(([, , iter]) => iter! % 3 === 2).length;
    assert.equal(
      logs.filter((l) => l.includes('planned failure') && l.includes('executor=constant-vus')).length,
      failures,
      'every thrown iteration is logged once',
    );
    const windows = result.windows.scenarios[0]!;
    assert.ok(Date.parse(windows.end) - Date.parse(windows.start) >= 1500);
  });

  it('reports the iterations of a standing order while the VU waits, not with its next request', async () => {
    const waits = {
      sleep: 'export default function () { sleep(1.2); http.get(__ENV.TARGET + "/waits"); }',
      await:
        'export default async function () { await new Promise((r) => setTimeout(r, 1200)); http.get(__ENV.TARGET + "/waits"); }',
    };
    for (const [name, body] of Object.entries(waits)) {
      const script = join(dir, `waits-${name}.js`);
      await writeFile(
        script,
        `import http from 'k6/http';
import { sleep } from 'k6';
export const options = { scenarios: { slow: { executor: 'constant-vus', vus: 1, duration: '4500ms', gracefulStop: '0s' } } };
${body}
`,
      );
      const outJson = join(dir, `waits-${name}.ndjson`);
      const snapshots: { elapsedMs: number; iterations: number }[] = [];
      const result = await run(script, {
        outJson,
        onProgress: (p) => snapshots.push({ elapsedMs: p.elapsedMs, iterations: p.iterations }),
      });
      assert.equal(result.exitCode, 0, logs.join('\n'));
      const firstIteration = (await readFile(outJson, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .find((o) => o.type === 'Point' && o.metric === 'iterations');
      assert.ok(firstIteration, `${name}: an iteration completed`);
      const endedAt = Date.parse(firstIteration.data.time) - Date.parse(result.windows.start);
      // The next request leaves 1.2 s after the iteration ended: a snapshot 0.6 s after it must count it already.
      const later = snapshots.filter((s) => s.elapsedMs >= endedAt + 600);
      assert.ok(
        later.length > 0,
        `${name}: a progress report after the first iteration (ended at ${endedAt} ms)`,
      );
      assert.ok(
        later.every((s) => s.iterations >= 1),
        `${name}: iterations reported while the VU waits: ${JSON.stringify(snapshots)}, first ended at ${endedAt} ms`,
      );
    }
  });

  it('sustains a moderate number of VUs, one thread each', async () => {
    const result = await run('many-vus.js');
    assert.equal(result.exitCode, 0, logs.join('\n'));
    const vus = new Set(target.requests.map((r) => r.path));
    assert.equal(vus.size, 50);
  });
});
