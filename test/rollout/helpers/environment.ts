import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';

const repoManifests = resolve(import.meta.dirname, '../../../manifests/web');

export interface TestEnvironmentOptions {
  name: string;
  namespace: string;
  cpu?: string;
  hpa?: { min: number; max: number };
  method?: 'replica-ratio' | 'gateway-api' | 'nginx-ingress';
  steps?: { weight: number; pause?: string; gates?: string[]; load?: string }[];
  gates?: Record<string, unknown>[];
  context?: string;
  extra?: Record<string, unknown>;
}

/** Writes `environments/<name>.yaml` for a small service using the repository's base manifests. */
export function environmentSettings(options: TestEnvironmentOptions): Record<string, unknown> {
  const method = options.method ?? 'replica-ratio';
  return {
    manifests: repoManifests,
    service: {
      name: 'web',
      namespace: options.namespace,
      image: 'scalegate/web:1.0.0',
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      resources: { requests: { cpu: options.cpu ?? '50m', memory: '32Mi' }, limits: { memory: '32Mi' } },
    },
    autoscaling: {
      hpa: {
        minReplicas: options.hpa?.min ?? 2,
        maxReplicas: options.hpa?.max ?? 4,
        metrics: [{ type: 'resource', resource: 'cpu', averageUtilization: 70 }],
      },
    },
    canary: {
      method,
      ...(method === 'gateway-api' ? { gatewayApi: { parentRefs: [{ name: 'gw' }] } } : {}),
      ...(method === 'nginx-ingress' ? { nginxIngress: { host: 'web.example.test' } } : {}),
      steps: options.steps ?? [{ weight: 25 }, { weight: 50 }],
    },
    ...(options.gates ? { gates: options.gates } : {}),
    ...(options.context ? { cluster: { context: options.context } } : {}),
    ...options.extra,
  };
}

/** A folder with environments/<name>.yaml files; returns it (the cwd for loadEnvironment and the CLI). */
export async function writeEnvironments(...environments: TestEnvironmentOptions[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'scalegate-env-'));
  await mkdir(join(dir, 'environments'));
  for (const env of environments) await writeEnvironment(dir, env);
  return dir;
}

export async function writeEnvironment(dir: string, env: TestEnvironmentOptions): Promise<void> {
  await writeFile(join(dir, 'environments', `${env.name}.yaml`), stringify(environmentSettings(env)));
}
