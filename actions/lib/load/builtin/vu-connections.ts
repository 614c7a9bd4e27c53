/**
 * The connections of one VU. In k6 every VU has an HTTP transport of its own: N VUs hold at least N connections and
 * keep them from one iteration to the next, which is what a Service behind kube-proxy (or any L4 balancer) spreads
 * over its pods. Each kind of client is made the first time the VU needs it, so a VU that never uses TLS or NTLM
 * costs no undici agent.
 */
import { Agent } from 'undici';
import { Http1Client } from './http1-client.js';
import { NtlmConnections } from './ntlm-connections.js';

/** What every VU's clients are made with (HttpIo's TLS and connection options). */
export interface Transport {
  /** How long an idle connection stays open for reuse. */
  keepAliveMs: number;
  /** false: `noConnectionReuse`, a new connection for every request. */
  reuse: boolean;
  /** false: plain HTTP through undici too (tests compare the two clients). */
  http1: boolean;
  /** The TLS options or client-certificate connector. */
  connect: Agent.Options['connect'];
}

export class VuConnections {
  private plain: Http1Client | undefined;
  private undici: Agent | undefined;
  private ntlmClients: NtlmConnections | undefined;

  constructor(private readonly transport: Transport) {}

  /** The lean client for plain HTTP/1.1, unless everything goes through undici. */
  http1(): Http1Client | undefined {
    if (!this.transport.http1) return undefined;
    this.plain ??= new Http1Client(this.transport.keepAliveMs, this.transport.reuse);
    return this.plain;
  }

  /** https, HTTP/2 where offered, and what the lean client does not send. */
  agent(): Agent {
    this.undici ??= new Agent({
      keepAliveTimeout: this.transport.keepAliveMs,
      pipelining: 1,
      allowH2: true,
      connect: this.transport.connect,
    });
    return this.undici;
  }

  ntlm(): NtlmConnections {
    this.ntlmClients ??= new NtlmConnections(this.transport.connect);
    return this.ntlmClients;
  }

  /**
   * k6's `noVUConnectionReuse` at the end of an iteration (Go's Transport.CloseIdleConnections): idle connections
   * close now, those in use once their response is complete. undici cannot close only its idle connections, so its
   * clients close gracefully and the VU's next request makes new ones.
   */
  closeIdle(): void {
    this.plain?.closeIdle();
    void this.undici?.close().catch(() => undefined);
    void this.ntlmClients?.close();
    this.undici = undefined;
    this.ntlmClients = undefined;
  }

  async close(): Promise<void> {
    this.plain?.close();
    await Promise.all([this.undici?.close().catch(() => undefined), this.ntlmClients?.close()]);
  }
}
