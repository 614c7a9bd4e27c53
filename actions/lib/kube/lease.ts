import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Lease } from '@kubernetes/client-node';
import { ScalegateError } from '../util/errors.js';
import type { KubeClient } from './client.js';
import { labels, managedByValue } from './labels.js';
import { statusCodeOf } from './retry.js';

export interface LeaseOptions {
  namespace?: string;
  /** Lease name, one per environment. */
  name: string;
  /** Who holds it: the workflow run URL or id. */
  holder: string;
  /** The lease expires this long after its last renewal (a crashed holder frees it after this). */
  durationSeconds: number;
  /** How long a second holder waits before failing. */
  waitMs: number;
  pollMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** A held lease: renewed in the background until released. */
export interface HeldLease {
  readonly holder: string;
  /** Set when a renewal found the lease taken by someone else, or this holder's claim lapsed. */
  readonly lost: Error | undefined;
  /**
   * Throws unless the lease is still this holder's: not lost, and renewed within its duration (a holder paused past
   * its expiry may have been replaced meanwhile, even if no renewal has noticed yet). Called before every write.
   */
  assertHeld(): void;
  release(): Promise<void>;
}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Who holds the lease now, or undefined when it is free or expired. */
export function currentHolder(lease: V1Lease | undefined, now: number): string | undefined {
  const spec = lease?.spec;
  if (!spec?.holderIdentity) return undefined;
  const renewed = spec.renewTime ? new Date(spec.renewTime as unknown as string).getTime() : 0;
  const expires = renewed + (spec.leaseDurationSeconds ?? 0) * 1000;
  return expires > now ? spec.holderIdentity : undefined;
}

function describeHolder(lease: V1Lease, now: number): string {
  const spec = lease.spec!;
  const renewed = new Date(spec.renewTime as unknown as string).getTime();
  const expiresIn = Math.max(0, Math.round((renewed + (spec.leaseDurationSeconds ?? 0) * 1000 - now) / 1000));
  return `${spec.holderIdentity} (renewed ${Math.round((now - renewed) / 1000)}s ago, expires in ${expiresIn}s)`;
}

function leaseRef(namespace: string, name: string) {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace } };
}

/** One attempt: take the lease if free, expired or already ours. Returns the other holder's lease otherwise. */
async function tryTake(
  client: KubeClient,
  options: LeaseOptions,
  namespace: string,
): Promise<V1Lease | undefined> {
  const now = Date.now();
  let blocker: V1Lease | undefined;
  await client.update<V1Lease>(leaseRef(namespace, options.name), (current) => {
    const holder = currentHolder(current, Date.now());
    if (holder !== undefined && holder !== options.holder) {
      blocker = current;
      return undefined;
    }
    blocker = undefined;
    const sameHolder = current?.spec?.holderIdentity === options.holder;
    return {
      ...leaseRef(namespace, options.name),
      metadata: {
        ...current?.metadata,
        name: options.name,
        namespace,
        labels: { ...current?.metadata?.labels, [labels.managedBy]: managedByValue },
      },
      spec: {
        holderIdentity: options.holder,
        leaseDurationSeconds: options.durationSeconds,
        acquireTime: (sameHolder ? current?.spec?.acquireTime : microTime(new Date(now))) as never,
        renewTime: microTime(new Date(now)) as never,
        leaseTransitions: (current?.spec?.leaseTransitions ?? 0) + (sameHolder || !current ? 0 : 1),
      },
    } as V1Lease;
  });
  return blocker;
}

/**
 * Takes the coordination.k8s.io/v1 Lease `options.name` for `options.holder` (one promotion per environment). A
 * lease held by another live holder is waited for up to `waitMs`, then the call fails naming that holder. The same
 * holder (a re-run of the same workflow run) takes it over at once. Renewed every third of its duration.
 */
