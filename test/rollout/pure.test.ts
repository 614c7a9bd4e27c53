import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Deployment } from '@kubernetes/client-node';
import { promotedTemplate } from '../../actions/lib/delivery/apply.js';
import { mergePatchBetween } from '../../actions/lib/delivery/merge-patch.js';
import { imageDigest, runInfoFromEnv, withTrace } from '../../actions/lib/rollout/trace.js';
import { backendWeights, replicaSplit } from '../../actions/lib/traffic/weights.js';

describe('replicaSplit', () => {
  const stable = { min: 4, max: 12 };
  const canary = { min: 4, max: 12 };
  it('scales the canary down to the weight up to 50 %', () => {
    assert.deepEqual(replicaSplit(25, stable, canary), {
      stable,
      canary: { min: 1, max: 4 },
      achievedWeight: 20,
    });
    assert.deepEqual(replicaSplit(50, stable, canary).canary, stable);
  });
  it('shrinks the stable above 50 %, keeping one pod per track', () => {
    assert.deepEqual(replicaSplit(75, stable, canary), {
      stable: { min: 1, max: 4 },
      canary,
      achievedWeight: 80,
    });
    assert.deepEqual(replicaSplit(100, stable, canary).stable, { min: 1, max: 1 });
    assert.deepEqual(replicaSplit(0, stable, canary).canary, { min: 1, max: 1 });
  });
  it('rejects weights outside 0..100', () => {
    assert.throws(() => replicaSplit(101, stable, canary), RangeError);
    assert.throws(() => backendWeights(-1), RangeError);
  });
  it('splits backend weights', () => {
    assert.deepEqual(backendWeights(10), { stable: 90, canary: 10 });
  });
});

describe('mergePatchBetween', () => {
  it('produces the patch that turns one object into the other exactly', () => {
    const from = { a: 1, b: { c: 2, d: 3 }, list: [1, 2], gone: 'x' };
    const to = { a: 1, b: { c: 5, d: 3 }, list: [3], added: { e: true } };
    assert.deepEqual(mergePatchBetween(from, to), {
      gone: null,
      b: { c: 5 },
      list: [3],
      added: { e: true },
    });
    assert.equal(mergePatchBetween(to, structuredClone(to)), undefined);
  });
});

describe('promotedTemplate', () => {
  const deployment = (track: string, image: string): V1Deployment => ({
    metadata: { name: track === 'stable' ? 'web' : 'web-canary' },
    spec: {
      selector: { matchLabels: { app: 'web', track } },
      template: {
        metadata: {
          labels: { app: 'web', track, version: image.split(':')[1]!, 'scalegate.dev/track': track },
          annotations: { 'scalegate.dev/image': image },
        },
        spec: { containers: [{ name: 'web', image }] },
      },
    },
  });
  it("takes the canary's template with the stable's selector and track labels", () => {
    const template = promotedTemplate(deployment('canary', 'web:2'), deployment('stable', 'web:1'));
    assert.deepEqual(template.metadata?.labels, {
      app: 'web',
      track: 'stable',
      version: '2',
      'scalegate.dev/track': 'stable',
    });
    assert.equal(template.spec?.containers[0]?.image, 'web:2');
    assert.equal(template.metadata?.annotations?.['scalegate.dev/image'], 'web:2');
  });
});

describe('traceability', () => {
  it('describes a GitHub Actions run by its URL', () => {
    const run = runInfoFromEnv({
      GITHUB_RUN_ID: '42',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: 'abc123',
      GITHUB_SERVER_URL: 'https://github.example',
    });
    assert.deepEqual(run, {
      runId: 'https://github.example/acme/shop/actions/runs/42',
      runUrl: 'https://github.example/acme/shop/actions/runs/42',
      gitSha: 'abc123',
    });
  });
  it('annotates the service Deployments, keeping the run URL off the pod template', () => {
    const image = `acme/web@sha256:${'a'.repeat(64)}`;
    const [web, buffer] = withTrace(
      [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web' },
          spec: { template: { spec: { containers: [{ name: 'w', image }] } } },
        } as never,
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'buffer' },
          spec: { template: { spec: { containers: [{ name: 'p', image: 'pause' }] } } },
        } as never,
      ],
      image,
      { runId: 'r', runUrl: 'https://ci/run/1', gitSha: 'abc' },
    ) as V1Deployment[];
    assert.deepEqual(web!.metadata?.annotations, {
      'scalegate.dev/image': image,
      'scalegate.dev/git-sha': 'abc',
      'scalegate.dev/run-url': 'https://ci/run/1',
      'scalegate.dev/image-digest': `sha256:${'a'.repeat(64)}`,
    });
    assert.deepEqual(web!.spec?.template.metadata?.annotations, {
      'scalegate.dev/image': image,
      'scalegate.dev/git-sha': 'abc',
    });
    assert.equal(buffer!.metadata?.annotations, undefined);
    assert.equal(imageDigest('web:1'), undefined);
  });
});
