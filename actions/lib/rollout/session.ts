import { deliveryFor } from '../delivery/index.js';
import { KubeClient } from '../kube/client.js';
import { loadKubeConfig } from '../kube/config.js';
import { renderEnvironment } from '../render/index.js';
import { type LoadedEnvironment, loadEnvironment } from '../settings/index.js';
import type { TrafficTarget } from '../traffic/index.js';
import { durationOption } from '../util/duration.js';
import type { RolloutContext } from './context.js';
import { type RunInfo, runInfoFromEnv, withTrace } from './trace.js';

/** What the CLI commands and the actions share: which environment, which cluster, how long to wait. */
export interface SessionOptions {
  /** `--env`: an environment name or a settings file. */
  env: string;
  cwd: string;
  processEnv: NodeJS.ProcessEnv;
  kubeconfig?: string;
  /** A kubeconfig document (action input). */
  kubeconfigContent?: string;
  /** Overrides the settings' cluster.context. */
  context?: string;
  /** `kubectl rollout status --timeout`-like limit, e.g. "5m". */
  timeout?: string;
  /** How long to wait for another run's Lease, e.g. "2m". */
  leaseWait?: string;
  leaseDurationSeconds?: number;
  signal: AbortSignal;
  log: (line: string) => void;
  run?: RunInfo;
}

export interface Session {
  loaded: LoadedEnvironment;
  context: RolloutContext;
}

/** Loads the environment's settings and connects to its cluster (flags over settings over kubeconfig). */
export async function openSession(options: SessionOptions): Promise<Session> {
  const loaded = await loadEnvironment(options.env, { cwd: options.cwd });
  const { settings } = loaded;
  const { config } = loadKubeConfig({
    kubeconfig: options.kubeconfig,
    kubeconfigContent: options.kubeconfigContent,
    context: options.context ?? settings.cluster?.context,
    env: options.processEnv,
  });
  const client = new KubeClient(config, { namespace: settings.service.namespace, log: options.log });
  const target: TrafficTarget = {
    namespace: settings.service.namespace,
    environment: loaded.name,
    service: settings.service.name,
    method: settings.canary?.method ?? 'replica-ratio',
  };
  const run = options.run ?? runInfoFromEnv(options.processEnv);
  const rolloutTimeoutMs = durationOption('timeout', options.timeout, 600_000);
  const context: RolloutContext = {
    client,
    target,
    run,
    lease: {
      durationSeconds: options.leaseDurationSeconds ?? 30,
      waitMs: durationOption('lease-wait', options.leaseWait, 120_000, { allowZero: true }),
    },
    rolloutTimeoutMs,
    signal: options.signal,
    log: options.log,
    delivery: deliveryFor({
      environment: loaded.name,
      settings: settings.cluster?.delivery,
      processEnv: options.processEnv,
      run,
      async renderStable(image) {
        const rendered = await renderEnvironment(loaded, { track: 'stable', image, cwd: options.cwd });
        return withTrace(rendered.objects, image, run);
      },
      log: options.log,
    }),
  };
  return { loaded, context };
}
