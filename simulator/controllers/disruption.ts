import { matchesLabelSelector } from '../store/selectors.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import { isPodReady, isType } from './objects.js';
import { QueueController } from './queue-controller.js';

/**
 * The disruption controller: each PodDisruptionBudget's status (expected and healthy pods, disruptions allowed,
 * the DisruptionAllowed condition), which evictions (`kubectl drain`) are checked against; a `NoPods` event while
 * its selector matches no pod.
 */

export interface BudgetStatus {
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
}

function resolve(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'string' && value.endsWith('%')) {
    const share = (Number(value.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(share) : Math.floor(share);
  }
  return Number(value ?? 0);
}

/** What a budget allows given the pods it selects (the controller's arithmetic, with the pods as the scale). */
export function budgetStatus(pdb: KubeObject, pods: KubeObject[]): BudgetStatus {
  const selected = pods.filter(
    (p) =>
      !p.metadata.deletionTimestamp &&
      matchesLabelSelector(p.metadata.labels ?? {}, pdb.spec?.selector ?? {}),
  );
  const expectedPods = selected.length;
  const currentHealthy = selected.filter(isPodReady).length;
  const desiredHealthy =
    pdb.spec?.maxUnavailable !== undefined
      ? Math.max(0, expectedPods - resolve(pdb.spec.maxUnavailable, expectedPods, true))
      : resolve(pdb.spec?.minAvailable ?? 1, expectedPods, true);
  return {
    expectedPods,
    currentHealthy,
    desiredHealthy,
    disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy),
  };
}

export class DisruptionController extends QueueController {
  readonly name = 'disruption-controller';

  private budgets() {
    return this.context.registry.byKind('policy/v1', 'PodDisruptionBudget');
  }

  protected override begin(): void {
    const type = this.budgets();
    if (!type) return;
    for (const pdb of this.context.store.list(type).items)
      this.queue.add(`${pdb.metadata.namespace}/${pdb.metadata.name}`);
  }

  protected override onEvent(event: StoreEvent): void {
    const type = this.budgets();
    if (!type) return;
    const { object } = event;
    if (isType(event.resource, type) && event.type !== 'DELETED')
      this.queue.add(`${object.metadata.namespace}/${object.metadata.name}`);
    if (isType(event.resource, this.types.pods)) {
      for (const pdb of this.context.store.list(type, { namespace: object.metadata.namespace }).items)
        this.queue.add(`${pdb.metadata.namespace}/${pdb.metadata.name}`);
    }
  }

  protected sync(key: string): void {
    const type = this.budgets();
    const [namespace, name] = key.split('/') as [string, string];
    const pdb = type ? this.context.store.tryGet(type, namespace, name) : undefined;
    if (!type || !pdb) return;
    const pods = this.context.store.list(this.types.pods, { namespace }).items;
    // Every sync that finds no pod the selector matches says so, as the real controller does (the event recorder
    // folds the repeats into one Event's count).
    if (!pods.some((p) => matchesLabelSelector(p.metadata.labels ?? {}, pdb.spec?.selector ?? {})))
      this.context.recordEvent(pdb, 'Normal', 'NoPods', 'No matching pods found', 'controllermanager');
    const computed = budgetStatus(pdb, pods);
    const allowed = computed.disruptionsAllowed > 0;
    const previous = (pdb.status?.conditions ?? [])[0];
    const condition = {
      type: 'DisruptionAllowed',
      status: allowed ? 'True' : 'False',
      reason: allowed ? 'SufficientPods' : 'InsufficientPods',
      message: '',
      observedGeneration: pdb.metadata.generation,
      lastTransitionTime:
        previous?.status === (allowed ? 'True' : 'False')
          ? previous.lastTransitionTime
          : this.context.store.nowIso(),
    };
    const status = { observedGeneration: pdb.metadata.generation, ...computed, conditions: [condition] };
    if (JSON.stringify(status) === JSON.stringify(pdb.status)) return;
    this.context.store.update(type, { ...pdb, status }, { subresource: 'status' });
  }
}
