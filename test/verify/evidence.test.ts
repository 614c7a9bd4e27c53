import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { GateResult } from '../../actions/lib/gates/types.js';
import { buildVerdict } from '../../actions/lib/gates/verdict.js';
import type { LoadWindows } from '../../actions/lib/load/types.js';
import { combinedVerdict, mergedWindows } from '../../actions/lib/verify/evidence.js';
import type { StepRecord } from '../../actions/lib/verify/index.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

function result(name: string, status: GateResult['status']): GateResult {
  return {
    name,
    type: 'errorRate',
    status,
    reason: `${name} ${status}`,
    observed: {},
    threshold: {},
    margin: null,
    queries: ['up'],
    window: { start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T00:01:00.000Z' },
    series: [],
    settled: true,
  };
}

const window = { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-01-01T00:05:00Z') };

function step(index: number, gates: GateResult[], extra: Partial<StepRecord> = {}): StepRecord {
  const verdict = buildVerdict({
    results: gates,
    window,
    prometheusUrl: 'http://127.0.0.1:9090',
    mode: 'once',
  });
  return { index, weight: 25, verdict, outcome: verdict.status, summary: verdict.summary, ...extra };
}

function windows(start: string, end: string): LoadWindows {
  return { start, end, scenarios: [{ name: 'default', executor: 'ramping-vus', start, end, stages: [] }] };
}

describe('verify evidence', () => {
  it('keeps gate names as they are when one step judged', () => {
    const verdict = combinedVerdict({
      steps: [step(0, [result('errors', 'pass'), result('p95', 'pass')])],
      window,
      prometheusUrl: 'http://127.0.0.1:9090',
    });
    assert.deepEqual(
      verdict.gates.map((g) => g.name),
      ['errors', 'p95'],
    );
    assert.equal(verdict.status, 'pass');
    assert.equal(verdict.mode, 'once');
  });

  it('prefixes steps and final gates, fails when any failed, and says the load was stopped early', () => {
    const final = buildVerdict({
      results: [result('back-to-3', 'pass')],
      window,
      prometheusUrl: 'http://127.0.0.1:9090',
      mode: 'once',
    });
    const verdict = combinedVerdict({
      steps: [
        step(0, [result('errors', 'pass')]),
        step(1, [result('errors', 'fail')], { stoppedEarly: 'gate errors failed 1 time(s)' }),
      ],
      final,
      window,
      prometheusUrl: 'http://127.0.0.1:9090',
    });
    assert.deepEqual(
      verdict.gates.map((g) => `${g.name}:${g.status}`),
      ['step 1 · errors:pass', 'step 2 · errors:fail', 'final · back-to-3:pass'],
    );
    assert.equal(verdict.status, 'fail');
    assert.equal(verdict.continuous?.stoppedEarly, true);
    assert.equal(verdict.continuous?.stopReason, 'gate errors failed 1 time(s)');
  });

  it('gives no gates an inconclusive verdict (a canary that never reached its gates is no pass)', () => {
    const verdict = combinedVerdict({ steps: [], window, prometheusUrl: 'http://127.0.0.1:9090' });
    assert.equal(verdict.status, 'inconclusive');
  });

  it('merges the load windows of all steps, naming each scenario after its step and stage list', () => {
    const merged = mergedWindows([
      step(0, [], {
        load: 'warmup',
        windows: windows('2026-01-01T00:00:10.000Z', '2026-01-01T00:00:40.000Z'),
      }),
      step(1, []),
      step(2, [], { load: 'peak', windows: windows('2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z') }),
    ]);
    assert.equal(merged?.start, '2026-01-01T00:00:10.000Z');
    assert.equal(merged?.end, '2026-01-01T00:02:00.000Z');
    assert.deepEqual(
      merged?.scenarios.map((s) => s.name),
      ['step 1 warmup', 'step 3 peak'],
    );
    assert.equal(mergedWindows([step(0, [])]), undefined);
  });
});

describe('scalegate verify and demo: usage', () => {
  it('verify without --image is a usage error (exit 2)', async () => {
    const error = await run(process.execPath, ['bin/scalegate.mjs', 'verify', '--env', 'dev'], {
      cwd: root,
    }).catch((e: { code: number; stderr: string }) => e);
    assert.equal((error as { code: number }).code, 2);
    assert.match((error as { stderr: string }).stderr, /scalegate verify: --image is required/);
  });

  it('a settings file without canary steps cannot be verified (exit 2, naming the file)', async () => {
    const error = await run(
      process.execPath,
      [
        'bin/scalegate.mjs',
        'verify',
        '--env',
        'test/fixtures/settings/good/fixed-replicas.yaml',
        '--image',
        'shop/web:1.0.0',
      ],
      { cwd: root },
    ).catch((e: { code: number; stderr: string }) => e);
    assert.equal((error as { code: number }).code, 2, (error as { stderr: string }).stderr);
    assert.match((error as { stderr: string }).stderr, /fixed-replicas.yaml: verify needs canary: steps/);
  });

  it('demo rejects unknown flags', async () => {
    const error = await run(process.execPath, ['bin/scalegate.mjs', 'demo', '--nodes', '3'], {
      cwd: root,
    }).catch((e: { code: number; stderr: string }) => e);
    assert.equal((error as { code: number }).code, 2);
    assert.match((error as { stderr: string }).stderr, /scalegate demo: /);
  });
});
