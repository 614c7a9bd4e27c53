import { PrometheusClient } from '../prometheus/client.js';
import { connectionOptions } from '../prometheus/connection.js';
import { renderEnvironment } from '../render/index.js';
import { deployCanary } from './canary.js';
import type { Progress } from './progress.js';
import type { Session } from './session.js';
import { deployStable } from './stable.js';
import { stepChecks } from './step-checks.js';

export interface DeployRequest {
  track: 'stable' | 'canary';
  /** Defaults to the settings' service.image. */
  image?: string;
  cwd: string;
  processEnv: NodeJS.ProcessEnv;
  /** Where load goes, overriding the settings. */
  targetUrl?: string;
  approvalTimeoutMs?: number;
  /** Replace a canary that waits for promote. */
  replace?: boolean;
  /** Gates of steps without load look back at least this far (default 1 m, see stepChecks). */
  gateLookbackMs?: number;
}

export interface DeployOutcome {
  image: string;
  /** The render digest of the deployed track. */
  revision: string;
  /** One line for humans. */
  summary: string;
  progress?: Progress;
}

/** Renders one track of the session's environment and deploys it (the canary then walks its steps). */
export async function deployEnvironment(session: Session, request: DeployRequest): Promise<DeployOutcome> {
  const { loaded, context } = session;
  const image = request.image ?? loaded.settings.service.image;
  const rendered = await renderEnvironment(loaded, { image, track: request.track, cwd: request.cwd });
  const { namespace, service } = context.target;
  if (request.track === 'stable') {
    const result = await deployStable(context, rendered, image);
    return {
      image,
      revision: rendered.digest,
      summary: `deployed ${image} to ${namespace}/${service} (stable): ${result.applied.length} applied, ${result.pruned.length} pruned`,
    };
  }
  const steps = loaded.settings.canary?.steps ?? [];
  const progress = await deployCanary(context, rendered, image, {
    steps,
    checks: stepChecks(loaded, {
      cwd: request.cwd,
      log: context.log,
      prometheus: () =>
        new PrometheusClient(connectionOptions({}, loaded.settings.prometheus, request.processEnv)),
      ...(request.targetUrl ? { targetUrl: request.targetUrl } : {}),
      ...(request.gateLookbackMs !== undefined ? { bakeLookbackMs: request.gateLookbackMs } : {}),
    }),
    ...(request.approvalTimeoutMs !== undefined ? { approvalTimeoutMs: request.approvalTimeoutMs } : {}),
    replace: request.replace ?? false,
  });
  return {
    image,
    revision: rendered.digest,
    progress,
    summary: `canary ${image} of ${namespace}/${service} passed all ${steps.length} steps; promote with: scalegate promote --env ${loaded.name}`,
  };
}
