/**
 * The `operator` runner: ships the script in a ConfigMap, creates a k6-operator TestRun (k6.io/v1alpha1), follows
 * `.status.stage` by watch until `finished` or `error` (re-watching when the watch ends), reads the runner Jobs' and
 * pods' exit codes (99 = thresholds failed) and logs, then deletes what it created.
 */
import { basename, resolve } from 'node:path';
import { BatchV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import { bundleForK6 } from './bundle.js';
import { inspectScript, plannedWindows } from './inspect.js';
import { parseStagesSpec } from './options.js';
import type { LoadResult, LoadRunner, OperatorSettings, RunLoadOptions } from './types.js';
import { iso } from './windows.js';

const group = 'k6.io';
const version = 'v1alpha1';
const plural = 'testruns';

interface TestRunObject {
  metadata?: { name?: string; resourceVersion?: string };
  status?: { stage?: string };
}

/** The TestRun manifest for a script shipped as `<name>-script`/test.js. */
export function testRunManifest(
  name: string,
  namespace: string,
  options: RunLoadOptions,
  settings: OperatorSettings,
) {
  const args: string[] = [];
  for (const [key, value] of Object.entries(options.env ?? {})) args.push('-e', `${key}=${value}`);
  for (const stage of options.stages ? parseStagesSpec(options.stages) : [])
    args.push('--stage', `${stage.duration}:${stage.target}`);
  args.push(...(settings.arguments ?? []), ...(options.k6Args ?? []));
  const runner: Record<string, unknown> = {};
  if (settings.runnerImage) runner.image = settings.runnerImage;
  if (settings.runnerResources) runner.resources = settings.runnerResources;
  return {
    apiVersion: `${group}/${version}`,
    kind: 'TestRun',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'scalegate' } },
    spec: {
      parallelism: settings.parallelism ?? 1,
      script: { configMap: { name: `${name}-script`, file: 'test.js' } },
      ...(args.length ? { arguments: args.join(' ') } : {}),
      ...(Object.keys(runner).length ? { runner } : {}),
    },
  };
}

interface JobLike {
  metadata?: { name?: string; annotations?: Record<string, string> };
  status?: {
    failed?: number;
    succeeded?: number;
    conditions?: { type?: string; status?: string; message?: string }[];
  };
}
interface PodLike {
  metadata?: { name?: string; labels?: Record<string, string> };
  status?: { containerStatuses?: { state?: { terminated?: { exitCode?: number } } }[] };
}

/** One exit code per runner: the pod's terminated container, else the Job's recorded code, else 0/1 from status. */
export function runnerExitCodes(jobs: JobLike[], pods: PodLike[]): number[] {
  return jobs.map((job) => {
    const name = job.metadata?.name ?? '';
    const pod = pods.find((p) => p.metadata?.labels?.['job-name'] === name);
    const fromPod = pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode;
    if (typeof fromPod === 'number') return fromPod;
    const annotated = job.metadata?.annotations?.['k6.io/exit-code'];
    if (annotated !== undefined && /^\d+$/.test(annotated)) return Number(annotated);
    const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
    const inMessage = failed?.message && /exit code (\d+)/.exec(failed.message);
    if (inMessage) return Number(inMessage[1]);
    return (job.status?.failed ?? 0) > 0 ? 1 : 0;
  });
}

/** The run's code: script/config errors first, then thresholds, then marked-failed; 0 when every runner passed. */
export function combineExitCodes(codes: number[]): number {
  for (const code of [107, 108, 104, 105, 99, 110]) if (codes.includes(code)) return code;
  return codes.find((c) => c !== 0) ?? 0;
}

function loadKubeConfig(settings: OperatorSettings): KubeConfig {
  const kc = new KubeConfig();
  if (settings.kubeconfig) kc.loadFromFile(settings.kubeconfig);
  else kc.loadFromDefault();
  if (settings.context) kc.setCurrentContext(settings.context);
  return kc;
}

/** Follows the TestRun's stage until `finished`/`error`, re-watching from a fresh read whenever a watch ends. */
async function followStage(
  kc: KubeConfig,
  custom: CustomObjectsApi,
  namespace: string,
  name: string,
  deadline: number,
  signal: AbortSignal | undefined,
  onStage: (stage: string) => void,
): Promise<string> {
  const watch = new Watch(kc);
  for (;;) {
    if (signal?.aborted) return 'aborted';
    if (Date.now() > deadline) return 'timeout';
    const current = (await custom.getNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      name,
    })) as TestRunObject;
    const stage = current.status?.stage ?? '';
    onStage(stage);
    if (stage === 'finished' || stage === 'error') return stage;
    const outcome = await new Promise<string | undefined>((resolveWatch) => {
      let controller: AbortController | undefined;
      const finish = (value: string | undefined) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        controller?.abort();
        resolveWatch(value);
      };
      const onAbort = () => finish('aborted');
      const timer = setTimeout(
        () => finish(undefined),
        Math.max(1000, Math.min(60_000, deadline - Date.now())),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      void watch
        .watch(
          `/apis/${group}/${version}/namespaces/${namespace}/${plural}`,
          { fieldSelector: `metadata.name=${name}`, resourceVersion: current.metadata?.resourceVersion },
          (_phase, object: TestRunObject) => {
            const next = object.status?.stage ?? '';
            onStage(next);
            if (next === 'finished' || next === 'error') finish(next);
          },
          () => finish(undefined),
        )
        .then(
          (c) => {
            controller = c;
          },
          () => finish(undefined),
        );
    });
    if (outcome) return outcome;
  }
}

