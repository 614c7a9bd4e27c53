import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRunner } from '../../actions/lib/load/builtin/engine.js';
import { eventRecorder } from '../api/events.js';
import { defaultStorageClass } from '../api/system-objects.js';
import { KedaController } from '../autoscaling/keda-controller.js';
import type { ClusterOptions, RunningCluster } from '../cluster.js';
import { ClusterAutoscaler } from '../controllers/cluster-autoscaler.js';
import type { Controller, ControllerContext } from '../controllers/controller.js';
import { K6TestRunController } from '../controllers/k6-testrun.js';
import { Kubelet } from '../controllers/kubelet.js';
import { DataPlaneController } from '../dataplane/controller.js';
import { writeKubeconfig } from '../kubeconfig.js';
import { closeServer, delegatingListener } from '../listener.js';
import { initialNodes, nodeGroupSpecs } from '../nodes.js';
import { profiles } from '../profile.js';
import type { SimulatorServices } from '../services.js';
import { ResourceRegistry } from '../store/resources.js';
import { registerLocalApi, startControlPlane } from './control-plane.js';
import { KubeletEndpoints } from './kubelet-endpoints.js';
import { adapterApis, startMetricsAdapter } from './metrics-adapter.js';
import { NodeLeases } from './node-leases.js';
import { startPrometheusAdapter } from './prometheus-adapter.js';
import { ApiServerStore } from './remote-store.js';
import { serviceAccountKubeconfig } from './service-account.js';

/**
 * scalegate's node agent: the parts that simulate what a real cluster gets from nodes, containers and the cloud —
 * kubelets (pod status, container runtime, Leases, the kubelet API), the data plane and workload model, the
 * cluster-autoscaler's node groups, KEDA and the k6 operator. The control loops a real control plane runs itself
 * (Deployment, ReplicaSet, scheduler, GC, EndpointSlices, HPA) are not among them.
 */
export function nodeAgentControllers(kubeletTls: { cert: string; key: string }): Controller[] {
  return [
    new DataPlaneController({ objectState: false }),
    new Kubelet(),
    new NodeLeases(),
    new KubeletEndpoints(kubeletTls),
    new ClusterAutoscaler(),
    new KedaController(),
    new K6TestRunController(builtinRunner),
  ];
}

/**
 * Starts the real control plane (simulator/kubernetes/control-plane.ts), registers the initial Nodes as kubelets
 * do, and runs the node agent against the API server through an ApiServerStore. Same contract as the built-in
 * cluster's startCluster; `stop` ends every process it started.
 */
export async function startKubernetesCluster(options: ClusterOptions): Promise<RunningCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'scalegate-kube-'));
  const profile = profiles[options.profile ?? 'fast'];
  const groups = nodeGroupSpecs(options);
  const services: SimulatorServices = { nodeGroups: groups };
  const parts: Array<() => Promise<void>> = [];
  let stopped = false;
  const stop = async (keepLogs = false) => {
    if (stopped) return;
    stopped = true;
    const results = [];
    for (const part of [...parts].reverse()) results.push(...(await Promise.allSettled([part()])));
    if (!keepLogs) await rm(dir, { recursive: true, force: true });
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  };
  try {
    const plane = await startControlPlane(dir, profile);
    parts.push(plane.stop);
    for (const node of initialNodes(options, groups)) await plane.admin.must('POST', '/api/v1/nodes', node);
    await plane.admin.must('POST', '/apis/storage.k8s.io/v1/storageclasses', defaultStorageClass());
    const registry = new ResourceRegistry();
    const store = new ApiServerStore(plane.admin, registry, (message) =>
      process.stderr.write(`scalegate node agent: ${message}\n`),
    );
    parts.push(() => store.stop());
    await store.start();
    const context: ControllerContext = {
      store,
      registry,
      profile,
      recordEvent: eventRecorder(store, registry),
      services,
    };
    const gateway = await delegatingListener(services, 'gateway', 'gateway');
    const metrics = await delegatingListener(services, 'metricsEndpoint', 'metrics endpoint');
    parts.push(
      () => closeServer(gateway.server),
      () => closeServer(metrics.server),
    );
    const tls = {
      cert: await readFile(plane.pki.kubelet.cert, 'utf8'),
      key: await readFile(plane.pki.kubelet.key, 'utf8'),
    };
    for (const controller of options.controllers ?? nodeAgentControllers(tls)) {
      controller.start(context);
      parts.push(() => controller.stop());
    }
    const adapter = await startMetricsAdapter(context, tls);
    parts.push(adapter.close);
    await registerLocalApi(plane.admin, 'scalegate-metrics-adapter', adapterApis, adapter.port);
    const kubeconfig = options.kubeconfigPath ?? join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfig, plane.apiServer, plane.adminAuth);
    return {
      apiServer: plane.apiServer,
      kubeconfig,
      metrics: metrics.url,
      gateway: gateway.url,
      kubeStateMetrics: plane.kubeStateMetrics,
      serviceAccountKubeconfig: (manifestFile, namespace) =>
        serviceAccountKubeconfig(
          plane.admin,
          { apiServer: plane.apiServer, auth: plane.adminAuth },
          manifestFile,
          namespace,
          join(dir, `${namespace}.kubeconfig`),
        ),
      startPrometheusAdapter: async (adapterOptions) => {
        const adapter = await startPrometheusAdapter(
          {
            dir,
            binary: plane.binaries['prometheus-adapter'] as string,
            kubeconfig: plane.kubeconfig,
            admin: plane.admin,
          },
          adapterOptions,
        );
        // Among the plane's components, it is stopped first (reverse start order) and never left behind.
        if (adapter) plane.components.push(adapter);
        return adapter !== undefined;
      },
      store,
      registry,
      context,
      stop: () => stop(),
    };
  } catch (error) {
    // The components' logs stay in `dir` for the error's reader (when any was started); a successful start's stop
    // removes them.
    await stop((await readdir(dir)).length > 0);
    throw error;
  }
}
