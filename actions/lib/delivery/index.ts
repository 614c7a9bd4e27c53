/** The deliveries by mode: adding a mode is one file in this folder and one line here. */
import { applyDelivery } from './apply.js';
import type { Delivery, DeliveryMode, DeliveryOptions } from './delivery.js';
import { gitopsDelivery } from './gitops.js';

export type { Delivery, DeliveryOptions } from './delivery.js';

const deliveries: Record<DeliveryMode, (options: DeliveryOptions) => Delivery> = {
  apply: () => applyDelivery,
  gitops: gitopsDelivery,
};

/** The delivery the settings' cluster.delivery selects (apply when none is set). */
export function deliveryFor(options: DeliveryOptions): Delivery {
  return deliveries[options.settings?.mode ?? 'apply'](options);
}
