import { applyDefaults } from '../api/defaults.js';
import type { ResourceType } from '../store/resources.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import { nextScheduledTime, parseCron, scheduledTimes } from './cron-schedule.js';
import { controllerRef, isType, objectKey, ownerReferenceTo, splitKey } from './objects.js';
import { QueueController } from './queue-controller.js';

const source = 'cronjob-controller';
const scheduledAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

const isFinished = (job: KubeObject, type: string) =>
  (job.status?.conditions ?? []).some(
    (c: { type: string; status: string }) => c.type === type && c.status === 'True',
  );

/**
 * The CronJob controller (v2): at each scheduled time it creates the Job `<name>-<minutes since epoch>` from the
 * job template, honouring `suspend` and `concurrencyPolicy`, keeps `status.active`, `lastScheduleTime` and
 * `lastSuccessfulTime`, and removes finished Jobs beyond the history limits.
 */
export class CronJobController extends QueueController {
  readonly name = source;

  private type(kind: string): ResourceType | undefined {
    return this.context.registry.byKind('batch/v1', kind);
  }

  protected override begin(): void {
    const cronJobs = this.type('CronJob');
    if (cronJobs) for (const c of this.context.store.list(cronJobs).items) this.queue.add(objectKey(c));
  }

  protected override onEvent(event: StoreEvent): void {
    const cronJobs = this.type('CronJob');
    const jobs = this.type('Job');
    if (!cronJobs || !jobs) return;
    if (isType(event.resource, cronJobs) && event.type !== 'DELETED') this.queue.add(objectKey(event.object));
    if (isType(event.resource, jobs)) {
      const owner = controllerRef(event.object);
      if (owner?.kind === 'CronJob') this.queue.add(`${event.object.metadata.namespace}/${owner.name}`);
    }
  }

  protected sync(key: string): void {
    const cronJobs = this.type('CronJob');
    const jobs = this.type('Job');
    const { namespace, name } = splitKey(key);
    const { store } = this.context;
    const cj = cronJobs ? store.tryGet(cronJobs, namespace, name) : undefined;
    if (!cronJobs || !jobs || !cj || cj.metadata.deletionTimestamp) return;
    let schedule: ReturnType<typeof parseCron>;
    try {
      schedule = parseCron(cj.spec?.schedule ?? '');
    } catch (error) {
      this.context.recordEvent(
        cj,
        'Warning',
        'UnparseableSchedule',
        `unparseable schedule: ${(error as Error).message}`,
        source,
      );
      return;
    }
    const now = store.clock.now();
    let owned = store
      .list(jobs, { namespace })
      .items.filter((j) => controllerRef(j)?.uid === cj.metadata.uid);
    const active = () => owned.filter((j) => !isFinished(j, 'Complete') && !isFinished(j, 'Failed'));
    const last = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
    const due = scheduledTimes(schedule, last, now).pop();
    let lastScheduleTime = cj.status?.lastScheduleTime;
    if (due !== undefined && cj.spec?.suspend !== true) {
      const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
      if (policy === 'Replace')
        for (const j of active()) store.delete(jobs, namespace, j.metadata.name as string);
      if (policy !== 'Forbid' || active().length === 0) {
        owned = [...owned, this.createJob(cj, jobs, due)];
        lastScheduleTime = new Date(due).toISOString().replace('.000Z', 'Z');
      }
    }
    this.pruneHistory(cj, jobs, owned);
    const successes = owned.filter((j) => isFinished(j, 'Complete') && j.status?.completionTime);
    const lastSuccessfulTime = successes
      .map((j) => j.status.completionTime as string)
      .sort()
      .pop();
    const status = {
      ...(active().length
        ? {
            active: active().map((j) => ({
              kind: 'Job',
              namespace,
              name: j.metadata.name,
              uid: j.metadata.uid,
              apiVersion: 'batch/v1',
              resourceVersion: j.metadata.resourceVersion,
            })),
          }
        : {}),
      ...(lastScheduleTime ? { lastScheduleTime } : {}),
      ...(lastSuccessfulTime ? { lastSuccessfulTime } : {}),
    };
    const next = nextScheduledTime(schedule, now);
    if (next !== undefined) this.queue.addAfter(key, Math.max(1, (next - now) / 1000));
    if (JSON.stringify(status) !== JSON.stringify(cj.status ?? {}))
      store.update(cronJobs, { ...cj, status }, { subresource: 'status' });
  }

  private createJob(cj: KubeObject, jobs: ResourceType, scheduledAt: number): KubeObject {
    const template = cj.spec?.jobTemplate ?? {};
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: `${cj.metadata.name}-${Math.floor(scheduledAt / 60_000)}`,
        namespace: cj.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: {
          ...(template.metadata?.annotations ?? {}),
          [scheduledAnnotation]: new Date(scheduledAt).toISOString().replace('.000Z', 'Z'),
        },
        ownerReferences: [ownerReferenceTo(cj)],
      },
      spec: structuredClone(template.spec ?? {}),
    };
    applyDefaults(jobs, job, () => '');
    // The selector comes from the Job's uid once it exists (the job controller completes it, as the API would).
    const created = this.context.store.create(jobs, job);
    this.context.recordEvent(
      cj,
      'Normal',
      'SuccessfulCreate',
      `Created job ${created.metadata.name}`,
      source,
    );
    return created;
  }

  private pruneHistory(cj: KubeObject, jobs: ResourceType, owned: KubeObject[]): void {
    const limits: Array<[string, number]> = [
      ['Complete', cj.spec?.successfulJobsHistoryLimit ?? 3],
      ['Failed', cj.spec?.failedJobsHistoryLimit ?? 1],
    ];
    for (const [condition, limit] of limits) {
      const finished = owned
        .filter((j) => isFinished(j, condition))
        .sort((a, b) =>
          (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''),
        );
      for (const j of finished.slice(0, Math.max(0, finished.length - limit))) {
        this.context.store.delete(jobs, j.metadata.namespace, j.metadata.name as string);
        this.context.recordEvent(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`, source);
      }
    }
  }
}
