import { randomSuffix } from '../controllers/objects.js';
import type { KubeObject } from '../store/types.js';

/**
 * The mutating admission plugins a real kube-apiserver runs on every new pod, for what kubectl shows of them:
 * ServiceAccount (the `default` account and its projected token volume, mounted in every container) and
 * DefaultTolerationSeconds (300 s tolerations of the not-ready and unreachable taints).
 */

// biome-ignore lint/suspicious/noExplicitAny: admission edits untyped pod JSON.
type Json = any;

const tokenMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';

function tokenVolume(name: string): Json {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
    },
  };
}

function admitServiceAccount(spec: Json): void {
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount = spec.serviceAccountName;
  if (spec.automountServiceAccountToken === false) return;
  const containers: Json[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const mounted = containers.some((c) =>
    (c.volumeMounts ?? []).some((m: Json) => m.mountPath === tokenMountPath),
  );
  if (mounted) return;
  const name = `kube-api-access-${randomSuffix()}`;
  spec.volumes = [...(spec.volumes ?? []), tokenVolume(name)];
  for (const c of containers)
    c.volumeMounts = [...(c.volumeMounts ?? []), { name, readOnly: true, mountPath: tokenMountPath }];
}

function admitDefaultTolerations(spec: Json): void {
  const tolerations: Json[] = spec.tolerations ?? [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const tolerated = tolerations.some(
      (t) =>
        (t.key === key || (t.key === undefined && t.operator === 'Exists')) &&
        (!t.effect || t.effect === 'NoExecute'),
    );
    if (!tolerated)
      tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  spec.tolerations = tolerations;
}

/** Runs the pod admission plugins on a pod about to be created. */
export function admitPod(pod: KubeObject): void {
  pod.spec ??= {};
  admitServiceAccount(pod.spec);
  admitDefaultTolerations(pod.spec);
}

/**
 * The Job strategy's selector generation on create: unless `manualSelector`, the pods are selected by the Job's uid,
 * carried in the template's labels with the job name.
 */
export function generateJobSelector(job: KubeObject, uid: string): void {
  const spec = job.spec;
  if (!spec || spec.manualSelector === true) return;
  const name = job.metadata.name as string;
  const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name };
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  spec.template ??= {};
  spec.template.metadata ??= {};
  spec.template.metadata.labels = {
    ...(spec.template.metadata.labels ?? {}),
    ...labels,
    'controller-uid': uid,
    'job-name': name,
  };
}
