/** Finding, configuring, starting and stopping the real Prometheus server. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import {
  ensurePrometheus,
  findPrometheus,
  prometheusConfig,
  startPrometheus,
} from '../../cli/local/prometheus-server.js';

test('the config scrapes each target at the interval, keeping the labels the exporter sets', () => {
  const config = parse(
    prometheusConfig(
      [
        { job: 'cluster', url: 'http://127.0.0.1:8080/metrics' },
        { job: 'app', url: 'https://127.0.0.1:9443/custom/path' },
      ],
      1,
    ),
  );
  assert.deepEqual(config.global, { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' });
  assert.deepEqual(config.scrape_configs[1], {
    job_name: 'app',
    honor_labels: true,
    scheme: 'https',
    metrics_path: '/custom/path',
    static_configs: [{ targets: ['127.0.0.1:9443'] }],
  });
});

test('PROMETHEUS_BIN wins over PATH; a missing binary without install permission is a one-line error', () => {
  assert.equal(findPrometheus({ PROMETHEUS_BIN: '/bin/true', PATH: '' }), '/bin/true');
  assert.equal(findPrometheus({ PROMETHEUS_BIN: '/nonexistent/prometheus' }), undefined);
  const saved = process.env.PROMETHEUS_BIN;
  process.env.PROMETHEUS_BIN = '/nonexistent/prometheus';
  try {
    assert.throws(
      () => ensurePrometheus({ install: false }),
      /^ScalegateError: Prometheus is not installed: install it/,
    );
  } finally {
    if (saved === undefined) delete process.env.PROMETHEUS_BIN;
    else process.env.PROMETHEUS_BIN = saved;
  }
});

test('a binary that exits at once is reported with its last stderr line, and the temp dir is removed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'scalegate-fake-prom-'));
  const fake = join(dir, 'prometheus');
  await writeFile(fake, '#!/bin/sh\necho "err: bad flag" >&2\nexit 3\n', { mode: 0o755 });
  try {
    await assert.rejects(
      startPrometheus({ targets: [], binary: fake }),
      /Prometheus exited while waiting for readiness: exit 3: err: bad flag/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('starts on a free loopback port, answers queries, and stops leaving nothing behind', async () => {
  const server = await startPrometheus({ targets: [], scrapeIntervalSeconds: 1 });
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const response = await fetch(`${server.url}/api/v1/query?query=vector(7)`);
  const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
  assert.equal(body.data.result[0]!.value[1], '7');
  const config = await fetch(`${server.url}/api/v1/status/flags`);
  const flags = ((await config.json()) as { data: Record<string, string> }).data;
  const tsdb = flags['storage.tsdb.path']!;
  assert.ok(existsSync(tsdb));
  await server.stop();
  assert.equal(existsSync(tsdb), false, 'the TSDB directory is removed');
  await assert.rejects(fetch(`${server.url}/-/ready`));
  await server.stop();
});
