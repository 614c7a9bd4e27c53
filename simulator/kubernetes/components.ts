import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { ScalegateError } from '../../actions/lib/util/errors.js';

/**
 * The real Kubernetes components the `kubernetes` control plane runs, each built from one Go module under `go/`
 * (its go.mod pins the upstream version; the Go side holds no product code). The build script and the launcher both
 * read this table, so a binary's name and its module are written down once.
 */
export interface GoComponent {
  /** Folder under go/ holding the module. */
  module: string;
  /**
   * Packages built by `go build -o <bin>/`; each yields a binary named after its last path element, except that a
   * single package is written straight to its one binary's name (so `cmd/adapter` can be `prometheus-adapter`).
   */
  packages: string[];
  binaries: string[];
  /** Extra `-ldflags` (e.g. `-X` version stamps that `make` would set from git). */
  ldflags?: string[];
}

/** The pinned Kubernetes release; it names the cache folder so that two releases never share binaries. */
export const kubernetesVersion = 'v1.34.4';

/** What Kubernetes' own build stamps into its binaries from git, so `kubectl version` names the release. */
function versionStamp(): string[] {
  const [major, minor] = kubernetesVersion.slice(1).split('.') as [string, string];
  const fields = { gitMajor: major, gitMinor: minor, gitVersion: kubernetesVersion, gitTreeState: 'clean' };
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) =>
    Object.entries(fields).map(([name, value]) => `-X ${pkg}.${name}=${value}`),
  );
}

export const goComponents: GoComponent[] = [
  {
    module: 'kubernetes',
    ldflags: versionStamp(),
    packages: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map(
      (cmd) => `k8s.io/kubernetes/cmd/${cmd}`,
    ),
    binaries: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
  },
  { module: 'etcd', packages: ['.'], binaries: ['etcd'] },
  {
    module: 'kube-state-metrics',
    packages: ['k8s.io/kube-state-metrics/v2'],
    binaries: ['kube-state-metrics'],
  },
  {
    module: 'metrics-server',
    packages: ['sigs.k8s.io/metrics-server/cmd/metrics-server'],
    binaries: ['metrics-server'],
  },
  {
    // Only v0.12.0 is served by the module proxy (it refuses `go list -versions` for this module).
    module: 'prometheus-adapter',
    packages: ['sigs.k8s.io/prometheus-adapter/cmd/adapter'],
    binaries: ['prometheus-adapter'],
  },
];

/**
 * CustomResourceDefinitions the node agent's parts and scalegate's manifests use, installed at start from the
 * upstream projects' own CRD files as their Go modules ship them (downloaded by the build script, not built).
 * k6-operator's TestRun is absent: the module proxy refuses github.com/grafana/k6-operator ("403 Forbidden ...
 * This module version is not available.").
 */
export const crdSources = [
  {
    module: 'github.com/prometheus-operator/prometheus-operator',
    version: 'v0.85.0',
    files: ['example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml'],
  },
  {
    module: 'github.com/kedacore/keda/v2',
    version: 'v2.20.2',
    files: ['config/crd/bases/keda.sh_scaledobjects.yaml'],
  },
  {
    module: 'sigs.k8s.io/gateway-api',
    version: 'v1.3.0',
    files: ['config/crd/standard/gateway.networking.k8s.io_httproutes.yaml'],
  },
];

/** The CRD files' folder, beside the binaries. */
export function crdDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(kubeBinDir(env), '..', 'crds');
}

/** Where Go's module and build caches live, outside the repository, so that a second build is warm. */
export const goCacheRoot = join(homedir(), '.cache', 'scalegate', 'go');

/** The binaries' folder: `SCALEGATE_KUBE_BIN` when set, else ~/.cache/scalegate/kube-<version>/bin. */
export function kubeBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SCALEGATE_KUBE_BIN || join(homedir(), '.cache', 'scalegate', `kube-${kubernetesVersion}`, 'bin');
}

export const buildCommand = 'npm run build:kube';

/** Where build:kube records each module's last build time (seconds), beside the binaries. */
export function buildTimesFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(kubeBinDir(env), '..', 'build-times.json');
}

function notBuilt(missing: string[], dir: string): ScalegateError {
  return new ScalegateError(
    `scalegate: the kubernetes control plane is not built (${missing.join(', ')} missing in ${dir}): run \`${buildCommand}\` (needs Go ≥ 1.24; minutes the first time, seconds after)`,
    1,
  );
}

/** The path of every binary, or a one-line error saying how to build them when one is missing. */
export function kubeBinaries(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const dir = kubeBinDir(env);
  const paths: Record<string, string> = {};
  for (const name of goComponents.flatMap((c) => c.binaries)) paths[name] = join(dir, name);
  const missing = Object.keys(paths).filter((name) => !existsSync(paths[name] as string));
  if (missing.length) throw notBuilt(missing, dir);
  return paths;
}

/** The CRD files the build script copied, or the same one-line error when one is missing. */
export function crdFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const dir = crdDir(env);
  const files = crdSources.flatMap((s) => s.files.map((f) => join(dir, basename(f))));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length)
    throw notBuilt(
      missing.map((f) => basename(f)),
      dir,
    );
  return files;
}
