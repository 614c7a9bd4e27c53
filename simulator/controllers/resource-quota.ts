import { formatBytes, formatCpu, parseQuantity } from '../../actions/lib/util/quantity.js';
import type { ResourceType } from '../store/resources.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import { isType } from './objects.js';
import { QueueController } from './queue-controller.js';

/**
 * The resource quota controller: each ResourceQuota's `status.hard` and `status.used` — object counts (`pods`,
 * `services`, `count/<resource>.<group>`...) and the requests and limits of the namespace's non-terminal pods —
 * which `kubectl describe quota` and kube-state-metrics' `kube_resourcequota` show.
 */

// biome-ignore lint/suspicious/noExplicitAny: reads untyped pod JSON.
type Json = any;

const countAliases: Record<string, string> = {
  pods: 'pods',
  services: 'services',
  configmaps: 'configmaps',
  secrets: 'secrets',
  persistentvolumeclaims: 'persistentvolumeclaims',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

function podTotal(pods: KubeObject[], field: 'requests' | 'limits', resource: string): number {
  let total = 0;
  for (const pod of pods)
    for (const c of (pod.spec?.containers ?? []) as Json[]) {
      const value =
        c.resources?.[field]?.[resource] ??
        (field === 'requests' ? c.resources?.limits?.[resource] : undefined);
      if (value !== undefined) total += parseQuantity(value);
    }
  return total;
}

export class ResourceQuotaController extends QueueController {
  readonly name = 'resourcequota-controller';

  private quotas(): ResourceType | undefined {
    return this.context.registry.byKind('v1', 'ResourceQuota');
  }

  protected override begin(): void {
    const quotas = this.quotas();
    if (quotas)
      for (const q of this.context.store.list(quotas).items) this.queue.add(q.metadata.namespace as string);
  }

  protected override onEvent(event: StoreEvent): void {
    const namespace = event.object.metadata.namespace;
    if (!namespace) return;
    const quotas = this.quotas();
    if (
      quotas &&
      (isType(event.resource, quotas) || this.context.store.list(quotas, { namespace }).items.length > 0)
    )
      this.queue.add(namespace);
  }

  private used(namespace: string, key: string): string | undefined {
    const { store, registry } = this.context;
    const pods = store
      .list(this.types.pods, { namespace })
      .items.filter(
        (p) => !['Succeeded', 'Failed'].includes(p.status?.phase) && !p.metadata.deletionTimestamp,
      );
    const resource = /^(requests\.|limits\.)?(cpu|memory)$/.exec(key);
    if (resource) {
      const total = podTotal(pods, resource[1] === 'limits.' ? 'limits' : 'requests', resource[2] as string);
      return resource[2] === 'cpu' ? formatCpu(total) : formatBytes(total);
    }
    const plural = countAliases[key] ?? /^count\/(.+)$/.exec(key)?.[1];
    if (!plural) return undefined;
    const [name, ...group] = plural.split('.');
    const type = registry.all().find((t) => t.plural === name && t.group === group.join('.'));
    if (!type) return undefined;
    const items = type === this.types.pods ? pods : store.list(type, { namespace }).items;
    return String(items.length);
  }

  protected sync(namespace: string): void {
    const quotas = this.quotas();
    if (!quotas) return;
    for (const quota of this.context.store.list(quotas, { namespace }).items) {
      const hard: Record<string, string> = quota.spec?.hard ?? {};
      const used: Record<string, string> = {};
      for (const key of Object.keys(hard)) {
        const value = this.used(namespace, key);
        if (value !== undefined) used[key] = value;
      }
      const status = { hard, used };
      if (JSON.stringify(status) === JSON.stringify(quota.status)) continue;
      this.context.store.update(quotas, { ...quota, status }, { subresource: 'status' });
    }
  }
}
