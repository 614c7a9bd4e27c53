import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isPortTaken, localPorts } from '../../actions/lib/util/local-port.js';
import { labelsAllowlistFlag } from '../dataplane/ksm-common.js';
import { type KubeconfigAuth, writeKubeconfig } from '../kubeconfig.js';
import type { ClusterProfile } from '../profile.js';
import { ApiClient } from './api-client.js';
import { crdFiles, kubeBinaries } from './components.js';
import { makePki, type Pki } from './pki.js';
import { type Component, startComponent } from './process.js';

/** The real control plane, running: where its API server is, an admin client, and how to stop it. */
export interface RealControlPlane {
  apiServer: string;
  /** The folder holding its certificates, logs and admin.kubeconfig. */
  dir: string;
  /** cluster-admin's kubeconfig, as the control plane's own components use it. */
  kubeconfig: string;
  /** Every built binary's path, for components started later (prometheus-adapter). */
  binaries: Record<string, string>;
  /** kube-state-metrics' /metrics. */
  kubeStateMetrics: string;
  pki: Pki;
  /** cluster-admin over the client certificate, for the node agent and the set-up. */
  admin: ApiClient;
  adminAuth: KubeconfigAuth;
  components: Component[];
  stop(): Promise<void>;
}

const readyDeadlineMs = 180_000;

/** The line of a component's log that says why it stopped: its first error or panic, else its last line. */
async function reason(component: Component): Promise<string> {
  const lines = (await readFile(component.log, 'utf8').catch(() => '')).trim().split('\n');
  return lines.find((l) => /^(panic|Error|error|E\d{4}|F\d{4})/.test(l)) ?? lines.at(-1) ?? '';
}

/** Polls `probe` until it answers true; fails early, naming the log, when one of `watched` exits meanwhile. */
export async function until(
  what: string,
  watched: Component[],
  probe: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + readyDeadlineMs;
  let exited: Component | undefined;
  for (const c of watched) void c.exited.then(() => (exited ??= c));
  for (;;) {
    if (exited)
      throw new Error(
        `${exited.name} exited while waiting for ${what}: ${await reason(exited)} (log ${exited.log})`,
      );
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${readyDeadlineMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const base64 = async (path: string) => Buffer.from(await readFile(path)).toString('base64');

/**
 * Starts etcd, kube-apiserver (RBAC and the default admission plugins on, the aggregation layer configured),
 * kube-controller-manager, kube-scheduler, kube-state-metrics and metrics-server from the built binaries, with
 * certificates and service-account keys made in `dir`. metrics-server is registered as the v1beta1.metrics.k8s.io
 * APIService (registerLocalApi).
 * Resolves once the API is ready and the service-account controller has made `default/default`.
 */
export async function startControlPlane(dir: string, profile: ClusterProfile): Promise<RealControlPlane> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(dir, profile);
    } catch (error) {
      // Another process bound a chosen port before the component did: start again on fresh ports, from an
      // empty etcd. Any other failure is the answer.
      if (attempt === portAttempts || !isPortTaken(error)) throw error;
      await rm(join(dir, 'etcd'), { recursive: true, force: true });
    }
  }
}

const portAttempts = 3;

