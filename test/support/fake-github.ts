/**
 * A local stand-in for GitHub's REST API, the one boundary scalegate's tests cannot reach for real. It answers the
 * endpoints scalegate calls, with GitHub's response shapes, from a small in-memory repository: issues and pull
 * requests, comments, check runs, deployments, and branches whose files are read and written through the contents
 * API or the Git data API (blobs, trees, commits, refs). It records every request and can fail the next matching
 * ones, so tests assert the exact calls and meet GitHub's errors.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Decoded (Octokit encodes a ref's slashes: `git/ref/heads%2Fmain`). */
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
}

/** Who a token authenticates as, as GitHub shows it in a comment's `user`. */
export interface Account {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}
/** GITHUB_TOKEN is an installation token of the GitHub Actions app; what it writes is by this bot user. */
export const githubActionsBot: Account = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };
const githubActionsApp = { id: 15368, slug: 'github-actions', name: 'GitHub Actions' };

/**
 * GitHub's documented limits the fake enforces with 422 Validation Failed (REST reference of each endpoint):
 * comment bodies, issue and pull-request titles, check-run output and annotations, deployment status descriptions.
 */
const limits = {
  commentBody: 65_536,
  title: 256,
  checkRunText: 65_535,
  annotationTitle: 255,
  annotationText: 64 * 1024,
  deploymentStatusDescription: 140,
};
/** The contents API returns a file's content up to 1 MB; up to 100 MB only its metadata, with encoding "none". */
const contentsApiLimit = 1024 * 1024;
/** A recursive tree listing stops at 100,000 entries and says `truncated: true`. */
const treeListingLimit = 100_000;

/** A file on a branch: its text and its git blob id. */
export interface RepoFile {
  content: string;
  sha: string;
}
export interface Comment {
  id: number;
  issue: number;
  body: string;
  /** Its author: the token's account for comments made through the API. */
  user: Account;
}
export interface Issue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
}
export interface PullRequest {
  number: number;
  title: string;
  body: string;
  /** Branch names. */
  head: string;
  base: string;
  state: 'open' | 'closed';
}
export type CheckRun = Record<string, unknown> & { id: number };
export type Deployment = Record<string, unknown> & { id: number; statuses: Array<Record<string, unknown>> };

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  /** Files on the default branch `main` at start, path → text. */
  files?: Record<string, string>;
  /** GitHub's web address, which `html_url` links point to. */
  webUrl?: string;
  /** Personal access tokens and the users they authenticate as. */
  users?: Record<string, Account>;
  /** Installation tokens of other GitHub Apps and their bot users; any other token is GITHUB_TOKEN's. */
  apps?: Record<string, Account>;
  /** Entries after which a recursive tree listing is truncated (GitHub: 100,000); lower to meet truncation. */
  treeListingLimit?: number;
}

export interface FakeGitHub {
  url: string;
  requests: RecordedRequest[];
  comments: Comment[];
  issues: Issue[];
  pulls: PullRequest[];
  checkRuns: CheckRun[];
  deployments: Deployment[];
  /**
   * branch → path → file: what each branch holds now. A test may seed a branch by writing here; the next call that
   * reads or moves the branch records that as a commit.
   */
  files: Map<string, Map<string, RepoFile>>;
  /** branch → the commit it points to. */
  refs: Map<string, string>;
  /** Called after a branch moved through the API (what triggers a GitOps controller's sync). */
  onRefUpdate?: (branch: string) => void;
  /** Answer the next matching requests with this status (fault injection), e.g. a 409 on a content write. */
  failNext(method: string, pathPattern: RegExp, status: number, times?: number): void;
  /** Calls that changed something (everything but GET and GraphQL queries), as `METHOD /path`. */
  writes(): string[];
  close(): Promise<void>;
}

interface Commit {
  tree: string;
  parents: string[];
  message: string;
}
interface TreeEntry {
  path: string;
  sha?: string | null;
  content?: string;
}

/** The request as a route sees it: the path's one capture group, the query and the JSON body. */
interface RouteRequest {
  param: string;
  /** The account the request's token writes as: a user, or an app's bot user for an installation token. */
  caller: Account;
  query: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: a body is whatever Octokit sent; each route reads the fields it needs.
  body: Record<string, any>;
}
type Reply = [status: number, body: unknown];
type Route = [method: string, path: RegExp, handle: (request: RouteRequest) => Reply];

