import type { ClusterProfile } from '../profile.js';
import type { SimulatorServices } from '../services.js';
import type { ClusterClient } from '../store/client.js';
import type { ResourceRegistry } from '../store/resources.js';
import type { KubeObject } from '../store/types.js';

/** Records a core/v1 Event about an object, as controllers do with their EventRecorder. */
export type RecordEvent = (
  involved: KubeObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  source: string,
) => void;

/** What every controller of the local cluster is given. */
export interface ControllerContext {
  /** The objects, through whichever control plane runs (built-in store or a real API server). */
  store: ClusterClient;
  registry: ResourceRegistry;
  profile: ClusterProfile;
  recordEvent: RecordEvent;
  /** Shared by controllers that need to find each other's state (e.g. the data plane and the metrics API). */
  services: SimulatorServices;
}

/**
 * A control loop. `start` subscribes to the store and/or sets timers; it must not block. `stop` clears every timer and
 * subscription so the process can exit. Controllers react to store events by enqueueing work, never by writing inline.
 */
export interface Controller {
  readonly name: string;
  start(context: ControllerContext): void;
  stop(): Promise<void>;
}
