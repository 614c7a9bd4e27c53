// The corpus of bad settings files: each must fail with exactly one line, file:line:column: field: problem, and
// exit code 2 from the CLI, without a stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderEnvironment } from '../../actions/lib/render/index.js';
import { loadEnvironment } from '../../actions/lib/settings/index.js';
import { SettingsError } from '../../actions/lib/util/errors.js';
import { repoRoot, runCli } from './cli-harness.js';

const root = repoRoot;
const bad = 'test/fixtures/settings/bad';

const corpus: Record<string, string> = {
  'yaml-syntax':
    '5:3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
  typo: "6:3: service.replicaz: unknown field (did you mean 'replicas'?)",
  'unknown-key':
    '12:3: service.sidecar: unknown field (expected one of: name, namespace, image, replicas, ports, resources, memoryRequestsEqualLimits, probes, env, podAnnotations)',
  'wrong-type': "8:13: service.ports[0].port: expected a number (got 'eighty')",
  'missing-field': '3:3: service.namespace: missing required field (expected a string)',
  empty: '1:1: manifests: missing required field (expected a string)',
  'min-above-max': '14:18: autoscaling.hpa.minReplicas: expected minReplicas <= maxReplicas (got 5 > 3)',
  'negative-replicas': '6:13: service.replicas: expected a number >= 0 (got -1)',
  'missing-manifests':
    '1:12: manifests: base manifests folder not found: ../no-such-folder (relative to this file)',
  'no-base-deployment':
    '1:12: manifests: no Deployment in the base manifests folder ../manifests-no-deployment',
  'bad-image':
    "5:10: service.image: expected an image reference such as acme/web:1.4.2 (repository names are lowercase) (got 'Acme/web:1.0.0')",
  'untagged-image':
    "5:10: service.image: expected an image reference with a tag or a digest (e.g. web:1.4.2) (got 'acme/web')",
  'memory-limit-differs':
    '12:23: service.resources.limits.memory: expected limits.memory equal to requests.memory (64Mi) because memoryRequestsEqualLimits is true (got 128Mi)',
  'weights-decrease':
    "16:15: canary.steps[1].weight: expected a weight above the previous step's 50 (got 20)",
  'weight-above-100': '15:15: canary.steps[0].weight: expected a number <= 100 (got 150)',
  'unknown-gate':
    "16:15: canary.steps[0].gates[0]: unknown gate 'latency-p95' (did you mean 'latency-p99'?) (defined: latency-p99)",
  'gate-above-max-replicas':
    "19:68: gates[0].minReplicas: expected at most the autoscaler's maxReplicas 4: the gate can never pass (got 6)",
  'duplicate-gate': "14:13: gates[1].name: duplicate gate name 'errors' (also gates[0])",
  'unknown-method':
    "13:11: canary.method: expected one of 'replica-ratio', 'gateway-api', 'nginx-ingress', 'smi' (got 'gateway-apis') (did you mean 'gateway-api'?)",
  'method-settings-missing': '13:11: canary.method: method gateway-api needs canary.gatewayApi',
  'unknown-metric-type':
    "17:17: autoscaling.hpa.metrics[0].type: expected one of 'resource', 'pods', 'external' (got 'resources') (did you mean 'resource'?)",
  'bad-duration':
    "15:28: canary.steps[0].pause: expected a duration such as 500ms, 30s, 2m or 1h (got '5 minutes')",
  'missing-script': '13:11: load.script: k6 script not found: load/missing.js (relative to this file)',
  'invalid-probe': "7:74: service.probes.readiness.periodSeconds: expected a number (got 'often')",
  'hpa-and-keda': '18:3: autoscaling.keda: set either hpa or keda, not both',
  'unknown-load-stage':
    "15:27: canary.steps[0].load: unknown load stage 'peek' (did you mean 'peak'?) (defined in load.stages: peak)",
  'utilization-without-request':
    '17:62: autoscaling.hpa.metrics[0].averageUtilization: utilization needs service.resources.requests.cpu (it is a percent of the request)',
  'gitops-missing-branch': '14:5: cluster.delivery.branch: missing required field (expected a string)',
  'bad-stage-name': "15:5: load.stages.Peak: expected a lowercase name such as ramp (got 'Peak')",
  'two-auth-methods': '16:5: prometheus.auth.basic: set either bearerTokenEnv or basic, not both',
  'bad-env-var-name':
    "15:21: prometheus.auth.bearerTokenEnv: expected an environment variable name such as PROM_TOKEN (got 'prom-token')",
  'bad-quantity':
    "10:22: service.resources.requests.cpu: expected a Kubernetes quantity such as 500m, 2 or 1Gi (got 'lots')",
};

