/**
 * planPooled: which bundled k6 scripts can run pooled, and that a rewritten script does what the original does.
 * Each script is bundled as the engine bundles it; the original then runs as an ES module with synchronous k6
 * fakes, the rewritten source in a vm context with fakes whose blocking calls return promises that settle a turn
 * later, and both must make the same calls in the same order, finish each before the next, and return the same.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { planPooled } from '../../actions/lib/load/builtin/pool/rewrite.js';
import { bundleScript } from '../../actions/lib/load/bundle.js';

type Log = string[];

/** k6/http and k6 as a VU sees them: synchronous, or (pooled) with the blocking calls returning promises. */
function k6Fakes(log: Log, pooled: boolean) {
  const later = <T>(value: T) => new Promise<T>((resolve) => setImmediate(() => resolve(value)));
  const blocking = <T>(what: string, value: T): T | Promise<T> => {
    log.push(`> ${what}`);
    if (!pooled) {
      log.push(`< ${what}`);
      return value;
    }
    return later(value).then((v) => {
      log.push(`< ${what}`);
      return v;
    });
  };
  const response = (method: string, url: string) => ({
    status: 200,
    url,
    body: `${method} ${url}`,
    json: () => ({
      method,
      url,
      token: 'token-1',
      pizza: { id: 7, name: 'Margherita', ingredients: ['a', 'b'] },
    }),
  });
  const verb = (method: string) => (url: string) => blocking(`${method} ${url}`, response(method, url));
  const http = {
    request: (method: string, url: string) => blocking(`${method} ${url}`, response(method, url)),
    get: verb('GET'),
    head: verb('HEAD'),
    post: verb('POST'),
    put: verb('PUT'),
    patch: verb('PATCH'),
    del: verb('DELETE'),
    options: verb('OPTIONS'),
    batch: (requests: [string, string][]) =>
      blocking(
        `batch ${requests.length}`,
        requests.map(([method, url]) => response(method, url)),
      ),
    asyncRequest: (method: string, url: string) => {
      log.push(`> async ${method} ${url}`);
      return later(response(method, url)).then((r) => {
        log.push(`< async ${method} ${url}`);
        return r;
      });
    },
    expectedStatuses: (...statuses: number[]) => ({ statuses }),
  };
  const group = pooled
    ? async (name: string, fn: () => unknown) => {
        log.push(`group ${name}`);
        try {
          return await fn();
        } finally {
          log.push(`end ${name}`);
        }
      }
    : (name: string, fn: () => unknown) => {
        log.push(`group ${name}`);
        try {
          return fn();
        } finally {
          log.push(`end ${name}`);
        }
      };
  const k6 = {
    sleep: (seconds: number) => blocking(`sleep ${seconds}`, undefined),
    group,
    check: (value: unknown, checks: Record<string, (v: unknown) => boolean>) =>
      Object.entries(checks).every(([name, f]) => {
        const ok = f(value);
        log.push(`check ${name} ${ok}`);
        return ok;
      }),
  };
  const metric = (kind: string) =>
    class {
      constructor(readonly name: string) {}
      add(value: number) {
        log.push(`${kind} ${this.name} ${value}`);
      }
    };
  return {
    'k6/http': http,
    k6,
    'k6/metrics': { Trend: metric('trend'), Counter: metric('counter') },
    'k6/data': {
      SharedArray: function SharedArray(_name: string, make: () => unknown) {
        return make();
      },
    },
    'k6/execution': { vu: { idInTest: 1 } },
    'k6-summary': { textSummary: () => 'summary' },
  };
}

/** The globals a VU's code sees, logging what it notes or prints. */
const vuGlobals = (log: Log, pooled: boolean) => ({
  __k6_modules: k6Fakes(log, pooled),
  __ENV: {},
  open: () => JSON.stringify({ users: [{ username: 'u', password: 'p' }] }),
  note: (x: unknown) => log.push(`note ${x}`),
  console: { log: (...args: unknown[]) => log.push(`console ${args.join(' ')}`) },
});

type Exports = Record<string, ((...args: unknown[]) => unknown) | unknown>;

