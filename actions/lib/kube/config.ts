import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ScalegateError } from '../util/errors.js';

/** Where the cluster credentials come from; the first one set wins, in this order. */
export interface KubeAccessOptions {
  /** A whole kubeconfig document (an action input), YAML or JSON. */
  kubeconfigContent?: string;
  /** `--kubeconfig` path (or several joined with the path delimiter, as KUBECONFIG allows). */
  kubeconfig?: string;
  /** `--context`; the kubeconfig's current-context when absent. */
  context?: string;
  env?: NodeJS.ProcessEnv;
}

/** A loaded configuration and where it came from, for messages. */
export interface LoadedKubeConfig {
  config: KubeConfig;
  source: string;
  context: string;
}

const inClusterTokenPath = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function loadFiles(config: KubeConfig, paths: string[]): void {
  const existing = paths.filter((p) => p !== '');
  const missing = existing.filter((p) => !existsSync(p));
  if (missing.length === existing.length)
    throw new ScalegateError(`kubeconfig not found: ${existing.join(delimiter)}`);
  const [first, ...rest] = existing.filter((p) => existsSync(p));
  config.loadFromFile(first!);
  // Several files merge as kubectl merges KUBECONFIG: the first file's current-context wins.
  for (const path of rest) {
    const more = new KubeConfig();
    more.loadFromFile(path);
    config.mergeConfig(more, true);
  }
}

/**
 * Loads cluster access as kubectl does: an explicit document or path, then KUBECONFIG, then the in-cluster service
 * account, then ~/.kube/config. `http://` servers (local clusters) are allowed by marking them skip-TLS, which has no
 * effect without TLS and is what client-node requires to talk plain HTTP.
 */
export function loadKubeConfig(options: KubeAccessOptions = {}): LoadedKubeConfig {
  const env = options.env ?? process.env;
  const config = new KubeConfig();
  let source: string;
  try {
    if (options.kubeconfigContent !== undefined && options.kubeconfigContent.trim() !== '') {
      config.loadFromString(options.kubeconfigContent);
      source = 'kubeconfig input';
    } else if (options.kubeconfig) {
      loadFiles(config, options.kubeconfig.split(delimiter));
      source = options.kubeconfig;
    } else if (env.KUBECONFIG) {
      loadFiles(config, env.KUBECONFIG.split(delimiter));
      source = `KUBECONFIG=${env.KUBECONFIG}`;
    } else if (env.KUBERNETES_SERVICE_HOST && existsSync(inClusterTokenPath)) {
      config.loadFromCluster();
      source = 'in-cluster service account';
    } else {
      const home = join(env.HOME ?? homedir(), '.kube', 'config');
      if (!existsSync(home))
        throw new ScalegateError(
          'no cluster access: set KUBECONFIG, pass --kubeconfig, or run inside a cluster (no ~/.kube/config)',
        );
      config.loadFromFile(home);
      source = home;
    }
  } catch (error) {
    if (error instanceof ScalegateError) throw error;
    throw new ScalegateError(`cannot load kubeconfig: ${(error as Error).message}`);
  }
  if (options.context) {
    if (!config.getContextObject(options.context)) {
      const known = config.getContexts().map((c) => c.name);
      throw new ScalegateError(
        `kubeconfig ${source}: context "${options.context}" not found (available: ${known.join(', ') || 'none'})`,
      );
    }
    config.setCurrentContext(options.context);
  }
  const context = config.getCurrentContext();
  if (!context || !config.getCurrentCluster())
    throw new ScalegateError(`kubeconfig ${source}: no current context; pass --context`);
  allowPlainHttp(config);
  return { config, source, context };
}

function allowPlainHttp(config: KubeConfig): void {
  const clusters = config.getClusters();
  if (!clusters.some((c) => c.server.startsWith('http:') && !c.skipTLSVerify)) return;
  config.loadFromOptions({
    clusters: clusters.map((c) => (c.server.startsWith('http:') ? { ...c, skipTLSVerify: true } : c)),
    users: config.getUsers(),
    contexts: config.getContexts(),
    currentContext: config.getCurrentContext(),
  });
}

/** The namespace of the current context, if the kubeconfig names one. */
export function contextNamespace(config: KubeConfig): string | undefined {
  return config.getContextObject(config.getCurrentContext())?.namespace;
}
