import { apiVersionOf, type ResourceRegistry, type ResourceType } from '../../store/resources.js';
import { openApiBundle } from './bundle.js';

/**
 * OpenAPI v3 as kube-apiserver serves it: an index of group/versions, and per group/version the real document
 * (schemas with descriptions, paths with their parameters) for Kubernetes' own groups, so `kubectl explain` and
 * kubectl's validation work. Groups that are CRDs on a real cluster (KEDA, Gateway API...) and custom resources
 * get a document with their paths and the PATCH `fieldValidation` parameter kubectl looks for, without schemas.
 */

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiRoot(registry: ResourceRegistry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const { group, version } of registry.groupVersions()) {
    const path = gvPath(group, version);
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}` };
  }
  return { paths };
}

function schemaLessDocument(types: ResourceType[]): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const t of types) {
    const prefix = `/${gvPath(t.group, t.version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}/{name}`;
    paths[prefix] = {
      patch: {
        operationId: `patch${t.kind}`,
        'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
        'x-kubernetes-action': 'patch',
        parameters: ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
          name,
          in: 'query',
          schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
        })),
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: {
      title: 'Kubernetes',
      version: `${apiVersionOf(types[0] as ResourceType)} (scalegate local cluster)`,
    },
    paths,
    components: {},
  };
}

export function openApiGroupVersion(
  registry: ResourceRegistry,
  path: string,
): Record<string, unknown> | undefined {
  const types = registry.served().filter((t) => gvPath(t.group, t.version) === path);
  if (types.length === 0) return undefined;
  return openApiBundle().v3[path] ?? schemaLessDocument(types);
}
