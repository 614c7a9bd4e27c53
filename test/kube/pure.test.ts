import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { validateObjects } from '../../actions/lib/kube/apply.js';
import { loadKubeConfig } from '../../actions/lib/kube/config.js';
import { currentHolder, microTime } from '../../actions/lib/kube/lease.js';
import { podProblems, summarizeProblems } from '../../actions/lib/kube/pod-diagnosis.js';
import { classifyError, defaultRetryOptions } from '../../actions/lib/kube/retry.js';
import { rolloutState } from '../../actions/lib/kube/rollout-status.js';

function apiError(code: number, body: object = {}, headers: Record<string, string> = {}) {
  return Object.assign(new Error('Unsuccessful HTTP Request'), { code, body: JSON.stringify(body), headers });
}

describe('classifyError', () => {
  const fixed = () => 1;
  it('retries conflicts, throttling, server errors and dropped connections', () => {
    assert.equal(
      classifyError(apiError(409, { reason: 'Conflict' }), 0, defaultRetryOptions, fixed).retry,
      true,
    );
    assert.equal(classifyError(apiError(503), 0, defaultRetryOptions, fixed).retry, true);
    const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    assert.deepEqual(classifyError(reset, 0, defaultRetryOptions, fixed), {
      retry: true,
      delayMs: 200,
      reason: 'ECONNRESET',
    });
  });
  it('honours Retry-After on 429, capped', () => {
    assert.deepEqual(classifyError(apiError(429, {}, { 'retry-after': '2' }), 0), {
      retry: true,
      delayMs: 2000,
      reason: '429 Too Many Requests',
    });
    const capped = classifyError(apiError(429, {}, { 'retry-after': '3600' }), 0);
    assert.equal(capped.retry && capped.delayMs, defaultRetryOptions.maxRetryAfterMs);
  });
  it('does not retry client errors, AlreadyExists, or past the attempt limit', () => {
    assert.equal(classifyError(apiError(422), 0).retry, false);
    assert.equal(classifyError(apiError(404), 0).retry, false);
    assert.equal(classifyError(apiError(409, { reason: 'AlreadyExists' }), 0).retry, false);
    assert.equal(classifyError(apiError(503), defaultRetryOptions.attempts - 1).retry, false);
  });
  it('backs off exponentially up to the maximum', () => {
    const delays = [0, 1, 2, 3, 10].map((a) => {
      const d = classifyError(apiError(500), a, { ...defaultRetryOptions, attempts: 20 }, fixed);
      return d.retry ? d.delayMs : -1;
    });
    assert.deepEqual(delays, [200, 400, 800, 1600, 5000]);
  });
});

function deployment(
  spec: number,
  status: Partial<NonNullable<V1Deployment['status']>>,
  generation = 2,
): V1Deployment {
  return {
    metadata: { name: 'web', generation },
    spec: { replicas: spec, selector: {}, template: {} },
    status: { observedGeneration: 2, ...status },
  };
}

describe('rolloutState (kubectl rollout status)', () => {
  it('follows kubectl message by message', () => {
    assert.equal(
      rolloutState(deployment(3, { observedGeneration: 1 })).message,
      'Waiting for deployment spec update to be observed...',
    );
    assert.equal(
      rolloutState(deployment(3, { updatedReplicas: 1, replicas: 3 })).message,
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
    );
    assert.equal(
      rolloutState(deployment(3, { updatedReplicas: 3, replicas: 4 })).message,
      'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
    );
    assert.equal(
      rolloutState(deployment(3, { updatedReplicas: 3, replicas: 3, availableReplicas: 2 })).message,
      'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
    );
    assert.deepEqual(rolloutState(deployment(3, { updatedReplicas: 3, replicas: 3, availableReplicas: 3 })), {
      phase: 'done',
      message: 'deployment "web" successfully rolled out',
    });
  });
  it('fails on ProgressDeadlineExceeded', () => {
    const d = deployment(3, {
      updatedReplicas: 1,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
    });
    assert.deepEqual(rolloutState(d), {
      phase: 'failed',
      message: 'deployment "web" exceeded its progress deadline',
    });
  });
});

