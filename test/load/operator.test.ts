import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BatchV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { builtinRunner } from '../../actions/lib/load/builtin/engine.js';
import {
  combineExitCodes,
  runnerExitCodes,
  runOperator,
  testRunManifest,
} from '../../actions/lib/load/operator.js';
import { GarbageCollector } from '../../simulator/controllers/gc.js';
import { K6TestRunController, parseTestRunArguments } from '../../simulator/controllers/k6-testrun.js';
import { profiles } from '../../simulator/profile.js';
import { apiServerForTest } from '../simulator/api-fixtures.js';
import { eventually } from '../support/eventually.js';
import { startTarget, type TargetServer } from './target-server.js';

const fixtures = fileURLToPath(new URL('../fixtures/k6/', import.meta.url));

describe('operator runner', () => {
  it('builds the TestRun with parallelism, runner settings and arguments', () => {
    const manifest = testRunManifest(
      'shop',
      'load',
      { script: 'x.js', env: { TARGET: 'http://svc' }, stages: '10s:5', k6Args: ['--tag', 'env=ci'] },
      { parallelism: 3, runnerImage: 'grafana/k6:1.8.1', runnerResources: { limits: { cpu: '1' } } },
    );
    assert.deepEqual(manifest.spec, {
      parallelism: 3,
      script: { configMap: { name: 'shop-script', file: 'test.js' } },
      arguments: '-e TARGET=http://svc --stage 10s:5 --tag env=ci',
      runner: { image: 'grafana/k6:1.8.1', resources: { limits: { cpu: '1' } } },
    });
    assert.deepEqual(parseTestRunArguments(manifest.spec.arguments), {
      env: { TARGET: 'http://svc' },
      stages: ['10s:5'],
    });
  });

  it('takes exit codes from pods, then Job annotations and conditions', () => {
    const codes = runnerExitCodes(
      [
        { metadata: { name: 'a-1' } },
        { metadata: { name: 'a-2', annotations: { 'k6.io/exit-code': '99' } } },
        {
          metadata: { name: 'a-3' },
          status: { conditions: [{ type: 'Failed', status: 'True', message: 'exit code 107' }] },
        },
        { metadata: { name: 'a-4' }, status: { failed: 1 } },
        { metadata: { name: 'a-5' }, status: { succeeded: 1 } },
      ],
      [
        {
          metadata: { name: 'a-1-xyz', labels: { 'job-name': 'a-1' } },
          status: { containerStatuses: [{ state: { terminated: { exitCode: 0 } } }] },
        },
      ],
    );
    assert.deepEqual(codes, [0, 99, 107, 1, 0]);
    assert.equal(combineExitCodes(codes), 107);
    assert.equal(combineExitCodes([0, 99, 0]), 99);
    assert.equal(combineExitCodes([0, 0]), 0);
  });

  describe('against the local cluster running TestRuns with the builtin engine', () => {
    let cluster: Awaited<ReturnType<typeof apiServerForTest>>;
    let controllers: (K6TestRunController | GarbageCollector)[];
    let target: TargetServer;
    before(async () => {
      cluster = await apiServerForTest();
      target = await startTarget();
      controllers = [new K6TestRunController(builtinRunner), new GarbageCollector()];
      for (const controller of controllers) {
        controller.start({
          store: cluster.store,
          registry: cluster.registry,
          profile: profiles.fast,
          recordEvent: cluster.recordEvent,
          services: cluster.services,
        });
      }
    });
    after(async () => {
      for (const controller of controllers) await controller.stop();
      await cluster.api.close();
      await target.close();
    });

    it('follows the stage to finished, reads the runner Jobs exit codes and cleans up', async () => {
      const stages: string[] = [];
      const kubeconfig = cluster.kc.exportConfig();
      const dir = await mkdtemp(join(tmpdir(), 'scalegate-operator-test-'));
      try {
        await writeFile(join(dir, 'kubeconfig'), kubeconfig);
        const result = await runOperator({
          script: join(fixtures, 'thresholds-fail.js'),
          env: { TARGET: target.url },
          log: (line) => {
            const stage = /stage (\w+)/.exec(line);
            if (stage) stages.push(stage[1]!);
          },
          kube: {
            kubeconfig: join(dir, 'kubeconfig'),
            namespace: 'default',
            name: 'checkout',
            parallelism: 2,
          },
        });
        assert.equal(result.exitCode, 99);
        assert.equal(result.runner, 'operator');
        assert.equal(result.thresholdsPassed, false);
        assert.equal(stages.at(-1), 'finished');
        assert.equal(target.requests.filter((r) => r.path === '/missing').length, 3);
        assert.equal(result.windows.scenarios[0]!.executor, 'shared-iterations');
        const custom = cluster.kc.makeApiClient(CustomObjectsApi);
        const list = (await custom.listNamespacedCustomObject({
          group: 'k6.io',
          version: 'v1alpha1',
          namespace: 'default',
          plural: 'testruns',
        })) as { items: unknown[] };
        assert.equal(list.items.length, 0);
        const batch = cluster.kc.makeApiClient(BatchV1Api);
        await eventually(
          "the TestRun's Jobs to be deleted with it",
          async () => (await batch.listNamespacedJob({ namespace: 'default' })).items.length === 0,
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
