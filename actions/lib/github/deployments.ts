import type { GitHubClient, RepoRef } from './client.js';
import { capText, githubLimits } from './limits.js';

export type DeploymentState =
  | 'in_progress'
  | 'success'
  | 'failure'
  | 'error'
  | 'inactive'
  | 'queued'
  | 'pending';

/**
 * A GitHub Deployment for one promotion: created once, then moved through its statuses, so the repository's
 * Environments page shows what runs where and which run put it there.
 */
export async function createDeployment(
  github: GitHubClient,
  repo: RepoRef,
  input: {
    ref: string;
    environment: string;
    description: string;
    payload: Record<string, unknown>;
    production: boolean;
  },
): Promise<number> {
  const { data, status } = await github.rest.repos.createDeployment({
    ...repo,
    ref: input.ref,
    environment: input.environment,
    description: input.description,
    payload: JSON.stringify(input.payload),
    auto_merge: false,
    required_contexts: [],
    production_environment: input.production,
    transient_environment: false,
  });
  if (status !== 201 || !('id' in data)) {
    throw new Error(`GitHub did not create a deployment for ${input.ref}: ${JSON.stringify(data)}`);
  }
  return data.id;
}

export async function setDeploymentStatus(
  github: GitHubClient,
  repo: RepoRef,
  deploymentId: number,
  input: { state: DeploymentState; description: string; logUrl?: string; environmentUrl?: string },
): Promise<void> {
  await github.rest.repos.createDeploymentStatus({
    ...repo,
    deployment_id: deploymentId,
    state: input.state,
    description: capText(input.description, githubLimits.deploymentStatusDescription),
    ...(input.logUrl ? { log_url: input.logUrl } : {}),
    ...(input.environmentUrl ? { environment_url: input.environmentUrl } : {}),
    auto_inactive: true,
  });
}
