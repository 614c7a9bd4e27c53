import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { annotations } from '../kube/labels.js';

/** Who rolled something out, from where: written onto what scalegate rolls out. */
export interface RunInfo {
  /** Identifies the workflow run (its URL in GitHub Actions); the Lease holder. */
  runId: string;
  runUrl?: string;
  gitSha?: string;
}

/**
 * The run as GitHub Actions describes it (the run URL, without the attempt: a re-run attempt of a crashed run takes
 * its lease over at once), `SCALEGATE_RUN_ID` when set, else the local user, host and process.
 */
export function runInfoFromEnv(env: NodeJS.ProcessEnv): RunInfo {
  const gitSha = env.GITHUB_SHA;
  if (env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY) {
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
    const runUrl = `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
    return { runId: env.SCALEGATE_RUN_ID || runUrl, runUrl, gitSha };
  }
  const who = `${env.USER ?? 'user'}@${env.HOSTNAME ?? 'local'}`;
  return { runId: env.SCALEGATE_RUN_ID || `local:${who}:${process.pid}`, gitSha };
}

/** The digest part of an image reference (`...@sha256:<hex>`), if it names one. */
export function imageDigest(image: string): string | undefined {
  const at = image.indexOf('@');
  return at === -1 ? undefined : image.slice(at + 1);
}

/**
 * Adds traceability annotations to the Deployments among `objects` that run `image`: the run, git sha, image and digest on the
 * Deployment; git sha and image on its pod template too, so the running revision can be matched exactly (GitOps
 * waits for it). The run URL stays off the template: a re-run must not restart the pods.
 */
export function withTrace(objects: KubernetesObject[], image: string, run: RunInfo): KubernetesObject[] {
  const digest = imageDigest(image);
  const onTemplate: Record<string, string> = { [annotations.image]: image };
  if (run.gitSha) onTemplate[annotations.gitSha] = run.gitSha;
  const onDeployment: Record<string, string> = { ...onTemplate };
  if (run.runUrl) onDeployment[annotations.runUrl] = run.runUrl;
  if (digest) onDeployment[annotations.imageDigest] = digest;
  return objects.map((obj) => {
    if (obj.kind !== 'Deployment') return obj;
    const d = structuredClone(obj) as V1Deployment;
    // Only the service's own Deployments: not, say, the overprovisioning buffer.
    if (!d.spec?.template?.spec?.containers?.some((c) => c.image === image)) return obj;
    d.metadata = { ...d.metadata, annotations: { ...d.metadata?.annotations, ...onDeployment } };
    if (d.spec?.template) {
      const meta = d.spec.template.metadata ?? {};
      d.spec.template.metadata = { ...meta, annotations: { ...meta.annotations, ...onTemplate } };
    }
    return d;
  });
}
