import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { isPortTaken, localPorts } from '../../actions/lib/util/local-port.js';

const ephemeralStart = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
);

function listen(port: number): Promise<{ close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({ close: () => new Promise((done) => server.close(() => done())) }),
    );
  });
}

describe('local ports for servers started later', () => {
  it('hands out distinct ports below the ephemeral range, each free to bind', async () => {
    const ports = await localPorts(20);
    assert.equal(new Set(ports).size, 20);
    for (const port of ports) {
      assert.ok(port < ephemeralStart, `${port} is below the ephemeral range (${ephemeralStart})`);
      const server = await listen(port);
      await server.close();
    }
  });

  it('recognises a bind failure on a taken port, and nothing else, as the port being taken', async () => {
    const [port] = await localPorts(1);
    const holder = await listen(port as number);
    try {
      const error = await listen(port as number).then(
        () => assert.fail('a second bind of the same port succeeded'),
        (e: unknown) => e,
      );
      assert.equal(isPortTaken(error), true);
      // The line a Go component (kube-state-metrics) logs before it exits.
      assert.equal(
        isPortTaken(
          new Error(`kube-state-metrics exited: listen tcp 127.0.0.1:${port}: bind: address already in use`),
        ),
        true,
      );
      assert.equal(isPortTaken(new Error('etcd exited: permission denied')), false);
    } finally {
      await holder.close();
    }
  });
});
