/**
 * The README's main job, as a user runs it: `scalegate demo --out <dir>` in a child process. Then report.html is
 * opened in headless Chromium: a screenshot (kept in the output folder) and assertions on the DOM it built.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ensureChromium, openPage, pngSize } from './chromium.js';
import { repoRoot } from './scenario-support.js';

const run = promisify(execFile);
let out: string;
let demo: { code: number; stdout: string; stderr: string; seconds: number };

before(async () => {
  out = await mkdtemp(join(tmpdir(), 'scalegate-demo-'));
  const started = Date.now();
  const result = await run(process.execPath, ['bin/scalegate.mjs', 'demo', '--out', out], {
    cwd: repoRoot,
    timeout: 300_000,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    (r) => ({ code: 0, ...r }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? -1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }),
  );
  demo = { ...result, seconds: Math.round((Date.now() - started) / 1000) };
  console.error(`scalegate demo: exit ${demo.code} in ${demo.seconds} s`);
});

after(async () => {
  if (out && !process.env.KEEP_DEMO_OUTPUT) await rm(out, { recursive: true, force: true });
});

describe('scalegate demo', () => {
  it('exits 0 after a promoted good canary, a rolled-back regressed one and one stuck Pending, showing progress', () => {
    assert.equal(demo.code, 0, `${demo.stdout}\n${demo.stderr.slice(-3000)}`);
    assert.match(demo.stdout, /ok {3}shop\/web:1\.5\.0: promoted \(expected promoted\)/);
    assert.match(demo.stdout, /ok {3}shop\/web:1\.6\.0-cpu2x: rolled-back \(expected rolled-back\)/);
    assert.match(demo.stdout, /ok {3}shop\/api:2\.1\.0: rolled-back \(expected rolled-back\)/);
    // Progress: the stages of the pipeline and live load lines.
    for (const line of [
      /deploying stable/,
      /deploying canary/,
      /req\/s/,
      /gates: /,
      /promoting/,
      /rolling back/,
    ])
      assert.match(demo.stderr, line);
  });

  it('writes verdict.json explaining the failing gate of the regressed canary', async () => {
    const verdict = JSON.parse(await readFile(join(out, 'verdict.json'), 'utf8'));
    assert.equal(verdict.schemaVersion, 'scalegate.dev/demo/v1');
    assert.equal(verdict.passed, true);
    const [good, regressed, capacity] = verdict.runs;
    assert.equal(good.outcome, 'promoted');
    assert.equal(good.verdict.status, 'pass');
    assert.equal(regressed.outcome, 'rolled-back');
    assert.equal(regressed.stableImage, 'shop/web:1.5.0', 'the promoted image is the next run’s stable');
    const failed = regressed.verdict.gates.filter((g: { status: string }) => g.status === 'fail');
    assert.deepEqual(
      failed.map((g: { name: string }) => g.name),
      ['canary-median'],
    );
    assert.match(failed[0].reason, /canary p50 .* vs stable .*: ratio [\d.]+ > 1\.3/);
    assert.ok(failed[0].queries.length > 0, 'the PromQL run is recorded');

    // The scale-out and capacity gates decide the third run: the HPA was in time, its pods were not scheduled.
    assert.equal(capacity.outcome, 'rolled-back');
    const byName = new Map(capacity.verdict.gates.map((g: { name: string }) => [g.name, g]));
    const scaled = byName.get('scaled-out') as { status: string; observed: Record<string, number> };
    assert.equal(scaled.status, 'pass', JSON.stringify(scaled));
    assert.ok(scaled.observed.timeToScaleSeconds! > 0 && scaled.observed.timeToScaleSeconds! <= 30);
    const pending = byName.get('no-stuck-pods') as {
      status: string;
      reason: string;
      observed: Record<string, number | string>;
    };
    assert.equal(pending.status, 'fail', pending.reason);
    assert.equal(pending.observed.cause, 'capacity');
    assert.ok((pending.observed.longestPendingSeconds as number) > 25, JSON.stringify(pending.observed));
    assert.match(pending.reason, /was Pending for [\d.]+s \(max 25s\); cause capacity/);
  });

  it('writes report.md opening with a summary of every run, then each run and its gate tables', async () => {
    const markdown = await readFile(join(out, 'report.md'), 'utf8');
    const summary = markdown.slice(0, markdown.indexOf('## Run 1'));
    assert.match(
      summary,
      /^\| Run \| Canary \| Verdict → outcome \| Deciding gate \| Scale-out and capacity \|$/m,
    );
    assert.match(
      summary,
      /^\| 1\. A good canary \| shop\/web:1\.5\.0 \| ✅ pass → promoted \| all 2 gates passed \| – \|$/m,
    );
    assert.match(summary, /^\| 2\. .* \| ❌ fail → rolled-back \| canary-median \(canaryVsStable\) fail: /m);
    assert.match(
      summary,
      /^\| 3\. .* \| shop\/api:2\.1\.0 \| ❌ fail → rolled-back \| no-stuck-pods \(pendingPods\) fail: .* \| scaled-out: time to scale [\d.]+s; no-stuck-pods: longest Pending [\d.]+s, at most \d+ at once \|$/m,
    );
    assert.match(markdown, /## Run 3: A canary that scales out onto full nodes/);
    assert.match(markdown, /## Run 1: A good canary/);
    assert.match(markdown, /## Run 2: A regressed canary/);
    assert.match(markdown, /\| canary-median \| canaryVsStable \| ❌ fail \|/);
    assert.match(markdown, /xychart-beta/);
  });

  it('shows report.html in headless Chromium: both runs, gate rows with statuses, charts', async () => {
    const chromium = ensureChromium({ install: process.env.CI === 'true' || process.getuid?.() === 0 });
    const screenshot = join(out, 'report.png');
    const dom = await openPage(chromium, pathToFileURL(join(out, 'report.html')).href, screenshot);

    const sections = [...dom.matchAll(/<section class="run" data-run="(\w+)" data-outcome="([\w-]+)"/g)];
    assert.deepEqual(
      sections.map((m) => [m[1], m[2]]),
      [
        ['good', 'promoted'],
        ['regressed', 'rolled-back'],
        ['capacity', 'rolled-back'],
      ],
    );
    // The summary comes first, one row per run.
    const summary = dom.slice(dom.indexOf('<table class="summary">'), dom.indexOf('<section class="run"'));
    assert.deepEqual(
      [...summary.matchAll(/<tr class="([\w-]+)" data-run="(\w+)">/g)].map((m) => `${m[2]}:${m[1]}`),
      ['good:promoted', 'regressed:rolled-back', 'capacity:rolled-back'],
    );
    assert.match(summary, /time to scale [\d.]+s/);
    assert.match(summary, /longest Pending [\d.]+s/);
    const [goodPart, regressedPart, capacityPart] = dom.split('<section class="run"').slice(1) as [
      string,
      string,
      string,
    ];
    const gateRows = (part: string) =>
      [...part.matchAll(/<tr class="(pass|fail|inconclusive)"><td>([^<]+)<\/td><td>([^<]+)<\/td>/g)].map(
        (m) => `${m[2]}:${m[3]}:${m[1]}`,
      );
    assert.deepEqual(gateRows(goodPart), ['errors:errorRate:pass', 'canary-median:canaryVsStable:pass']);
    assert.deepEqual(gateRows(regressedPart).sort(), [
      'canary-median:canaryVsStable:fail',
      'errors:errorRate:pass',
    ]);
    assert.deepEqual(gateRows(capacityPart), [
      'scaled-out:hpaScaleOut:pass',
      'no-stuck-pods:pendingPods:fail',
    ]);
    assert.match(capacityPart, /<figure data-chart="pendingPods"><svg[^>]*>[\s\S]*?<polyline/);
    // Every latency line says which quantile it plots.
    const latencyLines = [...dom.matchAll(/<figure data-chart="latency">[\s\S]*?<\/figure>/g)].flatMap((m) =>
      [...m[0].matchAll(/<polyline class="series" data-name="([^"]+)"/g)].map((n) => n[1]),
    );
    assert.ok(latencyLines.length > 0);
    for (const name of latencyLines) assert.match(name!, /\bp\d+\b/);
    assert.match(goodPart, /class="verdict pass"/);
    assert.match(regressedPart, /class="verdict fail"/);
    for (const part of [goodPart, regressedPart])
      for (const chart of ['replicas', 'latency', 'requestRate'])
        assert.match(part, new RegExp(`<figure data-chart="${chart}"><svg[^>]*>[\\s\\S]*?<polyline`), chart);
    // Self-contained: nothing is fetched from anywhere.
    assert.doesNotMatch(dom, /<script|<link |src="http/);

    const png = await readFile(screenshot);
    assert.deepEqual(pngSize(png), { width: 1280, height: 2400 });
    assert.ok(png.length > 50_000, `a blank page compresses to a few KB; got ${png.length} bytes`);
  });
});
