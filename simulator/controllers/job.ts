import { generateJobSelector } from '../api/admission.js';
import { matchesLabelSelector } from '../store/selectors.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import { controllerRef, isPodReady, isType, objectKey, randomSuffix, splitKey } from './objects.js';
import { createPodFromTemplate } from './pod-template.js';
import { QueueController } from './queue-controller.js';

const source = 'job-controller';

/**
 * The Job controller: keeps `parallelism` pods running until `completions` have succeeded (then the
 * SuccessCriteriaMet and Complete conditions), or fails the Job past `backoffLimit` (BackoffLimitExceeded), with
 * the status fields and events kubectl shows.
 */
export class JobController extends QueueController {
  readonly name = source;

  private jobs() {
    return this.context.registry.byKind('batch/v1', 'Job');
  }

  protected override begin(): void {
    const jobs = this.jobs();
    if (jobs) for (const job of this.context.store.list(jobs).items) this.queue.add(objectKey(job));
  }

  protected override onEvent(event: StoreEvent): void {
    const jobs = this.jobs();
    if (!jobs) return;
    if (isType(event.resource, jobs) && event.type !== 'DELETED') this.queue.add(objectKey(event.object));
    if (isType(event.resource, this.types.pods)) {
      const owner = controllerRef(event.object);
      if (owner?.kind === 'Job') this.queue.add(`${event.object.metadata.namespace}/${owner.name}`);
    }
  }

  protected sync(key: string): void {
    const jobs = this.jobs();
    const { namespace, name } = splitKey(key);
    const job = jobs ? this.context.store.tryGet(jobs, namespace, name) : undefined;
    if (!jobs || !job || job.metadata.deletionTimestamp) return;
    if (!job.spec?.selector && job.spec?.manualSelector !== true) {
      // A Job a controller stored directly has no generated selector yet: kube-apiserver would have set it on create.
      const withSelector = structuredClone(job);
      generateJobSelector(withSelector, job.metadata.uid as string);
      this.context.store.update(jobs, withSelector);
      return;
    }
    const finished = (job.status?.conditions ?? []).some(
      (c: { type: string; status: string }) => ['Complete', 'Failed'].includes(c.type) && c.status === 'True',
    );
    const pods = this.context.store
      .list(this.types.pods, { namespace })
      .items.filter(
        (p) =>
          controllerRef(p)?.uid === job.metadata.uid &&
          matchesLabelSelector(p.metadata.labels ?? {}, job.spec?.selector),
      );
    const phase = (p: KubeObject) => p.status?.phase as string | undefined;
    const active = pods.filter(
      (p) => !['Succeeded', 'Failed'].includes(phase(p) ?? '') && !p.metadata.deletionTimestamp,
    );
    const succeeded = pods.filter((p) => phase(p) === 'Succeeded').length;
    const failed = pods.filter((p) => phase(p) === 'Failed').length;
    const spec = job.spec ?? {};
    const completions: number | undefined = spec.completions;
    const now = this.context.store.nowIso();
    const status: Record<string, unknown> = {
      ...(job.status ?? {}),
      startTime: job.status?.startTime ?? now,
      active: active.length || undefined,
      ready: active.filter(isPodReady).length,
      succeeded: succeeded || undefined,
      failed: failed || undefined,
      terminating: 0,
      uncountedTerminatedPods: {},
    };
    const conditions: unknown[] = [...(job.status?.conditions ?? [])];
    const complete =
      completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0;
    if (!finished && complete) {
      for (const type of ['SuccessCriteriaMet', 'Complete'])
        conditions.push({
          type,
          status: 'True',
          reason: 'CompletionsReached',
          message: 'Reached expected number of succeeded pods',
          lastProbeTime: now,
          lastTransitionTime: now,
        });
      status.completionTime = now;
      status.active = undefined;
      this.context.recordEvent(job, 'Normal', 'Completed', 'Job completed', source);
    } else if (!finished && failed > (spec.backoffLimit ?? 6)) {
      for (const type of ['FailureTarget', 'Failed'])
        conditions.push({
          type,
          status: 'True',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
          lastProbeTime: now,
          lastTransitionTime: now,
        });
      this.context.recordEvent(
        job,
        'Warning',
        'BackoffLimitExceeded',
        'Job has reached the specified backoff limit',
        source,
      );
    } else if (!finished && spec.suspend !== true) {
      const remaining = (completions ?? 1) - succeeded;
      const want = Math.min(spec.parallelism ?? 1, Math.max(0, remaining)) - active.length;
      for (let i = 0; i < want; i++)
        createPodFromTemplate(this.context, job, spec.template, `${name}-${randomSuffix()}`, source);
      if (want > 0) status.active = active.length + want;
    }
    status.conditions = conditions.length ? conditions : undefined;
    const next = JSON.parse(JSON.stringify(status));
    if (JSON.stringify(next) === JSON.stringify(job.status)) return;
    this.context.store.update(jobs, { ...job, status: next }, { subresource: 'status' });
  }
}
