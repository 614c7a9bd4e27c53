import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { LoadRunner } from '../../actions/lib/load/types.js';
import type { ResourceType } from '../store/resources.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import { isType, objectKey, ownerReferenceTo, splitKey } from './objects.js';
import { QueueController } from './queue-controller.js';

/** `-e KEY=VALUE` and `--stage d:t` out of a TestRun's `arguments` (the parts every load runner understands). */
export function parseTestRunArguments(text: string): { env: Record<string, string>; stages: string[] } {
  const words = text.split(/\s+/).filter(Boolean);
  const env: Record<string, string> = {};
  const stages: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const value = (flag: string) =>
      word === flag ? words[++i] : word.startsWith(`${flag}=`) ? word.slice(flag.length + 1) : undefined;
    const assignment = value('-e') ?? value('--env');
    if (assignment?.includes('='))
      env[assignment.slice(0, assignment.indexOf('='))] = assignment.slice(assignment.indexOf('=') + 1);
    const stage = value('--stage') ?? value('-s');
    if (stage) stages.push(stage);
  }
  return { env, stages };
}

/**
 * Runs k6-operator TestRuns (k6.io/v1alpha1) in the local cluster with the load runner it is given (the cluster
 * passes the builtin engine): stage
 * initialization → initialized → created → started → finished (or error when the ConfigMap or script is unusable).
 * It creates the runner Jobs `<name>-<i>` (labels app=k6, k6_cr, runner=true) and, when the run ends, marks them
 * Complete or Failed with k6's exit code in the condition message and the `k6.io/exit-code` annotation. All runners
 * mirror one engine run: the load is not split into execution segments.
 */
export class K6TestRunController extends QueueController {
  readonly name = 'k6-testrun-controller';
  private testRuns!: ResourceType;
  private jobs!: ResourceType;
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();

  constructor(private readonly runner: LoadRunner) {
    super();
  }

  protected override begin(): void {
    this.testRuns = this.context.registry.byKind('k6.io/v1alpha1', 'TestRun')!;
    this.jobs = this.context.registry.byKind('batch/v1', 'Job')!;
    for (const testRun of this.context.store.list(this.testRuns).items) this.queue.add(objectKey(testRun));
  }

  protected override onEvent(event: StoreEvent): void {
    if (!isType(event.resource, this.testRuns)) return;
    const key = objectKey(event.object);
    if (event.type === 'DELETED') this.running.get(key)?.abort.abort();
    else if (!event.object.status?.stage) this.queue.add(key);
  }

  override async stop(): Promise<void> {
    await super.stop();
    for (const run of this.running.values()) run.abort.abort();
    await Promise.all([...this.running.values()].map((run) => run.done));
  }

  protected sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const testRun = this.context.store.tryGet(this.testRuns, namespace, name);
    if (!testRun || testRun.status?.stage || this.running.has(key)) return;
    const abort = new AbortController();
    const done = this.run(testRun, abort.signal)
      .catch((error: unknown) => {
        this.setStage(namespace, name, 'error');
        this.context.recordEvent(testRun, 'Warning', 'TestRunFailed', String(error), this.name);
      })
      .finally(() => this.running.delete(key));
    this.running.set(key, { abort, done });
  }

  private setStage(namespace: string | undefined, name: string, stage: string): void {
    const current = this.context.store.tryGet(this.testRuns, namespace, name);
    if (!current) return;
    this.context.store.update(
      this.testRuns,
      { ...current, status: { ...(current.status ?? {}), stage } },
      { subresource: 'status' },
    );
  }

  private async run(testRun: KubeObject, signal: AbortSignal): Promise<void> {
    const namespace = testRun.metadata.namespace as string;
    const name = testRun.metadata.name as string;
    const store = this.context.store;
    this.setStage(namespace, name, 'initialization');
    const configMapRef = testRun.spec?.script?.configMap;
    const configMaps = this.context.registry.byKind('v1', 'ConfigMap')!;
    const file = basename(configMapRef?.file ?? 'test.js');
    const configMap = configMapRef?.name ? store.tryGet(configMaps, namespace, configMapRef.name) : undefined;
    const source = (configMap?.data as Record<string, unknown> | undefined)?.[file];
    if (typeof source !== 'string') {
      this.context.recordEvent(
        testRun,
        'Warning',
        'ScriptNotFound',
        `no script ${configMapRef?.name}/${file}`,
        this.name,
      );
      this.setStage(namespace, name, 'error');
      return;
    }
    const dir = await mkdtemp(join(tmpdir(), 'scalegate-testrun-'));
    try {
      await writeFile(join(dir, file), source);
      const { env, stages } = parseTestRunArguments(String(testRun.spec?.arguments ?? ''));
      this.setStage(namespace, name, 'initialized');
      const parallelism = Math.max(1, Number(testRun.spec?.parallelism ?? 1));
      const jobNames = Array.from({ length: parallelism }, (_, i) => `${name}-${i + 1}`);
      for (const jobName of jobNames) {
        const labels = { app: 'k6', k6_cr: name, runner: 'true' };
        const job = store.create(this.jobs, {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name: jobName, namespace, labels, ownerReferences: [ownerReferenceTo(testRun)] },
          spec: {
            backoffLimit: 0,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: 'Never',
                containers: [
                  {
                    name: 'k6',
                    image: testRun.spec?.runner?.image ?? 'grafana/k6:latest',
                    args: ['run', `/test/${file}`],
                  },
                ],
              },
            },
          },
        });
        store.update(
          this.jobs,
          { ...job, status: { active: 1, startTime: store.nowIso() } },
          { subresource: 'status' },
        );
      }
      this.setStage(namespace, name, 'created');
      this.setStage(namespace, name, 'started');
      const result = await this.runner.run({
        script: join(dir, file),
        env,
        ...(stages.length ? { stages: stages.join(',') } : {}),
        signal,
        log: () => undefined,
        stdout: () => undefined,
      });
      for (const jobName of jobNames) {
        const job = store.tryGet(this.jobs, namespace, jobName);
        if (!job) continue;
        const failed = result.exitCode !== 0;
        const annotated = store.update(this.jobs, {
          ...job,
          metadata: {
            ...job.metadata,
            annotations: { ...(job.metadata.annotations ?? {}), 'k6.io/exit-code': String(result.exitCode) },
          },
        });
        store.update(
          this.jobs,
          {
            ...annotated,
            status: {
              ...(annotated.status ?? {}),
              active: 0,
              ...(failed ? { failed: 1 } : { succeeded: 1 }),
              completionTime: store.nowIso(),
              conditions: [
                {
                  type: failed ? 'Failed' : 'Complete',
                  status: 'True',
                  reason: failed ? 'BackoffLimitExceeded' : 'Completed',
                  message: `k6 exited with exit code ${result.exitCode}`,
                  lastTransitionTime: store.nowIso(),
                },
              ],
            },
          },
          { subresource: 'status' },
        );
      }
      const scriptRejected =
        (result.exitCode === 104 || result.exitCode === 107) && result.windows.scenarios.length === 0;
      this.setStage(namespace, name, scriptRejected ? 'error' : 'finished');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