/** setup, the given functions (default unless said), teardown and handleSummary, as the engine calls them. */
async function lifecycle(exports: Exports, log: Log, functions: string[]): Promise<void> {
  const call = async (name: string, ...args: unknown[]) => {
    const fn = exports[name];
    if (typeof fn !== 'function') return undefined;
    const result = await fn(...args);
    log.push(`${name} returned ${JSON.stringify(result)}`);
    return result;
  };
  log.push(`options ${JSON.stringify(exports.options)}`);
  const data = await call('setup');
  for (const name of functions) await call(name, data);
  await call('teardown', data);
  await call('handleSummary', {});
}

let imports = 0;
async function runOriginal(bundle: string, functions: string[]): Promise<Log> {
  const log: Log = [];
  const { console, ...globals } = vuGlobals(log, false);
  Object.assign(globalThis, globals, { __vu_console: console });
  // The test runner keeps its console; the module gets the VU's. A distinct URL each time: a module is evaluated
  // once per URL.
  const module = `const console = globalThis.__vu_console;${bundle}\n// ${imports++}`;
  const url = `data:text/javascript;base64,${Buffer.from(module).toString('base64')}`;
  await lifecycle((await import(url)) as Exports, log, functions);
  return log;
}

async function runPooled(source: string, functions: string[]): Promise<Log> {
  const log: Log = [];
  const context = vm.createContext({ setTimeout, ...vuGlobals(log, true) });
  const completion = new vm.Script(source, { filename: 'pooled.js' }).runInContext(
    context,
  ) as Promise<Exports>;
  assert.equal(typeof completion?.then, 'function', 'the pooled source completes with a promise');
  await lifecycle(await completion, log, functions);
  return log;
}

