/**
 * The workflow run an action executes in, from the runner's environment: repository, commit, pull request (from
 * the event payload at GITHUB_EVENT_PATH) and the run's URL.
 */
import { readFileSync } from 'node:fs';
import { httpStatus, parseRepository, type RepoRef } from '../github/client.js';

export interface RunContext {
  repo: RepoRef;
  /** The commit a check run belongs to: the pull request's (or the followed run's) head, else GITHUB_SHA. */
  sha: string;
  pullRequest?: number;
  runUrl?: string;
  apiUrl?: string;
  eventName?: string;
}

interface EventPayload {
  pull_request?: { number?: number; head?: { sha?: string } };
  number?: number;
  /** A workflow_run follow-up: the run it follows, with that run's head commit and pull request. */
  workflow_run?: { head_sha?: string; pull_requests?: { number?: number }[] };
}

function readEvent(path: string | undefined): EventPayload {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EventPayload;
  } catch {
    return {};
  }
}

export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const event = readEvent(env.GITHUB_EVENT_PATH);
  const repo = parseRepository(env.GITHUB_REPOSITORY);
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const pullRequest =
    event.pull_request?.number ?? event.workflow_run?.pull_requests?.[0]?.number ?? undefined;
  return {
    repo,
    sha: event.pull_request?.head?.sha ?? event.workflow_run?.head_sha ?? env.GITHUB_SHA ?? '',
    ...(pullRequest !== undefined ? { pullRequest } : {}),
    ...(env.GITHUB_RUN_ID
      ? { runUrl: `${server}/${repo.owner}/${repo.repo}/actions/runs/${env.GITHUB_RUN_ID}` }
      : {}),
    ...(env.GITHUB_API_URL ? { apiUrl: env.GITHUB_API_URL } : {}),
    ...(env.GITHUB_EVENT_NAME ? { eventName: env.GITHUB_EVENT_NAME } : {}),
  };
}

/** GitHub answers 403 ("Resource not accessible by integration") to writes with a fork pull request's token. */
export function isPermissionError(error: unknown): boolean {
  return httpStatus(error) === 403;
}
