/**
 * A local stand-in for GitHub's REST API, the one boundary scalegate's tests cannot reach for real. It keeps just
 * enough state (comments, issues, check runs, deployments, branch contents) to answer like GitHub does, and records
 * every request so tests can assert the exact calls.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

interface Comment {
  id: number;
  issue: number;
  body: string;
}
interface Issue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
}

export interface FakeGitHub {
  url: string;
  requests: RecordedRequest[];
  comments: Comment[];
  issues: Issue[];
  checkRuns: Array<Record<string, unknown> & { id: number }>;
  deployments: Array<Record<string, unknown> & { id: number; statuses: Array<Record<string, unknown>> }>;
  /** branch → path → content (utf8) */
  files: Map<string, Map<string, { content: string; sha: string }>>;
  /** Answer the next matching requests with this status (fault injection), e.g. a 409 on a content write. */
  failNext(method: string, pathPattern: RegExp, status: number, times?: number): void;
  /** Calls that changed something (everything but GET), as `METHOD /path`. */
  writes(): string[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

export async function startFakeGitHub(options: { owner?: string; repo?: string } = {}): Promise<FakeGitHub> {
  const owner = options.owner ?? 'acme';
  const repoName = options.repo ?? 'shop';
  const base = `/repos/${owner}/${repoName}`;
  let nextId = 100;
  let shaCounter = 0;
  const faults: Array<{ method: string; pattern: RegExp; status: number; times: number }> = [];
  const state = {
    requests: [] as RecordedRequest[],
    comments: [] as Comment[],
    issues: [] as Issue[],
    checkRuns: [] as Array<Record<string, unknown> & { id: number }>,
    deployments: [] as Array<
      Record<string, unknown> & { id: number; statuses: Array<Record<string, unknown>> }
    >,
    files: new Map<string, Map<string, { content: string; sha: string }>>(),
  };
  const newSha = () => (++shaCounter).toString(16).padStart(40, '0');

  function send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  function route(
    method: string,
    path: string,
    query: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: request bodies are whatever Octokit sent; the routes read the fields they need.
    body: Record<string, any>,
  ): [number, unknown] {
    const rel = path.startsWith(base) ? path.slice(base.length) : path;
    const at = (pattern: RegExp) => pattern.exec(rel);
    if (method === 'GET' && path === base)
      return [200, { default_branch: 'main', full_name: `${owner}/${repoName}` }];
    if (at(/^\/issues\/(\d+)\/comments$/)) {
      const m = at(/^\/issues\/(\d+)\/comments$/) as RegExpExecArray;
      const issue = Number(m[1]);
      if (method === 'GET') return [200, state.comments.filter((c) => c.issue === issue).map(commentJson)];
      const comment = { id: nextId++, issue, body: body.body as string };
      state.comments.push(comment);
      return [201, commentJson(comment)];
    }
    if (method === 'PATCH' && at(/^\/issues\/comments\/(\d+)$/)) {
      const m = at(/^\/issues\/comments\/(\d+)$/) as RegExpExecArray;
      const comment = state.comments.find((c) => c.id === Number(m[1]));
      if (!comment) return [404, { message: 'Not Found' }];
      comment.body = body.body;
      return [200, commentJson(comment)];
    }
    if (path === `${base}/issues` && method === 'GET') {
      const labels = (query.labels ?? '').split(',').filter(Boolean);
      return [
        200,
        state.issues
          .filter((i) => (query.state ?? 'open') === 'all' || i.state === (query.state ?? 'open'))
          .filter((i) => labels.every((l) => i.labels.includes(l)))
          .map(issueJson),
      ];
    }
    if (path === `${base}/issues` && method === 'POST') {
      const issue: Issue = {
        number: nextId++,
        title: body.title,
        body: body.body ?? '',
        labels: body.labels ?? [],
        state: 'open',
      };
      state.issues.push(issue);
      return [201, issueJson(issue)];
    }
    if (method === 'PATCH' && at(/^\/issues\/(\d+)$/)) {
      const m = at(/^\/issues\/(\d+)$/) as RegExpExecArray;
      const issue = state.issues.find((i) => i.number === Number(m[1]));
      if (!issue) return [404, { message: 'Not Found' }];
      Object.assign(issue, body.state ? { state: body.state } : {}, body.body ? { body: body.body } : {});
      return [200, issueJson(issue)];
    }
    if (path === `${base}/check-runs` && method === 'POST') {
      const run = {
        id: nextId++,
        ...body,
        html_url: `https://github.com/${owner}/${repoName}/runs/${nextId}`,
      };
      state.checkRuns.push(run);
      return [201, run];
    }
    if (method === 'PATCH' && at(/^\/check-runs\/(\d+)$/)) {
      const m = at(/^\/check-runs\/(\d+)$/) as RegExpExecArray;
      const run = state.checkRuns.find((r) => r.id === Number(m[1]));
      if (!run) return [404, { message: 'Not Found' }];
      const previous = (run.output as { annotations?: unknown[] } | undefined)?.annotations ?? [];
      const annotations = [...previous, ...(body.output?.annotations ?? [])];
      Object.assign(run, body, { output: { ...(run.output as object), ...body.output, annotations } });
      return [200, run];
    }
    if (path === `${base}/deployments` && method === 'POST') {
      const deployment = { id: nextId++, ...body, statuses: [] };
      state.deployments.push(deployment);
      const { statuses: _omit, ...json } = deployment;
      return [201, json];
    }
    if (method === 'POST' && at(/^\/deployments\/(\d+)\/statuses$/)) {
      const m = at(/^\/deployments\/(\d+)\/statuses$/) as RegExpExecArray;
      const deployment = state.deployments.find((d) => d.id === Number(m[1]));
      if (!deployment) return [404, { message: 'Not Found' }];
      const status = { id: nextId++, ...body };
      deployment.statuses.push(status);
      return [201, status];
    }
    if (method === 'GET' && at(/^\/git\/ref\/heads\/(.+)$/)) {
      const m = at(/^\/git\/ref\/heads\/(.+)$/) as RegExpExecArray;
      return state.files.has(m[1] as string)
        ? [200, { ref: `refs/heads/${m[1]}`, object: { sha: newSha(), type: 'commit' } }]
        : [404, { message: 'Not Found' }];
    }
    if (path === `${base}/git/trees` && method === 'POST') return [201, { sha: newSha(), tree: body.tree }];
    if (path === `${base}/git/commits` && method === 'POST')
      return [201, { sha: newSha(), parents: body.parents }];
    if (path === `${base}/git/refs` && method === 'POST') {
      const branch = String(body.ref).replace('refs/heads/', '');
      if (state.files.has(branch)) return [422, { message: 'Reference already exists' }];
      state.files.set(branch, new Map());
      return [201, { ref: body.ref, object: { sha: body.sha } }];
    }
    if (at(/^\/contents\/(.+)$/)) {
      const m = at(/^\/contents\/(.+)$/) as RegExpExecArray;
      const filePath = decodeURIComponent(m[1] as string);
      const branch = method === 'GET' ? (query.ref ?? 'main') : body.branch;
      const files = state.files.get(branch);
      if (!files) return [404, { message: `No commit found for the ref ${branch}` }];
      const existing = files.get(filePath);
      if (method === 'GET') {
        if (!existing) return [404, { message: 'Not Found' }];
        return [
          200,
          {
            type: 'file',
            path: filePath,
            sha: existing.sha,
            content: Buffer.from(existing.content).toString('base64'),
            encoding: 'base64',
          },
        ];
      }
      if (method === 'PUT') {
        if (existing && body.sha !== existing.sha)
          return [409, { message: `${filePath} does not match ${body.sha}` }];
        if (!existing && body.sha) return [422, { message: 'sha was supplied for a missing file' }];
        if (existing === undefined && files.has(filePath)) return [422, { message: "sha wasn't supplied" }];
        const sha = newSha();
        files.set(filePath, { content: Buffer.from(body.content, 'base64').toString('utf8'), sha });
        return [existing ? 200 : 201, { content: { path: filePath, sha }, commit: { sha: newSha() } }];
      }
    }
    return [404, { message: `fake GitHub has no route for ${method} ${path}` }];

    function commentJson(c: Comment) {
      return {
        id: c.id,
        body: c.body,
        html_url: `https://github.com/${owner}/${repoName}/issues/${c.issue}#issuecomment-${c.id}`,
      };
    }
    function issueJson(i: Issue) {
      return {
        number: i.number,
        title: i.title,
        body: i.body,
        state: i.state,
        labels: i.labels.map((name) => ({ name })),
      };
    }
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const body = await readBody(req);
      const query = Object.fromEntries(url.searchParams);
      const method = req.method ?? 'GET';
      state.requests.push({ method, path: decodeURIComponent(url.pathname), query, body });
      const fault = faults.find(
        (f) => f.method === method && f.pattern.test(decodeURIComponent(url.pathname)) && f.times > 0,
      );
      if (fault) {
        fault.times--;
        send(res, fault.status, { message: `injected ${fault.status}` });
        return;
      }
      const [status, payload] = route(
        method,
        decodeURIComponent(url.pathname),
        query,
        (body ?? {}) as Record<string, unknown>,
      );
      send(res, status, payload);
    })().catch((error: unknown) => send(res, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ...state,
    failNext(method, pattern, status, times = 1) {
      faults.push({ method, pattern, status, times });
    },
    writes: () => state.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
