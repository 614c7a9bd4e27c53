import type { RecordEvent } from '../controllers/controller.js';
import type { KubeletControl } from '../services.js';
import type { ClusterClient } from '../store/client.js';
import { matchesLabelMap } from '../store/selectors.js';
import type { StoreEvent } from '../store/store.js';
import type { KubeObject } from '../store/types.js';
import { ClusterView, type TrackedKind } from './cluster-view.js';
import { containerShapes, isServingEndpoint, podContainers, readySince, restartCount } from './pod-facts.js';
import { PodModel, realClock } from './pod-model.js';
import type { ServiceRef } from './routing.js';
import { WeightedPicker } from './weighted-picker.js';
import { workloadFromAnnotations } from './workload.js';

/** A running pod and its serving model. */
export interface PodRuntime {
  pod: KubeObject;
  model: PodModel;
  /** The serving container's restartCount when it was OOMKilled; it serves again once the count moves past it. */
  restartsAtKill: number | undefined;
  annotationsKey: string;
}

export interface DataPlaneOptions {
  recordEvent: RecordEvent;
  /** The node agent, looked up when needed (absent when a test runs the data plane alone). */
  kubelet: () => KubeletControl | undefined;
}

const podKey = (namespace: string | undefined, name: string | undefined) =>
  `${namespace ?? ''}/${name ?? ''}`;

/**
 * The pods' side of the local cluster: one PodModel per Running pod, the Service endpoints (Ready, not
 * terminating, not OOMKilled), and the choice of the endpoint that serves each request (round-robin in an order
 * shuffled every round, so the replica ratio sets the share of each track).
 */
export class DataPlane {
  /** Per Service: this round's order of endpoint indexes and how far it got. */
  private readonly rounds = new Map<string, { order: number[]; next: number }>();
  readonly view: ClusterView;
  readonly picker = new WeightedPicker();
  private readonly runtimes = new Map<string, PodRuntime>();
  private readonly endpointCache = new Map<string, { revision: string; pods: PodRuntime[] }>();
  private modelRevision = 0;

  constructor(private readonly options: DataPlaneOptions) {
    this.view = new ClusterView((kind, event) => this.onChange(kind, event));
  }

  start(store: ClusterClient): void {
    this.view.start(store);
  }

  stop(): void {
    this.view.stop();
    for (const runtime of this.runtimes.values()) runtime.model.stop();
    this.runtimes.clear();
  }

  runtime(namespace: string, name: string): PodRuntime | undefined {
    return this.runtimes.get(podKey(namespace, name));
  }

  allRuntimes(): PodRuntime[] {
    return [...this.runtimes.values()];
  }

  private onChange(kind: TrackedKind, event: StoreEvent): void {
    if (kind === 'pods') this.onPod(event);
  }

  private onPod(event: StoreEvent): void {
    const pod = event.object;
    const key = podKey(pod.metadata.namespace, pod.metadata.name);
    const existing = this.runtimes.get(key);
    const running = event.type !== 'DELETED' && pod.status?.phase === 'Running';
    if (!running || (existing && existing.pod.metadata.uid !== pod.metadata.uid)) {
      existing?.model.stop();
      this.runtimes.delete(key);
      if (!running) return;
    }
    const runtime = this.runtimes.get(key);
    if (!runtime) {
      this.runtimes.set(key, this.createRuntime(pod));
      return;
    }
    runtime.pod = pod;
    const annotationsKey = JSON.stringify(pod.metadata.annotations ?? {});
    if (annotationsKey !== runtime.annotationsKey) {
      runtime.annotationsKey = annotationsKey;
      runtime.model.workload = this.workloadOf(pod);
    }
    const since = readySince(pod);
    if (since !== undefined && since > runtime.model.readySince) runtime.model.readySince = since;
    const serving = runtime.model.containers[0]?.name ?? '';
    if (runtime.restartsAtKill !== undefined && restartCount(pod, serving) > runtime.restartsAtKill) {
      runtime.restartsAtKill = undefined;
      runtime.model.restart(since ?? realClock());
      this.modelRevision++;
    }
  }