describe('pod diagnosis', () => {
  const pending: V1Pod = {
    metadata: { name: 'web-canary-a' },
    status: {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/3 nodes are available: 3 Insufficient cpu.',
        },
      ],
    },
  };
  const pulling = (name: string): V1Pod => ({
    metadata: { name },
    status: {
      containerStatuses: [
        {
          name: 'web',
          image: 'x',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } },
        },
      ],
    },
  });
  it('words Unschedulable as missing capacity with the scheduler message', () => {
    assert.equal(
      summarizeProblems(podProblems(pending)),
      'missing capacity: pod web-canary-a Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.',
    );
  });
  it('groups identical app failures and reports OOMKilled', () => {
    assert.equal(
      summarizeProblems([...podProblems(pulling('a')), ...podProblems(pulling('b'))]),
      '2 pods (a, b) ImagePullBackOff: container web: Back-off pulling image "x"',
    );
    const oom: V1Pod = {
      metadata: { name: 'c' },
      status: {
        containerStatuses: [
          {
            name: 'web',
            image: 'x',
            imageID: '',
            ready: false,
            restartCount: 2,
            lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
            state: { waiting: { reason: 'CrashLoopBackOff' } },
          },
        ],
      },
    };
    assert.deepEqual(
      podProblems(oom).map((p) => p.reason),
      ['OOMKilled'],
    );
  });
});

describe('lease timing', () => {
  it('formats MicroTime with six fractional digits', () => {
    assert.equal(microTime(new Date('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05.678000Z');
  });
  it('treats an expired or released lease as free', () => {
    const lease = (holder: string | undefined, renew: string) => ({
      spec: { holderIdentity: holder, leaseDurationSeconds: 10, renewTime: renew as never },
    });
    const now = Date.parse('2026-01-01T00:00:05Z');
    assert.equal(currentHolder(lease('run-1', '2026-01-01T00:00:00.000000Z'), now), 'run-1');
    assert.equal(currentHolder(lease('run-1', '2025-12-31T23:59:50.000000Z'), now), undefined);
    assert.equal(currentHolder(lease(undefined, '2026-01-01T00:00:00.000000Z'), now), undefined);
  });
});

describe('validateObjects', () => {
  it('names every problem without contacting a server', () => {
    const problems = validateObjects(
      [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'Web_1' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'other' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd' } },
      ],
      { namespace: 'shop', environment: 'dev', track: 'stable' },
    );
    assert.deepEqual(problems, [
      "object 1 (Service Web_1): metadata.name: expected a DNS-1123 name, got 'Web_1'",
      "object 2 (ConfigMap c): metadata.namespace: expected 'shop', got 'other'",
      'object 4 (ConfigMap d): rendered twice',
    ]);
  });
});

describe('loadKubeConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scalegate-kubeconfig-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: local, cluster: {server: "http://127.0.0.1:1"}}]',
      'users: [{name: me, user: {token: t}}]',
      'contexts: [{name: sim, context: {cluster: local, user: me, namespace: shop}}, {name: other, context: {cluster: local, user: me}}]',
      'current-context: sim',
    ].join('\n'),
  );
  it('honours KUBECONFIG and allows plain http servers', () => {
    const loaded = loadKubeConfig({ env: { KUBECONFIG: file } });
    assert.equal(loaded.context, 'sim');
    assert.equal(loaded.config.getCurrentCluster()?.skipTLSVerify, true);
  });
  it('lets --kubeconfig and --context override', () => {
    const loaded = loadKubeConfig({
      kubeconfig: file,
      context: 'other',
      env: { KUBECONFIG: '/nonexistent' },
    });
    assert.equal(loaded.context, 'other');
  });
  it('names a missing context in one line', () => {
    assert.throws(
      () => loadKubeConfig({ kubeconfig: file, context: 'prod' }),
      (e: Error) => e.message === `kubeconfig ${file}: context "prod" not found (available: sim, other)`,
    );
  });
  it('reports a missing file', () => {
    assert.throws(() => loadKubeConfig({ kubeconfig: join(dir, 'nope') }), /kubeconfig not found/);
  });
});
