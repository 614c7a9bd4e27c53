import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { applyObjects } from '../../actions/lib/kube/apply.js';
import { acquireLease } from '../../actions/lib/kube/lease.js';
import { waitForRollout } from '../../actions/lib/kube/rollout-status.js';
import { controlPlanes } from '../../simulator/cluster.js';
import { eventually } from '../support/eventually.js';
import { startTestCluster, type TestCluster } from './helpers/cluster.js';

function deployment(namespace: string, name: string, image: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image, resources: { requests: { cpu: '10m' } } }] },
      },
    },
  };
}

const scope = (namespace: string) => ({ namespace, environment: 'test', track: 'stable' });

for (const controlPlane of controlPlanes)
  describe(`the kube client against API faults (${controlPlane} control plane)`, () => {
    let cluster: TestCluster;
    before(async () => {
      cluster = await startTestCluster({ controlPlane });
    });
    after(async () => {
      await cluster?.stop();
    });

    describe('API faults', () => {
      it('retries 409, 429 (Retry-After), 503 and dropped connections, then applies', async () => {
        const { proxy } = cluster;
        proxy.inject({ method: 'PATCH', path: /\/deployments\/api$/, fault: 409, times: 1 });
        proxy.inject({
          method: 'PATCH',
          path: /\/configmaps\/settings$/,
          fault: 429,
          times: 1,
          retryAfterSeconds: 1,
        });
        proxy.inject({ method: 'GET', path: /\/namespaces\/faults$/, fault: 503, times: 2 });
        proxy.inject({ method: 'PATCH', path: /\/services\/api$/, fault: 'reset', times: 1 });
        const retries: string[] = [];
        const client = cluster.client('faults');
        const logging = new (
          client.constructor as typeof import('../../actions/lib/kube/client.js').KubeClient
        )(client.config, {
          namespace: 'faults',
          retry: { attempts: 6, baseDelayMs: 50, maxDelayMs: 500, maxRetryAfterMs: 2000 },
          log: (line) => retries.push(line),
        });
        const result = await applyObjects(
          logging,
          [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: 'settings' },
              data: { a: '1' },
            } as never,
            {
              apiVersion: 'v1',
              kind: 'Service',
              metadata: { name: 'api' },
              spec: { ports: [{ port: 80 }], selector: { app: 'api' } },
            } as never,
            deployment('faults', 'api', 'example/api:1') as never,
          ],
          scope('faults'),
        );
        assert.equal(result.applied.length, 3);
        assert.equal(proxy.fired(), 5);
        assert.ok(
          retries.some((l) => /409 Conflict, retry 1/.test(l)),
          retries.join('\n'),
        );
        assert.ok(
          retries.some((l) => /429 Too Many Requests, retry 1 in 1000 ms/.test(l)),
          retries.join('\n'),
        );
        assert.ok(
          retries.some((l) => /HTTP 503, retry 2/.test(l)),
          retries.join('\n'),
        );
        assert.ok(
          retries.some((l) =>
            /apply Service faults\/api: (ECONNRESET|UND_ERR_SOCKET|connection error)/.test(l),
          ),
          retries.join('\n'),
        );
        const cm = await client.read<V1ConfigMap>({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'settings' },
        });
        assert.equal(cm?.data?.a, '1');
        await waitForRollout(client, { name: 'api', timeoutMs: 30_000 });
      });

      it('gives up on a persistent 503 with the server message, applying nothing', async () => {
        const { proxy } = cluster;
        proxy.inject({ method: 'PATCH', path: /\/configmaps\/broken$/, fault: 503, times: 100 });
        const client = cluster.client('faults');
        await assert.rejects(
          applyObjects(
            client,
            [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'broken' } } as never],
            scope('faults'),
            {
              prune: false,
            },
          ),
          (error: { code?: number }) => error.code === 503,
        );
        assert.equal(
          await client.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'broken' } }),
          undefined,
        );
      });

      it('rejects bad input before applying anything', async () => {
        const client = cluster.client('strict');
        await assert.rejects(
          applyObjects(
            client,
            [
              { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fine' }, data: { a: 'b' } } as never,
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                metadata: { name: 'broken' },
                spec: { replicas: -1 },
              } as never,
            ],
            scope('strict'),
          ),
          /nothing applied: the API server rejected Deployment strict\/broken: .*spec.replicas/,
        );
        assert.equal(
          await client.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fine' } }),
          undefined,
        );
        // The namespace created for the attempt is deleted again; a real one terminates in the namespace
        // controller's own time.
        await eventually(
          'the namespace created for the attempt to be gone',
          async () =>
            (await client.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'strict' } })) ===
            undefined,
          { timeoutMs: 60_000, everyMs: 200 },
        );
      });

      it('keeps waiting through dropped watch streams and 410 Gone', async () => {
        const { proxy } = cluster;
        const client = cluster.client('faults');
        await applyObjects(
          client,
          [deployment('faults', 'watched', 'example/api:2') as never],
          scope('faults'),
          {
            prune: false,
          },
        );
        const watchPath = /\/apis\/apps\/v1\/namespaces\/faults\/deployments$/;
        const before = proxy.calls.length;
        const firedBefore = proxy.fired();
        proxy.inject({
          method: 'GET',
          path: watchPath,
          fault: 'cut-stream',
          times: 2,
          afterMs: 50,
          query: /watch=true/,
        });
        const message = await waitForRollout(client, { name: 'watched', timeoutMs: 30_000 });
        assert.equal(message, 'deployment "watched" successfully rolled out');
        const watches = proxy.calls.slice(before).filter((c) => c.query.get('watch') === 'true');
        const cuts = proxy.fired() - firedBefore;
        assert.ok(cuts >= 1, 'a watch stream was cut while the rollout was in progress');
        assert.ok(
          watches.length >= cuts + 1,
          `re-watched after each cut (${cuts} cuts, ${watches.length} watches)`,
        );

        // A watch whose resourceVersion is too old gets 410: the wait lists again and carries on.
        await applyObjects(
          client,
          [deployment('faults', 'watched', 'example/api:3') as never],
          scope('faults'),
          {
            prune: false,
          },
        );
        const mark = proxy.calls.length;
        proxy.inject({ method: 'GET', path: watchPath, fault: 410, times: 1, query: /watch=true/ });
        proxy.inject({
          method: 'GET',
          path: watchPath,
          fault: 'cut-stream',
          times: 1,
          afterMs: 20,
          query: /watch=true/,
        });
        await waitForRollout(client, { name: 'watched', timeoutMs: 30_000 });
        const lists = proxy.calls
          .slice(mark)
          .filter((c) => watchPath.test(c.path) && c.query.get('watch') !== 'true');
        assert.ok(lists.length >= 2, `listed again after 410 (${lists.length} lists)`);
      });
    });

    describe('Lease: one promotion per environment', () => {
      it('makes a second holder wait, then fail naming the holder; a release lets it in', async () => {
        const client = cluster.client('lease');
        await applyObjects(
          client,
          [],
          { namespace: 'lease', environment: 'test', track: 'stable' },
          { prune: false },
        );
        const first = await acquireLease(client, {
          name: 'promo',
          holder: 'run-A',
          durationSeconds: 5,
          waitMs: 0,
        });
        await assert.rejects(
          acquireLease(client, {
            name: 'promo',
            holder: 'run-B',
            durationSeconds: 5,
            waitMs: 600,
            pollMs: 100,
          }),
          /lease lease\/promo is held by run-A \(renewed \d+s ago, expires in \d+s\); gave up after 1s/,
        );
        // A holds and renews; B keeps trying (every attempt is one update of the Lease) and waits until A releases.
        const contender = cluster.client('lease');
        let attempts = 0;
        const update = contender.update.bind(contender);
        contender.update = ((...args: Parameters<typeof update>) => {
          attempts++;
          return update(...args);
        }) as typeof contender.update;
        const waiting = acquireLease(contender, {
          name: 'promo',
          holder: 'run-B',
          durationSeconds: 5,
          waitMs: 20_000,
          pollMs: 100,
        });
        let acquired = false;
        void waiting.then(() => {
          acquired = true;
        });
        await eventually('B to try for the lease five times', () => attempts >= 5);
        assert.equal(acquired, false);
        await first.release();
        const second = await waiting;
        assert.equal(second.holder, 'run-B');
        await second.release();
      });

      it('lets the same run take its lease over after a crash', async () => {
        const client = cluster.client('lease');
        await acquireLease(client, { name: 'crashy', holder: 'run-C', durationSeconds: 60, waitMs: 0 });
        const again = await acquireLease(client, {
          name: 'crashy',
          holder: 'run-C',
          durationSeconds: 60,
          waitMs: 0,
        });
        await again.release();
      });
    });
  });
