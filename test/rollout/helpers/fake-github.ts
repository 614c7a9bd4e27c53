import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gitBlobSha } from '../../../actions/lib/rollout/gitops.js';

export interface RecordedRequest {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
}

interface Commit {
  tree: string;
  parents: string[];
  message: string;
}

/**
 * A local stand-in for GitHub's REST API (the Git data endpoints and pull requests scalegate uses), keeping a real
 * in-memory object store: blobs by git blob id, trees as path → blob maps, commits and refs. Records every request.
 */
export interface FakeGitHub {
  url: string;
  requests: RecordedRequest[];
  /** Files of the commit a branch points to, path → content. */
  files(branch: string): Map<string, string>;
  refs: Map<string, string>;
  pulls: { number: number; head: string; base: string; title: string }[];
  /** The next non-forced update of this branch fails as if someone pushed first (422, not a fast-forward). */
  raceNextUpdate(branch: string): void;
  /** Called after a branch moves (the GitOps controller's trigger). */
  onRefUpdate?: (branch: string) => void;
  stop(): Promise<void>;
}

const id = (value: unknown) => createHash('sha1').update(JSON.stringify(value)).digest('hex');

export async function startFakeGitHub(
  owner: string,
  repo: string,
  initial: Record<string, string>,
): Promise<FakeGitHub> {
  const blobs = new Map<string, string>();
  const trees = new Map<string, Map<string, string>>();
  const commits = new Map<string, Commit>();
  const refs = new Map<string, string>();
  const pulls: FakeGitHub['pulls'] = [];
  const requests: RecordedRequest[] = [];
  const races = new Set<string>();

  const putTree = (entries: Map<string, string>) => {
    const sha = id([...entries].sort());
    trees.set(sha, entries);
    return sha;
  };
  const rootEntries = new Map<string, string>();
  for (const [path, content] of Object.entries(initial)) {
    const sha = gitBlobSha(content);
    blobs.set(sha, content);
    rootEntries.set(path, sha);
  }
  const rootCommit = id({ initial });
  commits.set(rootCommit, { tree: putTree(rootEntries), parents: [], message: 'initial' });
  refs.set('main', rootCommit);

  const prefix = `/repos/${owner}/${repo}`;
  let fake: FakeGitHub;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      // Octokit encodes the ref's slashes (heads%2Fmain), as GitHub accepts.
      const pathname = decodeURIComponent(url.pathname);
      requests.push({ method: req.method ?? 'GET', path: pathname, body });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const path = pathname.startsWith(prefix) ? pathname.slice(prefix.length) : '';
      const on = (method: string, pattern: RegExp) => (req.method === method ? pattern.exec(path) : null);
      const getRef = on('GET', /^\/git\/ref\/heads\/(.+)$/);
      if (getRef) {
        const sha = refs.get(getRef[1]!);
        return sha
          ? send(200, { ref: `refs/heads/${getRef[1]}`, object: { sha, type: 'commit' } })
          : send(404, { message: 'Not Found' });
      }
      const getCommit = on('GET', /^\/git\/commits\/([0-9a-f]+)$/);
      if (getCommit) {
        const commit = commits.get(getCommit[1]!);
        if (!commit) return send(404, { message: 'Not Found' });
        return send(200, {
          sha: getCommit[1],
          tree: { sha: commit.tree },
          parents: commit.parents.map((sha) => ({ sha })),
          message: commit.message,
        });
      }
      const getTree = on('GET', /^\/git\/trees\/([0-9a-f]+)$/);
      if (getTree) {
        const tree = trees.get(getTree[1]!);
        if (!tree) return send(404, { message: 'Not Found' });
        return send(200, {
          sha: getTree[1],
          truncated: false,
          tree: [...tree].map(([p, sha]) => ({ path: p, mode: '100644', type: 'blob', sha })),
        });
      }
      if (req.method === 'POST' && path === '/git/blobs') {
        const content = String(body!.content);
        const sha = gitBlobSha(content);
        blobs.set(sha, content);
        return send(201, { sha });
      }
      if (req.method === 'POST' && path === '/git/trees') {
        const base = trees.get(String(body!.base_tree)) ?? new Map<string, string>();
        const entries = new Map(base);
        for (const entry of body!.tree as { path: string; sha: string | null }[]) {
          if (entry.sha === null) entries.delete(entry.path);
          else entries.set(entry.path, entry.sha);
        }
        return send(201, { sha: putTree(entries) });
      }
      if (req.method === 'POST' && path === '/git/commits') {
        const commit = {
          tree: String(body!.tree),
          parents: body!.parents as string[],
          message: String(body!.message),
        };
        const sha = id({ ...commit, n: commits.size });
        commits.set(sha, commit);
        return send(201, { sha });
      }
      const updateRef = on('PATCH', /^\/git\/refs\/heads\/(.+)$/);
      if (updateRef) {
        const branch = updateRef[1]!;
        const current = refs.get(branch);
        if (!current) return send(422, { message: 'Reference does not exist' });
        const next = String(body!.sha);
        const fastForward = commits.get(next)?.parents.includes(current);
        if (races.delete(branch) || (!body!.force && !fastForward))
          return send(422, { message: 'Update is not a fast forward' });
        refs.set(branch, next);
        send(200, { ref: `refs/heads/${branch}`, object: { sha: next } });
        fake.onRefUpdate?.(branch);
        return;
      }
      if (req.method === 'POST' && path === '/git/refs') {
        const branch = String(body!.ref).replace(/^refs\/heads\//, '');
        if (refs.has(branch)) return send(422, { message: 'Reference already exists' });
        refs.set(branch, String(body!.sha));
        return send(201, { ref: body!.ref, object: { sha: body!.sha } });
      }
      if (req.method === 'GET' && path === '/pulls') {
        const head = url.searchParams.get('head')?.replace(`${owner}:`, '');
        return send(
          200,
          pulls
            .filter((p) => p.head === head && p.base === url.searchParams.get('base'))
            .map((p) => ({ ...p, html_url: `https://github.test/${owner}/${repo}/pull/${p.number}` })),
        );
      }
      if (req.method === 'POST' && path === '/pulls') {
        const pull = {
          number: pulls.length + 1,
          head: String(body!.head),
          base: String(body!.base),
          title: String(body!.title),
        };
        pulls.push(pull);
        return send(201, { ...pull, html_url: `https://github.test/${owner}/${repo}/pull/${pull.number}` });
      }
      send(404, { message: `fake GitHub has no ${req.method} ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake = {
    url: `http://127.0.0.1:${port}`,
    requests,
    refs,
    pulls,
    files(branch) {
      const tree = trees.get(commits.get(refs.get(branch)!)!.tree)!;
      return new Map([...tree].map(([p, sha]) => [p, blobs.get(sha)!]));
    },
    raceNextUpdate: (branch) => races.add(branch),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