export async function acquireLease(client: KubeClient, options: LeaseOptions): Promise<HeldLease> {
  const namespace = options.namespace ?? client.namespace;
  const log = options.log ?? (() => {});
  const giveUpAt = Date.now() + options.waitMs;
  let announced = false;
  for (;;) {
    let blocker: V1Lease | undefined;
    try {
      blocker = await tryTake(client, options, namespace);
    } catch (error) {
      // Two runs creating the lease at once: the loser sees AlreadyExists and tries again.
      if (statusCodeOf(error) !== 409) throw error;
      continue;
    }
    if (!blocker) break;
    if (Date.now() >= giveUpAt)
      throw new ScalegateError(
        `lease ${namespace}/${options.name} is held by ${describeHolder(blocker, Date.now())}; gave up after ${Math.round(options.waitMs / 1000)}s`,
        1,
      );
    if (!announced)
      log(`waiting for lease ${namespace}/${options.name}, held by ${describeHolder(blocker, Date.now())}`);
    announced = true;
    await sleep(Math.min(options.pollMs ?? 1000, Math.max(0, giveUpAt - Date.now())), undefined, {
      signal: options.signal,
    });
  }
  log(`lease ${namespace}/${options.name} held by ${options.holder}`);
  return holdLease(client, options, namespace);
}

function holdLease(client: KubeClient, options: LeaseOptions, namespace: string): HeldLease {
  const where = `lease ${namespace}/${options.name}`;
  const durationMs = options.durationSeconds * 1000;
  let lost: Error | undefined;
  let released = false;
  let confirmedAt = Date.now();
  let renewing: Promise<unknown> = Promise.resolve();
  const lose = (reason: string) => {
    if (lost || released) return;
    lost = new ScalegateError(`${where} lost: ${reason}; stopping before any further write`, 1);
    options.log?.(lost.message);
  };
  const expired = () => Date.now() - confirmedAt >= durationMs;
  const timer = setInterval(
    () => {
      // A claim that lapsed is never silently re-taken: another run may have held it and acted in between.
      if (expired()) {
        lose(`not renewed for ${Math.round((Date.now() - confirmedAt) / 1000)}s, it expired`);
        return;
      }
      const attempt = Date.now();
      renewing = renewLease(client, options, namespace).then(
        (other) => {
          if (other === undefined) confirmedAt = attempt;
          else lose(`taken by ${other || 'nobody (released)'}`);
        },
        (error: Error) => options.log?.(`renewing ${where}: ${error.message}`),
      );
    },
    Math.max(200, durationMs / 3),
  );
  timer.unref();
  return {
    holder: options.holder,
    get lost() {
      return lost;
    },
    assertHeld() {
      if (!lost && expired())
        lose(`not renewed for ${Math.round((Date.now() - confirmedAt) / 1000)}s, it expired`);
      if (lost) throw lost;
    },
    async release() {
      released = true;
      clearInterval(timer);
      await renewing;
      await client.update<V1Lease>(leaseRef(namespace, options.name), (current) => {
        if (current?.spec?.holderIdentity !== options.holder) return undefined;
        // No holder means free; kube-apiserver requires a positive duration, so 1 s as client-go's release writes.
        return { ...current, spec: { ...current.spec, holderIdentity: undefined, leaseDurationSeconds: 1 } };
      });
    },
  };
}

/** Renews a lease this holder still holds; returns the other holder ('' when released) if it is not ours. */
async function renewLease(
  client: KubeClient,
  options: LeaseOptions,
  namespace: string,
): Promise<string | undefined> {
  let other: string | undefined;
  await client.update<V1Lease>(leaseRef(namespace, options.name), (current) => {
    const holder = current?.spec?.holderIdentity;
    if (holder !== options.holder) {
      other = holder ?? '';
      return undefined;
    }
    other = undefined;
    return { ...current, spec: { ...current!.spec, renewTime: microTime(new Date()) as never } } as V1Lease;
  });
  return other;
}
