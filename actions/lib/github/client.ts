import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { retry as retryLoop } from '../util/retry.js';

const ScalegateOctokit = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof ScalegateOctokit>;

export interface GitHubClientOptions {
  token: string;
  /** GITHUB_API_URL on GitHub Enterprise Server; a local fake in tests. */
  baseUrl?: string;
  /** Called with each token so a runner can mask it (core.setSecret) before anything could print it. */
  maskSecret?: (secret: string) => void;
  log?: (message: string) => void;
  /**
   * Wait as GitHub asks integrations to: content-creating requests spaced a second apart (more for notifications),
   * rate limits waited out, retries backed off by seconds. Default true. A test against a local fake turns it off:
   * nothing there is rate limited, and the waits would be most of its run time.
   */
  pacing?: boolean;
}

/** The repository a workflow runs in, from GITHUB_REPOSITORY (`owner/name`). */
export interface RepoRef {
  owner: string;
  repo: string;
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
  const paced = options.pacing ?? true;
  return new ScalegateOctokit({
    auth: options.token,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    userAgent: 'scalegate',
    log: { debug: () => {}, info: () => {}, warn: log, error: log },
    retry: { doNotRetry: [400, 401, 403, 404, 409, 422], ...(paced ? {} : { retryAfterBaseValue: 0 }) },
    throttle: {
      enabled: paced,
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

/** The HTTP status of a failed Octokit request (a RequestError), when there is one. */
export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Runs a read-modify-write again, from the read, while GitHub refuses the write with one of `statuses` because
 * someone else wrote first (a moved branch head, a file created meanwhile): `tries` tries in all, no wait, since
 * the re-read is what resolves the race.
 */
export function retryOnConflict<T>(operation: () => Promise<T>, statuses: number[], tries = 4): Promise<T> {
  return retryLoop(operation, {
    classify: (error, attempt) => {
      const status = httpStatus(error);
      return status !== undefined && statuses.includes(status) && attempt + 1 < tries
        ? { retry: true, delayMs: 0, reason: `HTTP ${status}` }
        : { retry: false };
    },
  });
}