async function startOnce(dir: string, profile: ClusterProfile): Promise<RealControlPlane> {
  const bin = kubeBinaries();
  const crds = crdFiles();
  await mkdir(join(dir, 'pki'), { recursive: true });
  const pki = await makePki(join(dir, 'pki'));
  const [etcdClient, etcdPeer, apiPort, ksmPort, ksmTelemetry, metricsPort] = (await localPorts(6)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const components: Component[] = [];
  const stop = async () => {
    // Reverse start order: the API server outlives its clients, etcd outlives the API server.
    for (const c of [...components].reverse()) await c.stop();
    await admin?.close();
  };
  let admin: ApiClient | undefined;
  try {
    const etcd = startComponent(dir, 'etcd', bin.etcd as string, [
      '--name=scalegate',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=scalegate=http://127.0.0.1:${etcdPeer}`,
      // A throw-away cluster: durability buys nothing, fsync costs start-up and write latency.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    components.push(etcd);
    await until('etcd', components, async () => (await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok);

    const apiServer = `https://127.0.0.1:${apiPort}`;
    const apiserver = startComponent(dir, 'kube-apiserver', bin['kube-apiserver'] as string, [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${pki.apiServer.cert}`,
      `--tls-private-key-file=${pki.apiServer.key}`,
      `--client-ca-file=${pki.ca.cert}`,
      '--authorization-mode=Node,RBAC',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccount.publicKey}`,
      `--service-account-signing-key-file=${pki.serviceAccount.privateKey}`,
      // The aggregation layer, laid out as kubeadm does it.
      `--requestheader-client-ca-file=${pki.frontProxyCa.cert}`,
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${pki.frontProxyClient.cert}`,
      `--proxy-client-key-file=${pki.frontProxyClient.key}`,
      // Simulated nodes serve their kubelet API on 127.0.0.1, published as the node's ExternalIP.
      '--kubelet-preferred-address-types=ExternalIP,InternalIP,Hostname',
      '--allow-privileged=true',
      '--v=0',
    ]);
    components.push(apiserver);
    const adminTls = {
      ca: await readFile(pki.ca.cert, 'utf8'),
      cert: await readFile(pki.admin.cert, 'utf8'),
      key: await readFile(pki.admin.key, 'utf8'),
    };
    const client = new ApiClient(apiServer, adminTls);
    admin = client;
    await until(
      'kube-apiserver /readyz',
      components,
      async () => (await client.call('GET', '/readyz')).status === 200,
    );

    const adminAuth: KubeconfigAuth = {
      certificateAuthorityData: await base64(pki.ca.cert),
      user: {
        'client-certificate-data': await base64(pki.admin.cert),
        'client-key-data': await base64(pki.admin.key),
      },
    };
    const kubeconfig = join(dir, 'admin.kubeconfig');
    await writeKubeconfig(kubeconfig, apiServer, adminAuth);

    const leaderless = ['--leader-elect=false', `--kubeconfig=${kubeconfig}`];
    components.push(
      startComponent(dir, 'kube-controller-manager', bin['kube-controller-manager'] as string, [
        ...leaderless,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        '--bind-address=127.0.0.1',
        '--secure-port=0',
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki.serviceAccount.privateKey}`,
        `--root-ca-file=${pki.ca.cert}`,
        `--cluster-signing-cert-file=${pki.ca.cert}`,
        `--cluster-signing-key-file=${pki.ca.key}`,
        `--horizontal-pod-autoscaler-sync-period=${profile.hpaSyncSeconds}s`,
        `--horizontal-pod-autoscaler-downscale-stabilization=${profile.hpaDownscaleStabilizationSeconds}s`,
        `--horizontal-pod-autoscaler-cpu-initialization-period=${profile.hpaCpuInitializationSeconds}s`,
        `--horizontal-pod-autoscaler-initial-readiness-delay=${profile.hpaInitialReadinessDelaySeconds}s`,
      ]),
      startComponent(dir, 'kube-scheduler', bin['kube-scheduler'] as string, [
        ...leaderless,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        '--bind-address=127.0.0.1',
        '--secure-port=0',
      ]),
      startComponent(dir, 'kube-state-metrics', bin['kube-state-metrics'] as string, [
        `--kubeconfig=${kubeconfig}`,
        '--host=127.0.0.1',
        `--port=${ksmPort}`,
        '--telemetry-host=127.0.0.1',
        `--telemetry-port=${ksmTelemetry}`,
        // The allowlist the built-in kube-state-metrics applies too (kube_<kind>_labels carries no label unless allowed).
        `--metric-labels-allowlist=${labelsAllowlistFlag()}`,
      ]),
      startComponent(dir, 'metrics-server', bin['metrics-server'] as string, [
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${metricsPort}`,
        `--cert-dir=${join(dir, 'metrics-server')}`,
        '--kubelet-insecure-tls',
        '--kubelet-request-timeout=5s',
        '--kubelet-use-node-status-port',
        '--kubelet-preferred-address-types=ExternalIP',
        `--metric-resolution=${Math.max(10, profile.metricsWindowSeconds)}s`,
      ]),
    );
    await registerLocalApi(
      client,
      'metrics-server',
      [{ group: 'metrics.k8s.io', version: 'v1beta1' }],
      metricsPort,
    );
    await installCrds(client, crds, components);
    await until('the default ServiceAccount', components, async () => {
      return (await client.call('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200;
    });
    return {
      apiServer,
      dir,
      kubeconfig,
      binaries: bin,
      kubeStateMetrics: `http://127.0.0.1:${ksmPort}/metrics`,
      pki,
      admin: client,
      adminAuth,
      components,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Registers an aggregated API served by a local process on 127.0.0.1: an APIService whose Service is of type
 * ExternalName naming 127.0.0.1, since the process runs beside the API server, not as a pod. Applied server-side, so
 * a later registration of the same group/version takes it over (prometheus-adapter from the node agent).
 */
export async function registerLocalApi(
  client: ApiClient,
  service: string,
  apis: Array<{ group: string; version: string }>,
  port: number,
): Promise<void> {
  const apply = (path: string, object: unknown) =>
    client.must('PATCH', `${path}?fieldManager=scalegate&force=true`, object, 'application/apply-patch+yaml');
  await apply(`/api/v1/namespaces/kube-system/services/${service}`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: service, namespace: 'kube-system', labels: { 'k8s-app': service } },
    spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port }] },
  });
  for (const { group, version } of apis) {
    await apply(`/apis/apiregistration.k8s.io/v1/apiservices/${version}.${group}`, {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: `${version}.${group}`, labels: { 'k8s-app': service } },
      spec: {
        group,
        version,
        service: { name: service, namespace: 'kube-system', port },
        insecureSkipTLSVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    });
  }
}

/** Whether an object's status has the condition `type` with status True (CRD Established, APIService Available). */
export function conditionTrue(body: unknown, type: string): boolean {
  const conditions = (body as { status?: { conditions?: Array<{ type: string; status: string }> } }).status
    ?.conditions;
  return Boolean(conditions?.some((c) => c.type === type && c.status === 'True'));
}

/** Creates the CRDs from the upstream files and waits until each is Established (its API is served). */
async function installCrds(client: ApiClient, files: string[], components: Component[]): Promise<void> {
  const path = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  const names: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      const crd = doc.toJS() as { metadata: { name: string } } | null;
      if (!crd) continue;
      await client.must('POST', path, crd);
      names.push(crd.metadata.name);
    }
  }
  for (const name of names) {
    await until(`CRD ${name} Established`, components, async () => {
      const { body } = await client.call('GET', `${path}/${name}`);
      return conditionTrue(body, 'Established');
    });
  }
}