export async function runOperator(options: RunLoadOptions): Promise<LoadResult> {
  const settings = options.kube ?? {};
  const cwd = options.cwd ?? process.cwd();
  const scriptPath = resolve(cwd, options.script);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const kc = loadKubeConfig(settings);
  const namespace = settings.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const base = basename(scriptPath)
    .replace(/\.[^.]+$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 30);
  const name = settings.name ?? `${base}-${Date.now().toString(36)}`.replace(/^-+/, '');
  const core = kc.makeApiClient(CoreV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const env = { ...(process.env as Record<string, string>), ...(options.env ?? {}) };
  const inspection = await inspectScript(scriptPath, env, options.stages).catch(() => undefined);
  const source = await bundleForK6(scriptPath);

  await core.createNamespacedConfigMap({
    namespace,
    body: {
      metadata: { name: `${name}-script`, labels: { 'app.kubernetes.io/managed-by': 'scalegate' } },
      data: { 'test.js': source },
    },
  });
  const manifest = testRunManifest(name, namespace, options, settings);
  const created = Date.now();
  let started: number | undefined;
  let finished: number | undefined;
  try {
    await custom.createNamespacedCustomObject({ group, version, namespace, plural, body: manifest });
    log(`TestRun ${namespace}/${name} created (parallelism ${manifest.spec.parallelism})`);
    let lastStage = '';
    const stage = await followStage(
      kc,
      custom,
      namespace,
      name,
      created + (settings.timeoutMs ?? 1_800_000),
      options.signal,
      (s) => {
        if (s === lastStage || !s) return;
        lastStage = s;
        if (s === 'started') started ??= Date.now();
        if (s === 'finished' || s === 'error') finished ??= Date.now();
        log(`TestRun ${name}: stage ${s}`);
        options.onProgress?.({
          elapsedMs: Date.now() - created,
          stage: s,
          vus: 0,
          vusMax: 0,
          requestRate: 0,
          p95Ms: 0,
          errors: 0,
          requests: 0,
          iterations: 0,
        });
      },
    );
    const selector = `k6_cr=${name},runner=true`;
    const jobs = (await batch.listNamespacedJob({ namespace, labelSelector: selector })).items as JobLike[];
    const pods = (await core.listNamespacedPod({ namespace, labelSelector: selector })).items as PodLike[];
    for (const pod of pods) {
      const podName = pod.metadata?.name;
      if (!podName) continue;
      const text = await core.readNamespacedPodLog({ namespace, name: podName }).catch(() => '');
      if (text) log(`--- ${podName} ---\n${String(text).trimEnd()}`);
    }
    let exitCode: number;
    if (stage === 'aborted') exitCode = 105;
    else if (stage === 'timeout') {
      log(`TestRun ${name} did not finish in time`);
      exitCode = 105;
    } else if (stage === 'error') {
      log(`TestRun ${name} ended in stage error (script or options rejected by the initializer)`);
      exitCode = 107;
    } else exitCode = combineExitCodes(runnerExitCodes(jobs, pods));
    const end = finished ?? Date.now();
    const testStart = started ?? created;
    return {
      exitCode,
      runner: 'operator',
      windows: {
        start: iso(testStart),
        end: iso(end),
        scenarios: plannedWindows(inspection?.scenarios ?? [], testStart),
      },
      thresholdsPassed: exitCode !== 99,
      metrics: {
        requests: 0,
        requestRate: 0,
        p95Ms: 0,
        p99Ms: 0,
        errorRate: 0,
        iterations: 0,
        droppedIterations: 0,
        checksPassRate: undefined,
      },
    };
  } finally {
    if (!settings.keep) {
      await custom
        .deleteNamespacedCustomObject({ group, version, namespace, plural, name })
        .catch(() => undefined);
      await core.deleteNamespacedConfigMap({ namespace, name: `${name}-script` }).catch(() => undefined);
    }
  }
}

export const operatorRunner: LoadRunner = { name: 'operator', run: runOperator };
