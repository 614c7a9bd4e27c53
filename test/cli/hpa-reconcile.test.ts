/**
 * `scalegate hpa reconcile`: NDJSON in, NDJSON out in the same order, an invalid line answered with an error line
 * while the others are still decided, exit code 1 when any line was invalid. Run once as a real process (stdin
 * pipe) and otherwise through the CLI entry point with in-memory streams.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../../cli/main.js';
import type { WhatIfOutput } from '../../simulator/autoscaling/hpa/types.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const pod = (name: string, cpu: string) => ({
  metadata: { name },
  spec: { containers: [{ name: 'app', resources: { requests: { cpu } } }] },
  status: {
    phase: 'Running',
    startTime: '2025-12-31T23:00:00Z',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-12-31T23:00:05Z' }],
  },
});

/** The example: 3 pods at 300m/500m/700m of a 1-core request against a 30 % target → 5 replicas. */
const scaleUp = {
  hpa: {
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 30 } },
        },
      ],
    },
  },
  scale: { specReplicas: 3, statusReplicas: 3 },
  pods: [pod('web-a', '1'), pod('web-b', '1'), pod('web-c', '1')],
  metrics: {
    timestamp: '2026-01-01T00:00:00Z',
    windowSeconds: 60,
    resource: {
      'web-a': { app: { cpu: '300m' } },
      'web-b': { app: { cpu: '500m' } },
      'web-c': { app: { cpu: '700m' } },
    },
  },
  history: null,
  now: '2026-01-01T00:00:00Z',
};

/** The same HPA 60 s later with every pod at 100m: the first line's history holds the scale-down. */
function scaleDownAfter(history: unknown) {
  return {
    ...scaleUp,
    scale: { specReplicas: 5, statusReplicas: 5 },
    pods: ['a', 'b', 'c', 'd', 'e'].map((s) => pod(`web-${s}`, '1')),
    metrics: {
      timestamp: '2026-01-01T00:01:00Z',
      windowSeconds: 60,
      resource: Object.fromEntries(
        ['a', 'b', 'c', 'd', 'e'].map((s) => [`web-${s}`, { app: { cpu: '100m' } }]),
      ),
    },
    history,
    now: '2026-01-01T00:01:00Z',
  };
}

async function runCli(stdinText: string): Promise<{ code: number; lines: Array<Partial<WhatIfOutput>> }> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk) => {
    text += chunk;
  });
  const code = await main(['hpa', 'reconcile'], {
    stdin: Readable.from([stdinText]),
    stdout,
    stderr: new PassThrough(),
  });
  return {
    code,
    lines: text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
  };
}

describe('scalegate hpa reconcile', () => {
  it('runs as a process: one output line per input line, in order', async () => {
    const child = spawn(process.execPath, [join(repo, 'bin', 'scalegate.mjs'), 'hpa', 'reconcile'], {
      cwd: repo,
    });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stdin.end(
      `${JSON.stringify(scaleUp)}\n${JSON.stringify({ ...scaleUp, scale: { specReplicas: 8, statusReplicas: 8 } })}\n`,
    );
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    const [first, second] = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(first.desiredReplicas, 5);
    assert.equal(first.scaleUpdated, true);
    assert.deepEqual(
      first.conditions.map((c: { type: string; status: string; reason: string }) => [
        c.type,
        c.status,
        c.reason,
      ]),
      [
        ['AbleToScale', 'True', 'SucceededRescale'],
        ['ScalingActive', 'True', 'ValidMetricFound'],
        ['ScalingLimited', 'False', 'DesiredWithinRange'],
      ],
    );
    assert.deepEqual(first.currentMetrics, [
      {
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: 50, averageValue: '500m' } },
      },
    ]);
    assert.deepEqual(second.desiredReplicas, 6, 'above maxReplicas: capped without metrics');
  });

  it('answers an invalid line with an error line, decides the others, exits 1', async () => {
    const input = [
      JSON.stringify(scaleUp),
      '{not json',
      JSON.stringify({ ...scaleUp, hpa: { spec: { minReplicas: 1 } } }),
      '',
      JSON.stringify({ ...scaleUp, now: 'yesterday' }),
      JSON.stringify(scaleUp),
    ].join('\n');
    const { code, lines } = await runCli(input);
    assert.equal(code, 1);
    assert.equal(lines.length, 5);
    assert.equal(lines[0]?.desiredReplicas, 5);
    assert.match(String(lines[1]?.error), /^line 2: invalid JSON: /);
    assert.match(String(lines[2]?.error), /^line 3: hpa\.spec\.maxReplicas: /);
    assert.match(String(lines[3]?.error), /^line 5: now: expected an RFC 3339 time$/);
    assert.equal(lines[4]?.desiredReplicas, 5);
    assert.deepEqual(Object.keys(lines[1] ?? {}), ['error']);
  });

  it('replays a sequence by feeding the history back: the downscale window holds the scale-down', async () => {
    const first = (await runCli(JSON.stringify(scaleUp))).lines[0]!;
    const { lines } = await runCli(JSON.stringify(scaleDownAfter(first.history)));
    assert.equal(lines[0]?.desiredReplicas, 5);
    assert.equal(lines[0]?.scaleUpdated, false);
    assert.deepEqual(
      (lines[0]?.conditions ?? []).find((c) => c.type === 'AbleToScale')?.reason,
      'ScaleDownStabilized',
    );
    const windowClosed = {
      ...scaleDownAfter(first.history),
      config: { downscaleStabilizationWindowSeconds: 30 },
    };
    const { lines: after } = await runCli(JSON.stringify(windowClosed));
    assert.equal(after[0]?.desiredReplicas, 2, '5 pods at 10 % of a 30 % target, floored by minReplicas');
  });

  it('reports a failed decision with the controller message and conditions', async () => {
    const failing = { ...scaleUp, metrics: { ...scaleUp.metrics, failing: ['cpu'] } };
    const { code, lines } = await runCli(JSON.stringify(failing));
    assert.equal(code, 0);
    assert.equal(lines[0]?.desiredReplicas, undefined);
    assert.equal(lines[0]?.scaleUpdated, false);
    assert.match(
      String(lines[0]?.error),
      /failed to compute desired number of replicas based on listed metrics for Deployment\/shop\/web/,
    );
    assert.deepEqual(
      (lines[0]?.conditions ?? []).map((c) => [c.type, c.status, c.reason]),
      [
        ['AbleToScale', 'True', 'SucceededGetScale'],
        ['ScalingActive', 'False', 'FailedGetResourceMetric'],
      ],
    );
  });

  it('rejects a missing subcommand with a usage error', async () => {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (c) => {
      text += c;
    });
    const code = await main(['hpa'], { stdin: Readable.from(['']), stdout: new PassThrough(), stderr });
    assert.equal(code, 2);
    assert.match(text, /expected the subcommand 'reconcile'/);
  });
});