describe('bad settings corpus', () => {
  for (const [name, expected] of Object.entries(corpus)) {
    it(`${name}: one line naming file:line:column, exit code 2`, async () => {
      const file = `${bad}/${name}.yaml`;
      const rendering = loadEnvironment(file, { cwd: root }).then((env) =>
        renderEnvironment(env, { cwd: root }),
      );
      await assert.rejects(rendering, (error: unknown) => {
        assert.ok(error instanceof SettingsError);
        assert.equal(error.message, `${file}:${expected}`);
        return true;
      });
      const result = await runCli(['render', '--env', file]);
      assert.equal(result.code, 2);
      assert.equal(result.stderr, `${file}:${expected}\n`);
      assert.equal(result.stdout, '');
    });
  }

  it('has a fixture for every entry and an entry for every fixture', async () => {
    const { readdir } = await import('node:fs/promises');
    const files = (await readdir(join(root, bad))).map((f) => f.replace(/\.yaml$/, '')).sort();
    assert.deepEqual(files, Object.keys(corpus).sort());
  });
});

describe('environment references', () => {
  it('an unknown environment name lists the available ones, with a did-you-mean', async () => {
    assert.deepEqual(await runCli(['render', '--env', 'qa']), {
      code: 2,
      stdout: '',
      stderr: "unknown environment 'qa' (available: dev, prod, staging)\n",
    });
    const typo = await runCli(['validate', '--env', 'stagin']);
    assert.equal(
      typo.stderr,
      "unknown environment 'stagin' (did you mean 'staging'?) (available: dev, prod, staging)\n",
    );
  });

  it('a missing settings path is one line', async () => {
    const result = await runCli(['render', '--env', 'environments/nope.yaml']);
    assert.deepEqual(result, {
      code: 2,
      stdout: '',
      stderr: 'settings file not found: environments/nope.yaml\n',
    });
  });

  it('a bad --track is a usage error', async () => {
    assert.deepEqual(await runCli(['render', '--env', 'dev', '--track', 'blue']), {
      code: 2,
      stdout: '',
      stderr: "track: expected stable, canary, all (got 'blue')\n",
    });
  });

  it('a bad --image is a usage error', async () => {
    const result = await runCli(['render', '--env', 'dev', '--image', 'web']);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "--image: expected an image reference with a tag or a digest (e.g. web:1.4.2) (got 'web')\n",
    );
  });
});

describe('the real binary', () => {
  // One process per case is slow on a busy machine: a few cases prove the exit code and the absence of a stack.
  for (const [args, expected] of [
    [['--env', `${bad}/typo.yaml`], `${bad}/typo.yaml:${corpus.typo}`],
    [['--env', 'qa'], "unknown environment 'qa' (available: dev, prod, staging)"],
  ] as const) {
    it(`scalegate render ${args.join(' ')} exits 2 with one line`, () => {
      const result = spawnSync(process.execPath, ['bin/scalegate.mjs', 'render', ...args], {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(result.status, 2);
      assert.equal(result.stderr, `${expected}\n`);
      assert.equal(result.stdout, '');
    });
  }
});