const sha1 = (data: string | Buffer) => createHash('sha1').update(data).digest('hex');

/** Git's blob id, computed here rather than imported so that scalegate's own must agree with git's. */
function blobId(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return sha1(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]));
}

const notFound: Reply = [404, { message: 'Not Found' }];
const fileName = (path: string) => path.split('/').at(-1);

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'shop';
  const web = `${options.webUrl ?? 'https://github.com'}/${owner}/${repo}`;
  const prefix = `/repos/${owner}/${repo}`;
  const blobs = new Map<string, string>();
  /** tree id → path → blob id (flat, as a recursive listing). */
  const trees = new Map<string, Map<string, string>>();
  const commits = new Map<string, Commit>();
  const faults: Array<{ method: string; pattern: RegExp; status: number; times: number }> = [];
  let lastId = 100;

  const server: Server = createServer((req, res) => {
    void handle(req)
      .catch((error: unknown): Reply => [500, { message: String(error) }])
      .then(([status, body]) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
  });
  const fake: FakeGitHub = {
    url: '',
    requests: [],
    comments: [],
    issues: [],
    pulls: [],
    checkRuns: [],
    deployments: [],
    files: new Map(),
    refs: new Map(),
    failNext(method, pathPattern, status, times = 1) {
      faults.push({ method, pattern: pathPattern, status, times });
    },
    writes: () =>
      fake.requests
        .filter(
          (r) =>
            r.method !== 'GET' && !(r.path === '/graphql' && !/^\s*mutation\b/.test(String(r.body?.query))),
        )
        .map((r) => `${r.method} ${r.path}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const routes: Route[] = [
    ['GET', /^$/, getRepository],
    ['GET', /^\/git\/blobs\/([0-9a-f]{40})$/, getBlob],
    ['GET', /^\/issues$/, listIssues],
    ['POST', /^\/issues$/, createIssue],
    ['PATCH', /^\/issues\/(\d+)$/, updateIssue],
    ['GET', /^\/issues\/(\d+)\/comments$/, listComments],
    ['POST', /^\/issues\/(\d+)\/comments$/, createComment],
    ['PATCH', /^\/issues\/comments\/(\d+)$/, updateComment],
    ['GET', /^\/pulls$/, listPulls],
    ['POST', /^\/pulls$/, createPull],
    ['POST', /^\/check-runs$/, createCheckRun],
    ['PATCH', /^\/check-runs\/(\d+)$/, updateCheckRun],
    ['POST', /^\/deployments$/, createDeployment],
    ['POST', /^\/deployments\/(\d+)\/statuses$/, createDeploymentStatus],
    ['GET', /^\/contents\/(.+)$/, getContent],
    ['PUT', /^\/contents\/(.+)$/, putContent],
    ['POST', /^\/git\/blobs$/, createBlob],
    ['GET', /^\/git\/trees\/([0-9a-f]{40})$/, getTree],
    ['POST', /^\/git\/trees$/, createTree],
    ['GET', /^\/git\/commits\/([0-9a-f]{40})$/, getCommit],
    ['POST', /^\/git\/commits$/, createCommit],
    ['GET', /^\/git\/ref\/heads\/(.+)$/, getRef],
    ['POST', /^\/git\/refs$/, createRef],
    ['PATCH', /^\/git\/refs\/heads\/(.+)$/, updateRef],
  ];

  async function handle(req: IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const path = decodeURIComponent(url.pathname);
    const query = Object.fromEntries(url.searchParams);
    const body = await readJson(req);
    fake.requests.push({ method, path, query, body });
    const fault = faults.find((f) => f.times > 0 && f.method === method && f.pattern.test(path));
    if (fault) {
      fault.times -= 1;
      return [fault.status, { message: `injected ${fault.status}` }];
    }
    const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const user = options.users?.[token];
    const caller = user ?? options.apps?.[token] ?? githubActionsBot;
    // GET /user answers a user's token; an installation token (GITHUB_TOKEN) has no user to show.
    if (method === 'GET' && path === '/user')
      return user ? [200, user] : [403, { message: 'Resource not accessible by integration' }];
    // GraphQL's viewer is the authenticated account for either kind of token: a user, or the app's bot user.
    if (method === 'POST' && path === '/graphql')
      return /\bviewer\b/.test(String(body?.query))
        ? [200, { data: { viewer: { login: caller.login, databaseId: caller.id } } }]
        : [200, { errors: [{ message: 'fake GitHub answers only the viewer query' }] }];
    const local = path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
    for (const [routeMethod, pattern, route] of routes) {
      const match = routeMethod === method && local !== undefined ? pattern.exec(local) : null;
      if (match) return route({ param: match[1] ?? '', caller, query, body: body ?? {} });
    }
    return [404, { message: `fake GitHub has no route for ${method} ${path}` }];
  }

  function nextId(): number {
    lastId += 1;
    return lastId;
  }
  /** Issues and pull requests share one sequence of numbers, as on GitHub. */
  function nextNumber(): number {
    return Math.max(0, ...fake.issues.map((i) => i.number), ...fake.pulls.map((p) => p.number)) + 1;
  }

  function putBlob(content: string): string {
    const sha = blobId(content);
    blobs.set(sha, content);
    return sha;
  }
  function putTree(entries: Map<string, string>): string {
    const sha = sha1(JSON.stringify([...entries].sort()));
    trees.set(sha, entries);
    return sha;
  }
  function putCommit(commit: Commit): string {
    const sha = sha1(JSON.stringify({ ...commit, n: commits.size }));
    commits.set(sha, commit);
    return sha;
  }

  /** The commit `branch` points to, after recording what was written to its files since as a new commit. */
  function head(branch: string, message = 'files written directly'): string | undefined {
    const files = fake.files.get(branch);
    if (!files) return undefined;
    const entries = new Map<string, string>();
    for (const [path, file] of files) {
      blobs.set(file.sha, file.content);
      entries.set(path, file.sha);
    }
    const tree = putTree(entries);
    const current = fake.refs.get(branch);
    if (current && commits.get(current)?.tree === tree) return current;
    const sha = putCommit({ tree, parents: current ? [current] : [], message });
    fake.refs.set(branch, sha);
    return sha;
  }

  /** Points `branch` at commit `sha` and makes its files that commit's. */
  function moveBranch(branch: string, sha: string): void {
    const tree = trees.get(commits.get(sha)?.tree ?? '') ?? new Map<string, string>();
    const files = fake.files.get(branch) ?? new Map<string, RepoFile>();
    files.clear();
    for (const [path, blob] of tree) files.set(path, { content: blobs.get(blob) ?? '', sha: blob });
    fake.files.set(branch, files);
    fake.refs.set(branch, sha);
    fake.onRefUpdate?.(branch);
  }

  function descendsFrom(sha: string, ancestor: string): boolean {
    return (
      sha === ancestor || (commits.get(sha)?.parents ?? []).some((parent) => descendsFrom(parent, ancestor))
    );
  }

  function commentJson(c: Comment) {
    return {
      id: c.id,
      body: c.body,
      user: c.user,
      performed_via_github_app:
        c.user.id === githubActionsBot.id
          ? githubActionsApp
          : c.user.type === 'Bot'
            ? { id: c.user.id, slug: c.user.login.replace(/\[bot\]$/, ''), name: c.user.login }
            : null,
      html_url: `${web}/issues/${c.issue}#issuecomment-${c.id}`,
    };
  }
  /** GitHub's 422 for a field over its documented limit, or undefined when every field fits. */
  function tooLong(
    fields: Array<[field: string, value: unknown, max: number, bytes?: boolean]>,
  ): Reply | undefined {
    for (const [field, value, max, bytes] of fields) {
      if (typeof value !== 'string') continue;
      const size = bytes ? Buffer.byteLength(value) : [...value].length;
      if (size > max)
        return [
          422,
          {
            message: 'Validation Failed',
            errors: [
              { field, code: 'custom', message: `${field} is too long (maximum is ${max} characters)` },
            ],
          },
        ];
    }
    return undefined;
  }
  function issueJson(i: Issue) {
    const labels = i.labels.map((name) => ({ name }));
    return {
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      labels,
      html_url: `${web}/issues/${i.number}`,
    };
  }
  function pullJson(p: PullRequest) {
    return {
      number: p.number,
      title: p.title,
      body: p.body,
      state: p.state,
      head: { ref: p.head, label: `${owner}:${p.head}`, sha: fake.refs.get(p.head) },
      base: { ref: p.base, label: `${owner}:${p.base}`, sha: fake.refs.get(p.base) },
      html_url: `${web}/pull/${p.number}`,
    };
  }
  function commitJson(sha: string, commit: Commit) {
    const parents = commit.parents.map((parent) => ({ sha: parent }));
    return { sha, message: commit.message, tree: { sha: commit.tree }, parents };
  }
  function refJson(branch: string, sha: string) {
    return { ref: `refs/heads/${branch}`, object: { sha, type: 'commit' } };
  }

  function getRepository(): Reply {
    return [200, { name: repo, full_name: `${owner}/${repo}`, default_branch: 'main', html_url: web }];
  }

  function listIssues({ query }: RouteRequest): Reply {
    const state = query.state ?? 'open';
    const labels = (query.labels ?? '').split(',').filter(Boolean);
    const issues = fake.issues.filter(
      (i) => (state === 'all' || i.state === state) && labels.every((label) => i.labels.includes(label)),
    );
    return [200, issues.map(issueJson)];
  }
  function createIssue({ body }: RouteRequest): Reply {
    const invalid = tooLong([
      ['title', body.title, limits.title],
      ['body', body.body, limits.commentBody],
    ]);
    if (invalid) return invalid;
    const issue: Issue = {
      number: nextNumber(),
      title: String(body.title),
      body: body.body ?? '',
      labels: body.labels ?? [],
      state: 'open',
    };
    fake.issues.push(issue);
    return [201, issueJson(issue)];
  }
  function updateIssue({ param, body }: RouteRequest): Reply {
    const issue = fake.issues.find((i) => i.number === Number(param));
    if (!issue) return notFound;
    if (body.state) issue.state = body.state;
    if (body.body !== undefined) issue.body = body.body;
    return [200, issueJson(issue)];
  }

  function listComments({ param }: RouteRequest): Reply {
    return [200, fake.comments.filter((c) => c.issue === Number(param)).map(commentJson)];
  }
  function createComment({ param, caller, body }: RouteRequest): Reply {
    const invalid = tooLong([['body', body.body, limits.commentBody]]);
    if (invalid) return invalid;
    const comment: Comment = { id: nextId(), issue: Number(param), body: String(body.body), user: caller };
    fake.comments.push(comment);
    return [201, commentJson(comment)];
  }
  function updateComment({ param, body }: RouteRequest): Reply {
    const comment = fake.comments.find((c) => c.id === Number(param));
    if (!comment) return notFound;
    const invalid = tooLong([['body', body.body, limits.commentBody]]);
    if (invalid) return invalid;
    comment.body = String(body.body);
    return [200, commentJson(comment)];
  }

  function listPulls({ query }: RouteRequest): Reply {
    const state = query.state ?? 'open';
    const pulls = fake.pulls.filter(
      (p) =>
        (state === 'all' || p.state === state) &&
        (!query.head || `${owner}:${p.head}` === query.head) &&
        (!query.base || p.base === query.base),
    );
    return [200, pulls.map(pullJson)];
  }
  function createPull({ body }: RouteRequest): Reply {
    const invalid = tooLong([
      ['title', body.title, limits.title],
      ['body', body.body, limits.commentBody],
    ]);
    if (invalid) return invalid;
    const head = String(body.head);
    const base = String(body.base);
    if (!fake.files.has(head) || !fake.files.has(base)) return [422, { message: 'Validation Failed' }];
    if (fake.pulls.some((p) => p.state === 'open' && p.head === head && p.base === base))
      return [422, { message: `A pull request already exists for ${owner}:${head}.` }];
    const pull: PullRequest = {
      number: nextNumber(),
      title: String(body.title),
      body: body.body ?? '',
      head,
      base,
      state: 'open',
    };
    fake.pulls.push(pull);
    return [201, pullJson(pull)];
  }

  /** The check-run output limits: summary and text 65,535 characters; each annotation's title 255, message 64 KB. */
  function invalidOutput(output: Record<string, unknown> | undefined): Reply | undefined {
    const annotations = (output?.annotations ?? []) as Array<Record<string, unknown>>;
    return tooLong([
      ['output.summary', output?.summary, limits.checkRunText],
      ['output.text', output?.text, limits.checkRunText],
      ...annotations.flatMap(
        (a): Array<[string, unknown, number, boolean?]> => [
          ['annotations.title', a.title, limits.annotationTitle],
          ['annotations.message', a.message, limits.annotationText, true],
          ['annotations.raw_details', a.raw_details, limits.annotationText, true],
        ],
      ),
    ]);
  }
  function createCheckRun({ body }: RouteRequest): Reply {
    const invalid = invalidOutput(body.output);
    if (invalid) return invalid;
    const id = nextId();
    const run = { id, ...body, html_url: `${web}/runs/${id}` };
    fake.checkRuns.push(run);
    return [201, run];
  }
  function updateCheckRun({ param, body }: RouteRequest): Reply {
    const run = fake.checkRuns.find((r) => r.id === Number(param));
    if (!run) return notFound;
    const invalid = invalidOutput(body.output);
    if (invalid) return invalid;
    // GitHub adds each update's annotations to the run's; the rest of the output is replaced.
    const previous = (run.output as { annotations?: unknown[] } | undefined)?.annotations ?? [];
    const annotations = [...previous, ...(body.output?.annotations ?? [])];
    Object.assign(run, body, { output: { ...(run.output as object), ...body.output, annotations } });
    return [200, run];
  }

  function createDeployment({ body }: RouteRequest): Reply {
    const deployment: Deployment = { id: nextId(), ...body, statuses: [] };
    fake.deployments.push(deployment);
    const { statuses: _statuses, ...json } = deployment;
    return [201, json];
  }
  function createDeploymentStatus({ param, body }: RouteRequest): Reply {
    const deployment = fake.deployments.find((d) => d.id === Number(param));
    if (!deployment) return notFound;
    const invalid = tooLong([['description', body.description, limits.deploymentStatusDescription]]);
    if (invalid) return invalid;
    const status = { id: nextId(), ...body };
    deployment.statuses.push(status);
    return [201, status];
  }

  /** The files at `ref`: a branch name, or a commit id. */
  function filesAt(ref: string): Map<string, RepoFile> | undefined {
    const files = fake.files.get(ref);
    if (files) {
      head(ref);
      return files;
    }
    const tree = trees.get(commits.get(ref)?.tree ?? '');
    if (!tree) return undefined;
    return new Map([...tree].map(([path, blob]) => [path, { content: blobs.get(blob) ?? '', sha: blob }]));
  }
  /** A file (its content only up to 1 MB, as GitHub), or a folder's listing (its direct entries). */
  function getContent({ param: path, query }: RouteRequest): Reply {
    const ref = query.ref ?? 'main';
    const files = filesAt(ref);
    if (!files) return [404, { message: `No commit found for the ref ${ref}` }];
    const file = files.get(path);
    if (!file) {
      const inside = [...files].filter(([p]) => p.startsWith(`${path}/`));
      if (inside.length === 0) return notFound;
      const names = new Set(inside.map(([p]) => p.slice(path.length + 1).split('/')[0] as string));
      return [
        200,
        [...names].sort().map((name) => {
          const entry = files.get(`${path}/${name}`);
          return entry
            ? {
                type: 'file',
                name,
                path: `${path}/${name}`,
                sha: entry.sha,
                size: Buffer.byteLength(entry.content),
              }
            : { type: 'dir', name, path: `${path}/${name}`, size: 0 };
        }),
      ];
    }
    const size = Buffer.byteLength(file.content);
    const [encoding, content] =
      size > contentsApiLimit ? ['none', ''] : ['base64', Buffer.from(file.content).toString('base64')];
    return [200, { type: 'file', name: fileName(path), path, sha: file.sha, size, encoding, content }];
  }
  /** Writes one file as a commit on the branch; `sha` must name the file being replaced (optimistic concurrency). */
  function putContent({ param: path, body }: RouteRequest): Reply {
    const branch = body.branch ?? 'main';
    const files = fake.files.get(branch);
    if (!files) return [404, { message: `Branch ${branch} not found` }];
    const existing = files.get(path);
    if (existing && !body.sha) return [422, { message: `Invalid request.\n\n"sha" wasn't supplied.` }];
    if (body.sha && body.sha !== existing?.sha)
      return [409, { message: `${path} does not match ${body.sha}` }];
    const content = Buffer.from(String(body.content), 'base64').toString('utf8');
    const sha = putBlob(content);
    files.set(path, { content, sha });
    const commit = head(branch, String(body.message)) ?? '';
    const json = {
      content: { name: fileName(path), path, sha },
      commit: commitJson(commit, commits.get(commit)!),
    };
    return [existing ? 200 : 201, json];
  }

  function createBlob({ body }: RouteRequest): Reply {
    const content =
      body.encoding === 'base64' ? Buffer.from(body.content, 'base64').toString('utf8') : body.content;
    return [201, { sha: putBlob(String(content)) }];
  }
  function getBlob({ param: sha }: RouteRequest): Reply {
    const content = blobs.get(sha);
    if (content === undefined) return notFound;
    const size = Buffer.byteLength(content);
    return [200, { sha, size, encoding: 'base64', content: Buffer.from(content).toString('base64') }];
  }
  /** The recursive listing, cut at the listing limit with `truncated: true` as GitHub does. */
  function getTree({ param: sha }: RouteRequest): Reply {
    const tree = trees.get(sha);
    if (!tree) return notFound;
    const entries = [...tree].map(([path, blob]) => {
      const size = Buffer.byteLength(blobs.get(blob) ?? '');
      return { path, mode: '100644', type: 'blob', sha: blob, size };
    });
    const limit = options.treeListingLimit ?? treeListingLimit;
    return [200, { sha, truncated: entries.length > limit, tree: entries.slice(0, limit) }];
  }
  /** A tree from `base_tree` with entries set (by blob id or inline content) or removed (`sha: null`). */
  function createTree({ body }: RouteRequest): Reply {
    if (body.base_tree && !trees.has(body.base_tree)) return [422, { message: 'Invalid tree info' }];
    const entries = new Map(body.base_tree ? trees.get(body.base_tree) : undefined);
    for (const entry of body.tree as TreeEntry[]) {
      if (entry.content !== undefined) entries.set(entry.path, putBlob(entry.content));
      else if (entry.sha) entries.set(entry.path, entry.sha);
      else entries.delete(entry.path);
    }
    return [201, { sha: putTree(entries), truncated: false }];
  }
  function getCommit({ param: sha }: RouteRequest): Reply {
    const commit = commits.get(sha);
    return commit ? [200, commitJson(sha, commit)] : notFound;
  }
  function createCommit({ body }: RouteRequest): Reply {
    const commit: Commit = {
      tree: String(body.tree),
      parents: body.parents ?? [],
      message: String(body.message),
    };
    if (!trees.has(commit.tree)) return [422, { message: 'Tree SHA does not exist' }];
    if (!commit.parents.every((parent) => commits.has(parent)))
      return [422, { message: 'Parent SHA does not exist or is not a commit object' }];
    return [201, commitJson(putCommit(commit), commit)];
  }

  function getRef({ param: branch }: RouteRequest): Reply {
    const sha = head(branch);
    return sha ? [200, refJson(branch, sha)] : notFound;
  }
  function createRef({ body }: RouteRequest): Reply {
    const branch = String(body.ref).replace(/^refs\/heads\//, '');
    if (fake.files.has(branch)) return [422, { message: 'Reference already exists' }];
    if (!commits.has(body.sha)) return [422, { message: 'Object does not exist' }];
    moveBranch(branch, body.sha);
    return [201, refJson(branch, body.sha)];
  }
  /** Moves a branch; without `force` only forward, so a branch someone else moved meanwhile is refused. */
  function updateRef({ param: branch, body }: RouteRequest): Reply {
    const current = head(branch);
    if (!current) return [422, { message: 'Reference does not exist' }];
    if (!commits.has(body.sha)) return [422, { message: 'Object does not exist' }];
    if (!body.force && !descendsFrom(body.sha, current))
      return [422, { message: 'Update is not a fast forward' }];
    moveBranch(branch, body.sha);
    return [200, refJson(branch, body.sha)];
  }

  const initial = new Map(
    Object.entries(options.files ?? {}).map(([path, content]) => [path, putBlob(content)]),
  );
  moveBranch('main', putCommit({ tree: putTree(initial), parents: [], message: 'initial commit' }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
