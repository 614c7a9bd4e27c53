import type { Controller, ControllerContext } from '../controllers/controller.js';
import type { ResourceType } from '../store/resources.js';

const leaseNamespace = 'kube-node-lease';
/** The kubelet's defaults: a 40 s lease renewed every quarter of it. */
const leaseDurationSeconds = 40;
const renewMs = (leaseDurationSeconds * 1000) / 4;

const microTime = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

/**
 * Each simulated node's heartbeat: the Lease `kube-node-lease/<node>` a kubelet renews, which the real node
 * lifecycle controller reads to keep the node Ready (and taints it when renewals stop).
 */
export class NodeLeases implements Controller {
  readonly name = 'node-leases';
  private timer: NodeJS.Timeout | undefined;

  start(context: ControllerContext): void {
    const leases = context.registry.byKind('coordination.k8s.io/v1', 'Lease') as ResourceType;
    const nodes = context.registry.byKind('v1', 'Node') as ResourceType;
    const renew = () => {
      const now = microTime(context.store.clock.now());
      for (const node of context.store.list(nodes).items) {
        const name = node.metadata.name as string;
        const lease = context.store.tryGet(leases, leaseNamespace, name);
        if (lease) {
          context.store.update(leases, { ...lease, spec: { ...lease.spec, renewTime: now } });
          continue;
        }
        context.store.create(leases, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name,
            namespace: leaseNamespace,
            ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid as string }],
          },
          spec: { holderIdentity: name, leaseDurationSeconds, renewTime: now },
        });
      }
    };
    renew();
    this.timer = setInterval(renew, renewMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }
}