describe('planPooled', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scalegate-pool-rewrite-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const bundled = async (script: string, lib = '') => {
    await writeFile(join(dir, 'lib.js'), lib);
    await writeFile(join(dir, 'script.js'), script);
    return bundleScript(join(dir, 'script.js'));
  };

  /** The script pools, its rewrite keeps the bundle's lines, and pooled it does what it does unpooled. */
  const poolsAlike = async (script: string, options: { lib?: string; functions?: string[] } = {}) =>
    bundlePoolsAlike(await bundled(script, options.lib), options.functions);
  const bundlePoolsAlike = async (bundle: string, functions = ['default']) => {
    const plan = planPooled(bundle);
    assert.ok(plan.pooled, `not pooled: ${!plan.pooled && plan.reason}`);
    assert.equal(plan.source.split('\n').length, bundle.split('\n').length, 'no line added');
    const [original, pooled] = [
      await runOriginal(bundle, functions),
      await runPooled(plan.source, functions),
    ];
    assert.deepEqual(pooled, original);
    assert.ok(
      original.some((l) => l.startsWith('> ')),
      'the script made blocking calls',
    );
    return { source: plan.source, log: original };
  };

  /** The script does not pool, for a reason naming `what` and the line of script.js marked `// <-`. */
  const refused = async (script: string, what: RegExp, lib = '') => {
    const plan = planPooled(await bundled(script, lib));
    assert.equal(plan.pooled, false, `pooled: ${plan.pooled && plan.source}`);
    const reason = (plan as { reason: string }).reason;
    assert.match(reason, what);
    const marked = (text: string, file: string) => {
      const line = text.split('\n').findIndex((l) => l.includes('// <-'));
      return line < 0 ? undefined : `${file}:${line + 1}`;
    };
    const where = marked(script, 'script.js') ?? marked(lib, 'lib.js');
    assert.ok(reason.endsWith(` at ${where}`), `${reason} (expected at ${where})`);
    assert.ok(!reason.includes('\n'), 'one line');
  };

  describe('scripts that pool, and behave pooled as they do unpooled', () => {
    it('helpers called from the default function: declarations, arrows and function expressions bound to const', async () => {
      const { source } = await poolsAlike(
        `import http from 'k6/http';
        import { sleep } from 'k6';
        import { fetchPizza } from './lib.js';
        function home() { return http.get('/home').status; }
        const menu = () => http.get('/menu').json().url;
        const order = function (what) { const r = http.post('/order/' + what); sleep(1); return r.body; };
        export default function () { note(home()); note(menu()); note(order(fetchPizza('margherita'))); }`,
        {
          lib: `import { get } from 'k6/http';\nexport function fetchPizza(name) { return get('/pizza/' + name).json().url; }`,
        },
      );
      assert.match(source, /\(await http_default\.get\("\/menu"\)\)\.json\(\)\.url/);
    });

    it('nested groups, a group given a named function, and http.batch', async () => {
      await poolsAlike(
        `import http from 'k6/http';
        import { group, sleep } from 'k6';
        function browse() { http.get('/browse'); return 'browsed'; }
        export default function () {
          group('outer', () => {
            group('inner', function () { http.batch([['GET', '/a'], ['GET', '/b']]); sleep(0.5); });
            note(group('named', browse));
          });
          return group('last', () => 7);
        }`,
      );
    });

    it('blocking calls in loops, conditionals, try/finally, template literals and short-circuits', async () => {
      await poolsAlike(
        `import { get, post, del } from 'k6/http';
        import { sleep } from 'k6';
        export default function () {
          for (let i = 0; i < 3; i++) get('/item/' + i);
          let n = 0;
          while (get('/poll/' + n).status === 200 && n < 2) n++;
          if (n > 1) post('/yes'); else post('/no');
          const s = n > 5 ? get('/never') : get('/ternary');
          const skipped = false && get('/skipped');
          try { get('/try'); throw new Error('x'); } catch (e) { del('/catch'); } finally { sleep(2); }
          note(\`status \${get('/template').status} and \${s.url} \${skipped}\`);
          switch (n) { case 2: get('/switch'); }
        }`,
      );
    });

    it('names shadowing k6 ones are not awaited; k6 calls through the module object, default or named', async () => {
      const { source } = await poolsAlike(
        `import http, { get as fetch } from 'k6/http';
        import k6, { sleep } from 'k6';
        function get(x) { note('local get ' + x); return x; }
        export default function () {
          const sleepy = (sleep) => sleep * 2;
          note(get(sleepy(3)));
          fetch('/named');
          http.request('PUT', '/request');
          http['del']('/computed');
          k6.sleep(0.1);
          sleep(0.2);
        }`,
      );
      assert.match(source, /note\(get2\(sleepy\(3\)\)\)/, 'the local get and sleep are left alone');
    });

    it('setup, teardown, handleSummary and scenario exec functions, with options exported', async () => {
      await poolsAlike(
        `import http from 'k6/http';
        export const options = { scenarios: { a: { executor: 'shared-iterations', exec: 'browse' } } };
        export function setup() { return { token: http.post('/login').body }; }
        export function browse(data) { http.get('/browse?' + data.token); }
        export function teardown(data) { http.del('/session/' + data.token); }
        export function handleSummary() { http.post('/summary'); return { stdout: 'done' }; }
        export default function () {}`,
        { functions: ['browse', 'default'] },
      );
    });

    it('top-level await with http.asyncRequest, and code already async', async () => {
      const { source } = await poolsAlike(
        `import http from 'k6/http';
        import { sleep } from 'k6';
        const first = await http.asyncRequest('GET', '/init');
        const config = first.json().url;
        async function fetchBoth() { const a = await http.asyncRequest('GET', '/a'); http.get('/b'); return a.url; }
        export default async function () {
          note(await fetchBoth());
          sleep(1);
          const r = await http.asyncRequest('GET', config);
          return r.status;
        }`,
      );
      assert.doesNotMatch(source, /async async/);
      assert.match(source, /note\(await fetchBoth\(\)\)/, 'an async function is not awaited twice');
    });

    it('promises awaited at once: a timer resolving the awaited promise, Promise.all and allSettled of asyncRequests', async () => {
      await poolsAlike(
        `import http from 'k6/http';
        export default async function () {
          http.get('/before');
          await new Promise((resolve) => setTimeout(resolve, 2));
          const both = await Promise.all([http.asyncRequest('GET', '/a'), http.asyncRequest('GET', '/b')]);
          const settled = await Promise.allSettled(['/c', '/d'].map((u) => http.asyncRequest('GET', u)));
          await new Promise(function (done) { setTimeout(done); });
          http.get('/after');
          return [both.map((r) => r.url), settled.map((s) => s.value.url)];
        }`,
      );
    });

    it("an error's line in the pooled source is its line in the bundle", async () => {
      const bundle = await bundled(
        `import http from 'k6/http';\nexport default function () {\n  http.get('/a');\n  throw new Error('here');\n}`,
      );
      const plan = planPooled(bundle);
      assert.ok(plan.pooled);
      const context = vm.createContext(vuGlobals([], true));
      const exports = await new vm.Script(plan.source, { filename: 'pooled.js' }).runInContext(context);
      const error = await exports.default().then(
        () => assert.fail('no error'),
        (e: Error) => e,
      );
      const line = bundle.split('\n').findIndex((l) => l.includes('Error("here")')) + 1;
      assert.match(error.stack ?? '', new RegExp(`pooled\\.js:${line}:`));
    });

    it('a script without blocking calls is wrapped and nothing else', async () => {
      const bundle = await bundled(
        `import http from 'k6/http';\nexport default async function () { setTimeout(() => {}, 1); await http.asyncRequest('GET', '/x'); }`,
      );
      const plan = planPooled(bundle);
      assert.ok(plan.pooled);
      assert.doesNotMatch(plan.source, /\(await /);
      assert.ok(plan.source.startsWith('(async () => {"use strict";'));
    });
  });

  describe('scripts that do not pool, with the construct and its file:line', () => {
    const cases: [string, string, RegExp, string?][] = [
      [
        'a blocking call in a forEach callback',
        `import http from 'k6/http';\nexport default function () {\n  ['/a', '/b'].forEach((u) => http.get(u)); // <-\n}`,
        /http\.get inside a callback passed to forEach/,
      ],
      [
        'a blocking call in a map callback',
        `import { sleep } from 'k6';\nexport default function () {\n  [1, 2].map(function (s) { sleep(s); }); // <-\n}`,
        /sleep inside a callback passed to map/,
      ],
      [
        'a blocking call in a then callback',
        `import http from 'k6/http';\nexport default async function () {\n  await http.asyncRequest('GET', '/a').then(() => http.get('/b')); // <-\n}`,
        /http\.get inside a callback passed to then/,
      ],
      [
        'the http module aliased',
        `import http from 'k6/http';\nconst h = http; // <-\nexport default function () { h.get('/a'); }`,
        /k6\/http module object used other than to call its functions/,
      ],
      [
        'a namespace import passed around',
        `import * as http from 'k6/http';\nfunction visit(client) { client.get('/a'); }\nexport default function () {\n  visit(http); // <-\n}`,
        /k6\/http module object used other than to call its functions/,
      ],
      [
        'an export reassigned later (exports are live bindings)',
        `import http from 'k6/http';\nexport let target = '/a';\nexport function setup() {\n  target = '/b'; // <-\n}\nexport default function () { http.get(target); }`,
        /the export target reassigned after the module body ran/,
      ],
      [
        'a blocking function passed as a value',
        `import { sleep } from 'k6';\nexport default function () {\n  [1].forEach(sleep); // <-\n}`,
        /sleep used as a value/,
      ],
      [
        'a blocking function stored',
        `import http from 'k6/http';\nconst get = http.get; // <-\nexport default function () { get('/a'); }`,
        /http\.get used as a value/,
      ],
      [
        'a helper making blocking calls passed as a value',
        `import http from 'k6/http';\nfunction visit(u) { http.get(u); }\nexport default function () {\n  ['/a'].forEach(visit); // <-\n}`,
        /visit, which makes blocking calls, used as a value/,
      ],
      [
        'a blocking call in a generator',
        `import http from 'k6/http';\nfunction* pages() {\n  yield http.get('/a'); // <-\n}\nexport default function () { for (const p of pages()) p; }`,
        /inside a generator/,
      ],
      [
        'a blocking call in a getter',
        `import http from 'k6/http';\nconst api = {\n  get home() { return http.get('/'); }, // <-\n};\nexport default function () { api.home; }`,
        /inside a getter or setter/,
      ],
      [
        'a blocking call in a class constructor',
        `import http from 'k6/http';\nclass Session {\n  constructor() { this.r = http.post('/login'); } // <-\n}\nexport default function () { new Session(); }`,
        /inside a class constructor/,
      ],
      [
        'a blocking call in a method',
        `import http from 'k6/http';\nconst api = {\n  home() { return http.get('/'); }, // <-\n};\nexport default function () { api.home(); }`,
        /http\.get inside a method/,
      ],
      [
        'a blocking call in a check function',
        `import http from 'k6/http';\nimport { check } from 'k6';\nexport default function () {\n  check(null, { up: () => http.get('/').status === 200 }); // <-\n}`,
        /http\.get inside a function stored in an object/,
      ],
      [
        'submitForm',
        `import http from 'k6/http';\nexport default function () {\n  http.get('/form').submitForm({ fields: {} }); // <-\n}`,
        /submitForm \(HTTP sent from a Response\)/,
      ],
      [
        'clickLink',
        `import http from 'k6/http';\nexport default function () {\n  const page = http.get('/');\n  page.clickLink(); // <-\n}`,
        /clickLink/,
      ],
      [
        'eval',
        `import http from 'k6/http';\nexport default function () {\n  eval("http.get('/a')"); // <-\n}`,
        /^eval/,
      ],
      [
        'new Function',
        `import http from 'k6/http';\nexport default function () {\n  new Function('return 1')(); // <-\n  http.get('/');\n}`,
        /new Function/,
      ],
      [
        'a blocking call in a parameter default',
        `import http from 'k6/http';\nfunction visit(r = http.get('/a')) { return r; } // <-\nexport default function () { visit(); }`,
        /http\.get in a parameter default/,
      ],
      [
        'a timer next to blocking calls',
        `import http from 'k6/http';\nexport default function () {\n  setTimeout(() => note('t'), 0); // <-\n  http.get('/a');\n}`,
        /setTimeout, which can run code while a VU waits/,
      ],
      [
        'a timer that does more than resolve the awaited promise',
        `import http from 'k6/http';\nexport default async function () {\n  http.get('/a');\n  await new Promise((r) => setTimeout(() => r(note('t')), 1)); // <-\n}`,
        /^Promise, which can run code while a VU waits/,
      ],
      [
        'Promise.all of something else than asyncRequests',
        `import http from 'k6/http';\nasync function one() { http.get('/one'); }\nexport default async function () {\n  await Promise.all([one(), http.asyncRequest('GET', '/b')]); // <-\n}`,
        /http\.asyncRequest not awaited where it is called/,
      ],
      [
        'an async call not awaited next to blocking calls',
        `import http from 'k6/http';\nasync function later() { note('x'); }\nexport default function () {\n  later(); // <-\n  http.get('/a');\n}`,
        /async function later not awaited where it is called/,
      ],
      [
        'asyncRequest not awaited next to blocking calls',
        `import http from 'k6/http';\nexport default async function () {\n  const p = http.asyncRequest('GET', '/a'); // <-\n  http.get('/b');\n  await p;\n}`,
        /http\.asyncRequest not awaited/,
      ],
      [
        'an async group callback (k6 does not wait for it, a pooled group would)',
        `import { group, sleep } from 'k6';\nexport default function () {\n  group('g', async () => { sleep(1); }); // <-\n}`,
        /an async function used as a value, with blocking calls/,
      ],
      [
        'a helper making blocking calls reassigned',
        `import http from 'k6/http';\nlet visit = () => http.get('/a');\nexport default function () {\n  visit = () => 1; // <-\n  visit();\n}`,
        /visit, which makes blocking calls, is reassigned/,
      ],
      [
        'a blocking call in a helper module, through a callback',
        `import { each } from './lib.js';\nexport default function () { each(); }`,
        /http\.get inside a callback passed to forEach/,
        `import http from 'k6/http';\nexport function each() {\n  ['/a'].forEach((u) => http.get(u)); // <-\n}`,
      ],
    ];
    for (const [name, script, what, lib] of cases) it(name, () => refused(script, what, lib));

    it('a bundle that does not parse (a with statement: modules are strict), uses dynamic import() or the registry; a hashbang', async () => {
      const unparsed = planPooled('var x = ;\n');
      assert.equal(unparsed.pooled, false);
      assert.match(
        (unparsed as { reason: string }).reason,
        /^the script does not parse .* at bundle line 1$/,
      );
      const dynamic = planPooled(
        'var m = globalThis.__k6_modules["k6"];\nvar { sleep } = m;\nsleep(1);\nimport("x");\n',
      );
      assert.deepEqual(dynamic, { pooled: false, reason: 'dynamic import() at bundle line 4' });
      const withStatement = planPooled('var o = {};\nwith (o) {}\n');
      assert.match(
        (withStatement as { reason: string }).reason,
        /^the script does not parse .* at bundle line 2$/,
      );
      const hashbang = planPooled('#!/usr/bin/env k6\nvar x = 1;\nexport { x };\n');
      assert.ok(hashbang.pooled);
      const exports = await new vm.Script(hashbang.source).runInContext(vm.createContext({}));
      assert.equal(JSON.stringify(exports), '{"x":1}');
      const registry = planPooled('var s = globalThis.__k6_modules["k6"].sleep;\ns(1);\n');
      assert.deepEqual(registry, {
        pooled: false,
        reason: '__k6_modules used by the script at bundle line 1',
      });
    });
  });

  it('the public QuickPizza scripts run pooled as they do unpooled', async () => {
    const quickpizza = fileURLToPath(new URL('../fixtures/k6/public/quickpizza/', import.meta.url));
    const runs: [string, string[]][] = [
      ['03.lifecycle.js', ['default']],
      ['08.arrival-rate.js', ['getPizza']],
      ['17.login-action.js', ['default']],
    ];
    for (const [file, functions] of runs) {
      const { log } = await bundlePoolsAlike(await bundleScript(join(quickpizza, file)), functions);
      assert.ok(
        log.some((l) => l.startsWith('check ')),
        `${file} checked: ${log.join(', ')}`,
      );
    }
  });

  it('the public and project k6 scripts under test/fixtures: which pool, and why the others do not', async (t) => {
    const fixtures = fileURLToPath(new URL('../fixtures/k6/', import.meta.url));
    const expected: Record<string, true | RegExp> = {
      'public/quickpizza/03.lifecycle.js': true,
      'public/quickpizza/08.arrival-rate.js': true,
      'public/quickpizza/17.login-action.js': true,
      'abort-on-fail.js': true,
      'async-errors.js': true,
      'async-vu.js': /^http\.get inside a callback passed to setTimeout at async-vu\.js:\d+$/,
      'busy-abort.js': true,
      'busy-iterations.js': true,
      'cookies-kept.js': true,
      'cookies.js': true,
      'crypto-encoding.js': true,
      'digest.js': true,
      'executors.js': true,
      'forms.js': /^submitForm \(HTTP sent from a Response\) at forms\.js:\d+$/,
      'html.js': true,
      'http-edges.js': true,
      'jslib-packages.js':
        /^module npm:ajv-6 \(not known to be synchronous\) with blocking calls at jslib-packages\.js:\d+$/,
      'k6-edges.js':
        /^Promise, which can run code while a VU waits, with blocking calls at k6-edges\.js:\d+$/,
      'lifecycle.js': true,
      'long-run.js': true,
      'many-vus.js': true,
      'mark-failed.js': true,
      'ntlm.js': true,
      'requests.js': true,
      'revived-vu.js': true,
      'test-abort.js': true,
      'thresholds-fail.js': true,
      'tls-auth.js': true,
      'tls.js': true,
      'typescript.ts': true,
    };
    const plans: Record<string, string> = {};
    for (const file of Object.keys(expected)) {
      const plan = planPooled(await bundleScript(join(fixtures, file)));
      plans[file] = plan.pooled ? 'pooled' : plan.reason;
      if (plan.pooled) new vm.Script(plan.source, { filename: file }); // compiles as a script
    }
    for (const [file, plan] of Object.entries(expected))
      if (plan === true) assert.equal(plans[file], 'pooled', file);
      else assert.match(plans[file]!, plan, file);
    const pooled = Object.values(plans).filter((p) => p === 'pooled').length;
    t.diagnostic(`${pooled} of ${Object.keys(plans).length} fixture scripts pool`);
  });
});
