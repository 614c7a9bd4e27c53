import { Agent, request } from 'undici';

export interface ApiResponse {
  status: number;
  body: unknown;
}

/** What a watch delivers: one decoded event per line of the stream. */
export interface WatchLine {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: { metadata?: { resourceVersion?: string } } & Record<string, unknown>;
}

/**
 * A minimal REST client of a real kube-apiserver over TLS with a client certificate or a bearer token: JSON requests
 * and line-delimited watches. The node agent's reads and writes all go through it.
 */
export class ApiClient {
  private readonly agent: Agent;

  constructor(
    readonly server: string,
    tls: { ca: string; cert?: string; key?: string },
    private readonly token?: string,
  ) {
    this.agent = new Agent({ connect: { ca: tls.ca, cert: tls.cert, key: tls.key }, connections: 16 });
  }

  private headers(contentType?: string): Record<string, string> {
    return {
      accept: 'application/json',
      ...(contentType ? { 'content-type': contentType } : {}),
      ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
    };
  }

  async call(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<ApiResponse> {
    const response = await request(`${this.server}${path}`, {
      method: method as 'GET',
      dispatcher: this.agent,
      headers: this.headers(body === undefined ? undefined : contentType),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (e.g. /readyz answers "ok"): the text is the body.
    }
    return { status: response.statusCode, body: parsed };
  }

  /** Like call, but a status ≥ 400 is an error naming the request and the server's message. */
  async must(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> {
    const { status, body: answer } = await this.call(method, path, body, contentType);
    if (status >= 400) {
      const message = (answer as { message?: string })?.message ?? String(answer).slice(0, 200);
      throw Object.assign(new Error(`${method} ${path}: ${status} ${message}`), { status });
    }
    return answer;
  }

  /**
   * Streams a watch until the server ends it or `signal` aborts; each line is handed to `onLine` in order.
   * Resolves when the stream ends (the caller decides whether to re-list or resume).
   */
  async watch(path: string, signal: AbortSignal, onLine: (line: WatchLine) => void): Promise<number> {
    const response = await request(`${this.server}${path}`, {
      method: 'GET',
      dispatcher: this.agent,
      headers: this.headers(),
      signal,
      bodyTimeout: 0,
    });
    if (response.statusCode >= 400) {
      await response.body.text();
      return response.statusCode;
    }
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += chunk.toString();
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line) onLine(JSON.parse(line) as WatchLine);
        newline = buffer.indexOf('\n');
      }
    }
    return response.statusCode;
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }
}
