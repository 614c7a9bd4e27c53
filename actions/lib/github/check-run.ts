import type { GitHubClient, RepoRef } from './client.js';
import { capText, githubLimits } from './limits.js';

export interface CheckAnnotation {
  path: string;
  startLine: number;
  endLine?: number;
  level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

export interface CheckRunInput {
  name: string;
  headSha: string;
  conclusion: 'success' | 'failure' | 'neutral' | 'cancelled';
  title: string;
  summary: string;
  text?: string;
  detailsUrl?: string;
  /** Shown on the environment file's lines in the pull request's diff. */
  annotations?: CheckAnnotation[];
}

/** GitHub accepts at most 50 annotations per request; the rest go in follow-up updates. */
const annotationsPerRequest = 50;

/** Creates a completed check run, adding annotations in batches as the API requires, each field within its limit. */
export async function publishCheckRun(
  github: GitHubClient,
  repo: RepoRef,
  input: CheckRunInput,
): Promise<{ id: number; url: string }> {
  const annotations = (input.annotations ?? []).map((a) => ({
    path: a.path,
    start_line: a.startLine,
    end_line: a.endLine ?? a.startLine,
    annotation_level: a.level,
    title: capText(a.title, githubLimits.annotationTitle),
    message: capText(a.message, githubLimits.annotationMessage, 'bytes'),
  }));
  const output = (batch: typeof annotations) => ({
    title: input.title,
    summary: capText(input.summary, githubLimits.checkRunText, 'bytes'),
    ...(input.text ? { text: capText(input.text, githubLimits.checkRunText, 'bytes') } : {}),
    ...(batch.length > 0 ? { annotations: batch } : {}),
  });
  const { data } = await github.rest.checks.create({
    ...repo,
    name: input.name,
    head_sha: input.headSha,
    status: 'completed',
    conclusion: input.conclusion,
    ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    output: output(annotations.slice(0, annotationsPerRequest)),
  });
  for (let i = annotationsPerRequest; i < annotations.length; i += annotationsPerRequest) {
    await github.rest.checks.update({
      ...repo,
      check_run_id: data.id,
      output: output(annotations.slice(i, i + annotationsPerRequest)),
    });
  }
  return { id: data.id, url: data.html_url ?? '' };
}
