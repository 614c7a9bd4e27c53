import type { StoreEvent } from '../store/store.js';
import type { Controller, ControllerContext } from './controller.js';
import { type CoreTypes, coreTypes } from './objects.js';
import { WorkQueue } from './workqueue.js';

/**
 * The shape every core controller shares: store events are turned into work-queue keys by `onEvent`, and `sync`
 * handles one key later, outside the listener, as client-go controllers do with informers and a work queue.
 */
export abstract class QueueController implements Controller {
  abstract readonly name: string;
  protected context!: ControllerContext;
  protected types!: CoreTypes;
  protected queue!: WorkQueue;
  private unsubscribe: (() => void) | undefined;

  start(context: ControllerContext): void {
    this.context = context;
    this.types = coreTypes(context.registry);
    this.queue = new WorkQueue(this.name, (key) => this.sync(key));
    this.begin();
    this.unsubscribe = context.store.subscribe((event) => this.onEvent(event));
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.queue?.stop();
  }

  /** Runs once at start, before events flow: enqueue the objects that already exist. */
  protected begin(): void {}

  protected onEvent(_event: StoreEvent): void {}

  protected abstract sync(key: string): void;
}
