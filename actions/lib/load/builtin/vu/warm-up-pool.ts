/**
 * The dry run of a pool worker before its VUs report ready (warm-up.ts is a VU thread's); its own file so that VU
 * threads do not load the HTTP client it needs.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpIo } from '../http-io.js';
import { createModules } from './modules.js';
import { PooledVuState } from './pooled-state.js';
import type { WarmUpModules } from './warm-up.js';

/** Requests of the pool worker's dry run: enough for V8 to optimize the path, ~20 ms of CPU. */
const pooledRounds = 300;
const pooledConcurrency = 10;

/**
 * The dry run of a pool worker, whose VUs share its code (so once per worker): a throwaway pooled VU requests a
 * throwaway loopback server through its own `k6/http` and a throwaway HttpIo, as many times as V8 needs to optimize
 * the path (spec, HTTP client, metrics, Response, check); nothing leaves the worker. Without it, the first ~100 ms
 * of an arrival-rate test ran unoptimized code at ~50 ms per iteration, dropping a quarter of its iterations.
 */
export async function warmUpPool(): Promise<void> {
  const server = createServer((_, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const io = new HttpIo({ add: () => undefined });
  const vu = new PooledVuState(0, {
    perform: (specs, id) => io.performAll(specs, id),
    post: () => undefined,
  });
  const { k6, 'k6/http': http } = createModules(vu, () => ({})) as unknown as WarmUpModules;
  vu.phase = 'vu';
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    await Promise.all(
      Array.from({ length: pooledConcurrency }, async () => {
        for (let i = 0; i < pooledRounds / pooledConcurrency; i++) {
          const response = await http.request('GET', url);
          k6.check(response, { 'status is 200': (r) => (r as { status: number }).status === 200 });
          vu.samples = [];
        }
      }),
    );
  } finally {
    await io.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}
