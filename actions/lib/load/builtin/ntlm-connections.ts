/**
 * Connections for NTLM requests. NTLM authenticates a connection, not a request: a request borrows a connection of
 * its own for its whole handshake and gives it back afterwards, so that the next request with the same origin and
 * credentials finds it already authenticated, as a k6 VU reusing its connection does.
 */
import { Client, type Dispatcher } from 'undici';
import type { Credentials } from './digest-auth.js';

export class NtlmConnections {
  private readonly idle = new Map<string, Client[]>();
  private readonly open = new Set<Client>();

  /** `connect`: the TLS options (or connector) of the engine's other connections. */
  constructor(private readonly connect: Client.Options['connect']) {}

  async with<T>(origin: string, credentials: Credentials, use: (via: Dispatcher) => Promise<T>): Promise<T> {
    const key = JSON.stringify([origin, credentials.username, credentials.password]);
    const client = this.idle.get(key)?.pop() ?? this.start(origin);
    try {
      return await use(client);
    } finally {
      if (!client.closed && !client.destroyed) {
        const free = this.idle.get(key) ?? [];
        free.push(client);
        this.idle.set(key, free);
      }
    }
  }

  private start(origin: string): Client {
    const client = new Client(origin, { keepAliveTimeout: 60_000, pipelining: 1, connect: this.connect });
    this.open.add(client);
    return client;
  }

  async close(): Promise<void> {
    await Promise.all([...this.open].map((c) => c.close().catch(() => undefined)));
    this.open.clear();
    this.idle.clear();
  }
}
