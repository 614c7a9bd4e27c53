import { execFile } from 'node:child_process';
import { eventually } from '../support/eventually.js';

/** Real kubectl (1.32, `/usr/bin/kubectl`) run as a user would, and the manifests the end-to-end tests apply. */

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(env: NodeJS.ProcessEnv, args: string[], stdin?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile('/usr/bin/kubectl', args, { env, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

/**
 * Re-runs a kubectl command until its stdout matches (the cluster converges on its own time), then returns it.
 * A miss waits a quarter second before the next run, so polling does not starve the cluster of the shared CPU.
 */
export function kubectlUntil(
  env: NodeJS.ProcessEnv,
  args: string[],
  expected: RegExp,
  timeoutMs = 40_000,
): Promise<string> {
  let last = '';
  return eventually(
    `kubectl ${args.join(' ')} to match ${expected}`,
    async () => {
      const result = await kubectl(env, args);
      last = `${result.stdout}${result.stderr}`;
      return result.code === 0 && expected.test(result.stdout) ? result.stdout : undefined;
    },
    { timeoutMs, everyMs: 250 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last output: ${last}`);
  });
}

export interface DeploymentOptions {
  name: string;
  replicas?: number;
  image?: string;
  cpu: string;
  cpuLimit?: string;
  annotations?: Record<string, string>;
  progressDeadlineSeconds?: number;
}

/** A Deployment manifest (YAML text) whose pods carry `app: <name>` and request `cpu`. */
export function deploymentYaml(o: DeploymentOptions): string {
  const limits = o.cpuLimit ? `\n          limits: {cpu: ${o.cpuLimit}, memory: 256Mi}` : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${o.name}, labels: {app: ${o.name}}}
spec:
  replicas: ${o.replicas ?? 1}${o.progressDeadlineSeconds ? `\n  progressDeadlineSeconds: ${o.progressDeadlineSeconds}` : ''}
  selector: {matchLabels: {app: ${o.name}}}
  template:
    metadata:
      labels: {app: ${o.name}}
      annotations: ${JSON.stringify(o.annotations ?? {})}
    spec:
      containers:
      - name: ${o.name}
        image: "${o.image ?? 'shop/web:1.0.0'}"
        ports: [{containerPort: 8080}]
        resources:
          requests: {cpu: ${o.cpu}, memory: 64Mi}${limits}
`;
}

/** A CPU-bound web service: 20 ms of CPU per request within a 500m limit, so load drives usage far above 50 % of 100m. */
export const webManifests = `${deploymentYaml({
  name: 'web',
  cpu: '100m',
  cpuLimit: '500m',
  annotations: { 'sim.scalegate.dev/cpu-per-request': '20ms', 'sim.scalegate.dev/base-latency': '5ms' },
})}---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 4
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
`;
