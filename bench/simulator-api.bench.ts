/**
 * Local API server latency at 1,000 pods: get, list (filtered and whole) and merge patch, sequential over one
 * keep-alive connection. The reference is a bare `node:http` server answering the same single-pod JSON, measured in
 * the same run, so the ratios show what routing, the store and the API semantics add.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'undici';
import { startApiServer } from '../simulator/api/server.js';
import { ResourceRegistry } from '../simulator/store/resources.js';
import { ObjectStore } from '../simulator/store/store.js';

const pods = 1000;
const warmup = 30;
const samples = 300;

function pod(i: number) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${i}`, namespace: 'default', labels: { app: `app-${i % 10}` } },
    spec: {
      nodeName: `node-${i % 3}`,
      containers: [
        { name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
      ],
    },
    status: { phase: 'Running', podIP: `10.244.${Math.floor(i / 250)}.${i % 250}` },
  };
}

async function measure(
  client: Client,
  request: (i: number) => Parameters<Client['request']>[0],
): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < warmup + samples; i++) {
    const start = process.hrtime.bigint();
    const response = await client.request(request(i));
    await response.body.dump();
    if (response.statusCode >= 400) throw new Error(`${request(i).path}: HTTP ${response.statusCode}`);
    if (i >= warmup) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return {
    p50: times[Math.floor(times.length * 0.5)] as number,
    p99: times[Math.floor(times.length * 0.99)] as number,
  };
}

const registry = new ResourceRegistry();
const store = new ObjectStore(registry);
store.create(registry.byKind('v1', 'Namespace')!, {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'default' },
});
const podType = registry.byKind('v1', 'Pod')!;
for (let i = 0; i < pods; i++) store.create(podType, pod(i));
const api = await startApiServer({ store, registry, services: {} });
const body = JSON.stringify(store.get(podType, 'default', 'web-1'));
const reference = createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
});
await new Promise<void>((resolve) => reference.listen(0, '127.0.0.1', resolve));
const referenceUrl = `http://127.0.0.1:${(reference.address() as AddressInfo).port}`;

const apiClient = new Client(api.url);
const referenceClient = new Client(referenceUrl);
const base = await measure(referenceClient, () => ({ method: 'GET', path: '/pod' }));
const rows: Array<[string, { p50: number; p99: number }]> = [
  [
    'get pod',
    await measure(apiClient, (i) => ({
      method: 'GET',
      path: `/api/v1/namespaces/default/pods/web-${i % pods}`,
    })),
  ],
  [
    'list pods, labelSelector (100 of 1,000)',
    await measure(apiClient, (i) => ({
      method: 'GET',
      path: `/api/v1/namespaces/default/pods?labelSelector=app%3Dapp-${i % 10}`,
    })),
  ],
  [
    'list pods as Table (kubectl get), 1,000',
    await measure(apiClient, () => ({
      method: 'GET',
      path: '/api/v1/namespaces/default/pods',
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    })),
  ],
  [
    'list pods, 1,000',
    await measure(apiClient, () => ({ method: 'GET', path: '/api/v1/namespaces/default/pods' })),
  ],
  [
    'merge patch pod label',
    await measure(apiClient, (i) => ({
      method: 'PATCH',
      path: `/api/v1/namespaces/default/pods/web-${i % pods}`,
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ metadata: { labels: { round: String(i) } } }),
    })),
  ],
];
await Promise.all([apiClient.close(), referenceClient.close()]);
await api.close();
await new Promise<void>((resolve) => reference.close(() => resolve()));

const ms = (n: number) => n.toFixed(2);
console.log('## Local API server at 1,000 pods\n');
console.log(
  `Sequential requests over one keep-alive connection, ${samples} samples each. Reference: a bare node:http server answering one pod's JSON (p50 ${ms(base.p50)} ms, p99 ${ms(base.p99)} ms).\n`,
);
console.log('| request | p50 ms | p99 ms | p50 / reference p50 | p99 / reference p99 |');
console.log('|---|---|---|---|---|');
for (const [name, r] of rows) {
  console.log(
    `| ${name} | ${ms(r.p50)} | ${ms(r.p99)} | ${(r.p50 / base.p50).toFixed(1)}× | ${(r.p99 / base.p99).toFixed(1)}× |`,
  );
}
