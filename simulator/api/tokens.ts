import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { KubeObject } from '../store/types.js';

/**
 * `serviceaccounts/token` (TokenRequest, `kubectl create token`): a JWT with the claims kube-apiserver's
 * service-account token issuer puts in, signed with a key made when the local cluster starts. The local API server
 * authenticates nobody, so the token identifies but grants nothing more than the kubeconfig already does.
 */

const key = randomBytes(32);
const issuer = 'https://kubernetes.default.svc.cluster.local';

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function tokenRequest(
  serviceAccount: KubeObject,
  body: unknown,
  nowMs: number,
): Record<string, unknown> {
  const spec = ((body as { spec?: Record<string, unknown> } | undefined)?.spec ?? {}) as {
    audiences?: string[];
    expirationSeconds?: number;
  };
  const audiences = spec.audiences?.length ? spec.audiences : [issuer];
  const expirationSeconds = spec.expirationSeconds ?? 3600;
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + expirationSeconds;
  const { name, namespace, uid } = serviceAccount.metadata;
  const header = base64url({ alg: 'HS256', kid: 'scalegate-local' });
  const payload = base64url({
    aud: audiences,
    exp,
    iat,
    iss: issuer,
    jti: randomUUID(),
    'kubernetes.io': { namespace, serviceaccount: { name, uid } },
    nbf: iat,
    sub: `system:serviceaccount:${namespace}:${name}`,
  });
  const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: null },
    spec: { audiences, expirationSeconds, boundObjectRef: null },
    status: {
      token: `${header}.${payload}.${signature}`,
      expirationTimestamp: new Date(exp * 1000).toISOString().replace('.000Z', 'Z'),
    },
  };
}
