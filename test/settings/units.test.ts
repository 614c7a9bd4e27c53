import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imageVersion, parseImageReference } from '../../actions/lib/settings/index.js';
import { closestMatch } from '../../actions/lib/util/did-you-mean.js';
import {
  durationOption,
  formatDuration,
  isDuration,
  parseDuration,
  shortDuration,
} from '../../actions/lib/util/duration.js';
import { UsageError } from '../../actions/lib/util/errors.js';
import { formatBytes, formatCpu, isQuantity, parseQuantity } from '../../actions/lib/util/quantity.js';

describe('quantities', () => {
  it('parses CPU and memory notations to base units', () => {
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('2'), 2);
    assert.equal(parseQuantity(3), 3);
    assert.equal(parseQuantity('1Gi'), 2 ** 30);
    assert.equal(parseQuantity('128Mi'), 128 * 2 ** 20);
    assert.equal(parseQuantity('1k'), 1000);
    assert.equal(parseQuantity('1.5G'), 1.5e9);
    assert.equal(parseQuantity('1e3'), 1000);
    assert.equal(parseQuantity('100n'), 1e-7);
  });

  it('rejects what Kubernetes rejects', () => {
    for (const bad of ['', 'lots', '1 Gi', '1gi', '1KiB', 'm']) {
      assert.equal(isQuantity(bad), false, bad);
      assert.throws(() => parseQuantity(bad), RangeError);
    }
  });

  it('formats CPU as cores or millicores and memory with binary suffixes', () => {
    assert.equal(formatCpu(0.25), '250m');
    assert.equal(formatCpu(2), '2');
    assert.equal(formatBytes(2 ** 30), '1Gi');
    assert.equal(formatBytes(512 * 2 ** 20), '512Mi');
    assert.equal(formatBytes(1000), '1000');
  });
});

describe('durations', () => {
  it('parses simple and compound durations to milliseconds', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('0'), 0);
  });

  it('rejects anything else', () => {
    for (const bad of ['', '5', '5 minutes', 's', '1x', '-1s', '1s ms']) {
      assert.equal(isDuration(bad), false, bad);
      assert.throws(() => parseDuration(bad), RangeError);
    }
  });

  it('formats milliseconds compactly', () => {
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(500), '500ms');
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(3_600_000 + 1500), '1h1s500ms');
  });

  it('writes durations for messages in tenths of a second, then whole seconds', () => {
    assert.equal(shortDuration(2340), '2.3s');
    assert.equal(shortDuration(0), '0s');
    assert.equal(shortDuration(90_400), '1m30s');
  });

  it('reads a flag or an input: the fallback when absent, a one-line usage error naming it when bad', () => {
    assert.equal(durationOption('--step', undefined, 15_000), 15_000);
    assert.equal(durationOption('step', '', 15_000), 15_000);
    assert.equal(durationOption('--step', '2m', 15_000), 120_000);
    assert.throws(
      () => durationOption('scalegate gate: --step', 'soon', 15_000),
      (error: unknown) =>
        error instanceof UsageError &&
        error.exitCode === 2 &&
        error.message === "scalegate gate: --step: expected a duration such as 15s (got 'soon')",
    );
    assert.throws(() => durationOption('--interval', '0', 10_000), UsageError);
    assert.equal(durationOption('--lease-wait', '0', 120_000, { allowZero: true }), 0);
  });
});

describe('image references', () => {
  it('accepts tags, digests, registries with ports', () => {
    assert.deepEqual(parseImageReference('acme/web:1.4.2'), {
      name: 'acme/web',
      tag: '1.4.2',
    });
    assert.deepEqual(parseImageReference('localhost:5000/web:dev'), {
      name: 'localhost:5000/web',
      tag: 'dev',
    });
    const digest = `sha256:${'ab'.repeat(32)}`;
    assert.deepEqual(parseImageReference(`web@${digest}`), { name: 'web', digest });
    assert.deepEqual(parseImageReference(`web:1@${digest}`), { name: 'web', tag: '1', digest });
  });

  it('rejects malformed or unpinned references with a reason', () => {
    for (const bad of ['web', 'Web:1', 'web:', 'web:1:2', 'web@sha256:abc', '/web:1', ' web:1', 'web:-1']) {
      assert.equal(typeof parseImageReference(bad), 'string', bad);
    }
  });

  it('derives a label-safe version', () => {
    assert.equal(imageVersion({ name: 'web', tag: '1.4.2' }), '1.4.2');
    assert.equal(
      imageVersion({ name: 'web', digest: `sha256:${'0123456789abcdef'.repeat(4)}` }),
      '0123456789ab',
    );
    assert.equal(imageVersion({ name: 'web', tag: `_${'a'.repeat(100)}.` }), 'a'.repeat(63));
  });
});

describe('did you mean', () => {
  it('suggests close names only', () => {
    assert.equal(closestMatch('replicaz', ['replicas', 'ports']), 'replicas');
    assert.equal(closestMatch('Namespace', ['namespace']), 'namespace');
    assert.equal(closestMatch('sidecar', ['name', 'image', 'ports']), undefined);
  });
});
