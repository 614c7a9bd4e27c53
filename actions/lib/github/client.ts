import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';

const ScalegateOctokit = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof ScalegateOctokit>;

export interface GitHubClientOptions {
  token: string;
  /** GITHUB_API_URL on GitHub Enterprise Server; a local fake in tests. */
  baseUrl?: string;
  /** Called with each token so a runner can mask it (core.setSecret) before anything could print it. */
  maskSecret?: (secret: string) => void;
  log?: (message: string) => void;
}

/** The repository a workflow runs in, from GITHUB_REPOSITORY (`owner/name`). */
export interface RepoRef {
  owner: string;
  repo: string;
}

/** The HTTP status of a failed GitHub request (Octokit's RequestError), if it has one. */
export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

export function parseRepository(text: string | undefined): RepoRef {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(text ?? '');
  if (!m) throw new Error(`GITHUB_REPOSITORY must be 'owner/name', got '${text ?? ''}'`);
  return { owner: m[1] as string, repo: m[2] as string };
}

/**
 * An Octokit that retries server errors and waits out primary and secondary rate limits (a few times), so a busy
 * API does not fail a promotion. The token is handed to `maskSecret` first and never logged.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  if (!options.token) throw new Error('a GitHub token is required (input github-token or GITHUB_TOKEN)');
  options.maskSecret?.(options.token);
  const log = options.log ?? (() => {});
  return new ScalegateOctokit({
    auth: options.token,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    userAgent: 'scalegate',
    log: { debug: () => {}, info: () => {}, warn: log, error: log },
    retry: { doNotRetry: [400, 401, 403, 404, 409, 422] },
    throttle: {
      onRateLimit: (retryAfter, request, _octokit, retryCount) => {
        log(`GitHub rate limit on ${request.method} ${request.url}; retrying in ${retryAfter}s`);
        return retryCount < 3;
      },
      onSecondaryRateLimit: (retryAfter, request, _octokit, retryCount) => {
        log(`GitHub secondary rate limit on ${request.method} ${request.url}; retrying in ${retryAfter}s`);
        return retryCount < 2;
      },
    },
  });
}
