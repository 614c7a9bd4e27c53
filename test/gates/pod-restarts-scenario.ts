/**
 * podRestarts against the local cluster (either control plane) scraped by a real Prometheus: a stable track serving within its memory limit
 * passes; a canary whose image holds 200× the memory per request (`-mem200x`) is OOMKilled by the kubelet on its
 * first requests and restarted, and the gate fails naming the OOMKill. No gate-specific data: the simulator's
 * kube-state-metrics series and the kubelet's restarts are what Prometheus scrapes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { evaluateOnce } from '../../actions/lib/gates/evaluate.js';
import { parseGateFile } from '../../actions/lib/gates/load.js';
import { continuousGates } from '../../actions/lib/gates/registry.js';
import type { GateResult } from '../../actions/lib/gates/types.js';
import type { ClusterOptions } from '../../simulator/cluster.js';
import { eventually } from '../support/eventually.js';
import { gateContext } from './context.js';
import { type ScrapedCluster, startScrapedCluster } from './scraped-cluster.js';

/** A Deployment of the `web` service's `track`, each container limited to 64Mi (the model's base is 32Mi). */
function deployment(track: 'stable' | 'canary', image: string) {
  const labels = { app: 'web', track };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: track === 'stable' ? 'web' : 'web-canary', namespace: 'shop', labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'app',
              image,
              resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '64Mi' } },
            },
          ],
        },
      },
    },
  };
}

function service(name: string, track: 'stable' | 'canary') {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'shop' },
    spec: { selector: { app: 'web', track }, ports: [{ port: 80, targetPort: 8080 }] },
  };
}

const set = parseGateFile(
  `
gates:
  - {name: stable-steady, type: podRestarts, track: stable}
  - {name: canary-steady, type: podRestarts, selector: {app: web}, track: canary}
  - {name: canary-lenient, type: podRestarts, track: canary, max: 1000}
`,
  'pod-restarts-gates.yaml',
);

/** The scenario on a cluster started with `options`, as one suite. */
export function podRestartsScenario(options: ClusterOptions): void {
  describe(`podRestarts on the ${options.controlPlane ?? 'built-in'} control plane`, () => {
    let bench: ScrapedCluster | undefined;
    let results: Map<string, GateResult>;
    let later: GateResult | undefined;

    /** The highest restart count Prometheus has for the canary's containers (undefined before the first scrape). */
    async function canaryRestarts(): Promise<number | undefined> {
      const [sample] = await bench!.client.query(
        'max(kube_pod_container_status_restarts_total{namespace="shop",pod=~"web-canary-.*"})',
      );
      return sample?.value[1];
    }

    before(async () => {
      bench = await startScrapedCluster(options);
      const { client, cluster, create } = bench;
      const start = new Date();
      create(deployment('stable', 'registry.local/web:1.0.0'));
      create(deployment('canary', 'registry.local/web:1.1.0-mem200x'));
      create(service('web', 'stable'));
      create(service('web-canary', 'canary'));
      // Each request the canary serves needs more memory than its limit: it ends in an OOMKill (a 502) and a
      // restart. Requests stop at the first 502 once both tracks serve, and every 502 is counted, so that the
      // restarts Prometheus must show are known: a scrape that lags the kubelet cannot pass for the last one.
      let kills = 0;
      const canaryRequest = async () => {
        const response = await fetch(`${cluster.gateway}/shop/web-canary/`);
        await response.arrayBuffer();
        if (response.status === 502) kills++;
        return response.status;
      };
      await eventually(
        'both tracks serving through the gateway',
        async () =>
          (await fetch(`${cluster.gateway}/shop/web/`)).status === 200 && (await canaryRequest()) !== 503,
        { timeoutMs: 60_000 },
      );
      await eventually(
        'a canary request ended by an OOMKill',
        async () => kills > 0 || (await canaryRequest()) === 502,
        { timeoutMs: 60_000, everyMs: 250 },
      );
      const restartsSeen = async () => {
        const [oom] = await client.query(
          'max(kube_pod_container_status_last_terminated_reason{namespace="shop",reason="OOMKilled"})',
        );
        const [running] = await client.query(
          'max(kube_pod_container_status_running{namespace="shop",pod=~"web-canary-.*"})',
        );
        return ((await canaryRestarts()) ?? 0) >= kills && oom?.value[1] === 1 && running?.value[1] === 1;
      };
      await eventually('every OOMKill restarted, as Prometheus sees it', restartsSeen, { timeoutMs: 90_000 });
      const context = gateContext(
        client,
        { start, end: new Date() },
        { defaults: { namespace: 'shop', service: 'web' }, includeSeries: true },
      );
      results = new Map((await evaluateOnce(set.gates, context)).map((r) => [r.name, r]));

      // No canary request since the last OOMKill, whose restart Prometheus has seen: a later window holds no
      // restart, only the old OOMKill.
      const quietStart = new Date();
      await eventually(
        'three scrapes of the canary after the quiet window began',
        async () => {
          const [scraped] = await client.query(
            'max(timestamp(kube_pod_container_status_restarts_total{namespace="shop",pod=~"web-canary-.*"}))',
          );
          return (scraped?.value[1] ?? 0) >= quietStart.getTime() / 1000 + 3;
        },
        { timeoutMs: 30_000 },
      );
      [later] = await evaluateOnce(
        set.gates.filter((g) => g.name === 'canary-steady'),
        { ...context, window: { start: quietStart, end: new Date() } },
      );
    });

    after(async () => {
      await bench?.stop();
    });

    test('a stable track serving within its memory limit passes: no container restarted', () => {
      const r = results.get('stable-steady')!;
      assert.equal(r.status, 'pass', r.reason);
      assert.equal(r.observed.restarts, 0);
      assert.equal(r.observed.pods, 1);
      assert.deepEqual(r.threshold, { maxRestarts: 0 });
      // The environment's service stands in for a selector: the pods are matched by app=web and the track.
      assert.match(r.queries[0]!, /label_app="web",label_track="stable"/);
      assert.ok(r.series.length > 0, 'a restarts series to plot');
    });

    test('an OOMKilling canary fails, the OOMKill named; a limit above its restarts passes', async () => {
      const r = results.get('canary-steady')!;
      assert.equal(r.status, 'fail', r.reason);
      const restarts = r.observed.restarts as number;
      assert.ok(restarts >= 1, r.reason);
      assert.equal(r.observed.oomKilledContainers, 1);
      assert.equal(r.margin, -restarts);
      assert.match(r.reason, /web-canary-[a-z0-9-]+\/app \d+× \(OOMKilled\)/);
      const lenient = results.get('canary-lenient')!;
      assert.equal(lenient.status, 'pass', lenient.reason);
      assert.equal(lenient.observed.oomKilledContainers, 1);
    });

    test("an OOMKill from before the window is not the window's: the same canary passes a later window", () => {
      assert.ok(later);
      assert.equal(later.status, 'pass', later.reason);
      assert.equal(later.observed.restarts, 0);
      assert.equal(later.observed.oomKilledContainers, 0);
    });

    test('a restart seen is definitive: podRestarts gates are judged during their load stage', () => {
      assert.deepEqual(
        continuousGates(set.gates).map((g) => g.name),
        ['stable-steady', 'canary-steady', 'canary-lenient'],
      );
    });
  });
}