  private workloadOf(pod: KubeObject) {
    // The serving container's image tag may carry workload modifiers (the image catalog, image-catalog.ts).
    const { model, problems } = workloadFromAnnotations(
      pod.metadata.annotations,
      podContainers(pod)[0]?.image,
    );
    if (problems.length > 0) {
      // Store listeners must not write inline: the event is recorded once the current commit is done.
      queueMicrotask(() =>
        this.options.recordEvent(
          pod,
          'Warning',
          'InvalidWorkloadAnnotation',
          problems.join('; '),
          'scalegate-dataplane',
        ),
      );
    }
    return model;
  }

  private createRuntime(pod: KubeObject): PodRuntime {
    const runtime: PodRuntime = {
      pod,
      restartsAtKill: undefined,
      annotationsKey: JSON.stringify(pod.metadata.annotations ?? {}),
      model: new PodModel(
        containerShapes(pod),
        this.workloadOf(pod),
        readySince(pod) ?? realClock(),
        (container) => this.outOfMemory(runtime, container),
      ),
    };
    return runtime;
  }

  /** The kernel killed the serving container: the kubelet records OOMKilled and restarts it. */
  private outOfMemory(runtime: PodRuntime, container: string): void {
    const { namespace, name } = runtime.pod.metadata;
    this.modelRevision++;
    const kubelet = this.options.kubelet();
    if (!kubelet) {
      // No node agent in this cluster: the container comes back at once.
      runtime.model.restart(realClock());
      return;
    }
    runtime.restartsAtKill = restartCount(runtime.pod, container);
    kubelet.killContainer(namespace as string, name as string, container, 'OOMKilled', 137);
  }

  /** Ready endpoints of a Service, or undefined when the Service does not exist. */
  endpoints(ref: ServiceRef): PodRuntime[] | undefined {
    const service = this.view.get('services', ref.namespace, ref.name);
    if (!service) return undefined;
    const key = podKey(ref.namespace, ref.name);
    const revision = `${this.view.revision}:${this.modelRevision}`;
    const cached = this.endpointCache.get(key);
    if (cached?.revision === revision) return cached.pods;
    const selector = service.spec?.selector as Record<string, string> | undefined;
    const pods = this.view
      .list('pods', ref.namespace)
      .filter((p) => matchesLabelMap(p.metadata.labels, selector) && isServingEndpoint(p))
      .map((p) => this.runtimes.get(podKey(p.metadata.namespace, p.metadata.name)))
      .filter((r): r is PodRuntime => r !== undefined && !r.model.down);
    this.endpointCache.set(key, { revision, pods });
    return pods;
  }

  /**
   * The endpoint that serves the next request of a Service: round-robin, so each Ready pod takes an equal share, in
   * an order shuffled every round. A fixed order was biased under paced load: VUs that fire in step handed the same
   * pod the requests that overlap, run after run, so one canary pod could be slower than its stable peers with the
   * same image. A random pick per request (kube-proxy's iptables mode) loads pods unevenly over seconds, which a
   * paced test with few VUs then reads as latency.
   */
  pickEndpoint(ref: ServiceRef): PodRuntime | undefined {
    const pods = this.endpoints(ref) ?? [];
    if (pods.length === 0) return undefined;
    const key = podKey(ref.namespace, ref.name);
    let round = this.rounds.get(key);
    if (!round || round.next >= round.order.length || round.order.length !== pods.length) {
      round = { order: shuffled(pods.length), next: 0 };
      this.rounds.set(key, round);
    }
    return pods[round.order[round.next++] as number];
  }

  /** Takes a usage sample of every pod (metrics-server's scrape). */
  sampleAll(keepMs: number): void {
    for (const runtime of this.runtimes.values()) runtime.model.sample(keepMs);
  }
}

/** 0…n-1 in random order (Fisher–Yates). */
function shuffled(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}
