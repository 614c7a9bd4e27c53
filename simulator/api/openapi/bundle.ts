import { readFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';

/**
 * The real OpenAPI documents of the built-in API groups (see scripts/generate-kubernetes-openapi.ts), read once,
 * on the first OpenAPI request.
 */

export const openApiSourceVersion = 'v1.34.4';
/** What kube-apiserver answers `/openapi/v2` with when asked for protobuf, as client-go does. */
export const openApiV2ContentType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

export const openApiBundlePath = 'simulator/api/openapi/kubernetes.json.br';

export interface OpenApiBundle {
  /** The v2 document as the gnostic protobuf client-go decodes, base64. */
  v2: string;
  v3: Record<string, Record<string, unknown>>;
}

let bundle: OpenApiBundle | undefined;

export function openApiBundle(): OpenApiBundle {
  bundle ??= JSON.parse(
    brotliDecompressSync(readFileSync(new URL('./kubernetes.json.br', import.meta.url))).toString('utf8'),
  ) as OpenApiBundle;
  return bundle;
}
