/**
 * Ports on 127.0.0.1 for servers that another process binds later (etcd, kube-apiserver, kube-state-metrics,
 * Prometheus). A port taken from bind(0) lies in the kernel's ephemeral range, from which the kernel hands out the
 * source port of every outgoing connection too: under load (thousands of connections) one of them takes the port
 * before the server binds it, and the server dies with "address already in use". So ports come from below that
 * range, each checked free by a bind, and never handed out twice by this process.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const lowest = 20_000;
const handedOut = new Set<number>();

/** The first port of the kernel's ephemeral range (Linux), or undefined where it cannot be read. */
function ephemeralStart(): number | undefined {
  try {
    const first = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    return Number.isInteger(first) && first > lowest + 1000 ? first : undefined;
  } catch {
    return undefined;
  }
}

/** Binds `port` (0: any) on 127.0.0.1 and releases it; the bound port, or undefined when it is taken. */
function tryBind(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });
}

/** One free port for a server started later; see the module comment for why not bind(0). */
export async function localPort(): Promise<number> {
  const end = ephemeralStart();
  for (let attempt = 0; end !== undefined && attempt < 100; attempt++) {
    const candidate = lowest + Math.floor(Math.random() * (end - lowest));
    if (handedOut.has(candidate)) continue;
    handedOut.add(candidate);
    if ((await tryBind(candidate)) !== undefined) return candidate;
  }
  // No ephemeral range to avoid (not Linux), or the low range is full: the kernel's choice.
  const port = await tryBind(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

/** `count` distinct free ports. */
export async function localPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await localPort());
  return ports;
}

/** Whether a component failed because its port was taken between the choice and its bind. */
export function isPortTaken(error: unknown): boolean {
  return /address already in use/i.test(error instanceof Error ? error.message : String(error));
}
