/**
 * Validates rendered objects against the Kubernetes OpenAPI schemas shipped by kubernetes-models (core kinds) and
 * @kubernetes-models packages (KEDA, Prometheus Operator). Kinds without a model pass unchecked: HTTPRoute among
 * them, whose only model package bundles a runtime require() that breaks the action bundle; its one passthrough
 * field (parentRefs) is checked by the settings schema instead. A ScaledObject is then checked as KEDA's admission
 * webhook and scalers would check it (actions/lib/keda).
 */
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { PriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { readScaledObject, ScaledObjectProblem } from '../keda/scaled-object.js';
import type { KubeObject } from './types.js';

interface Model {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}

// The kinds scalegate renders plus those base manifests commonly hold; one import per kind keeps start-up fast
// (a whole API group module loads hundreds of schemas).
const modelList: Model[] = [
  ConfigMap,
  Deployment,
  HorizontalPodAutoscaler,
  Ingress,
  LimitRange,
  PodDisruptionBudget,
  PriorityClass,
  ResourceQuota,
  ScaledObject,
  Secret,
  Service,
  ServiceAccount,
  ServiceMonitor,
] as unknown as Model[];

const models = new Map(modelList.map((model) => [`${model.apiVersion}/${model.kind}`, model]));

/** Whether a model exists for the object's apiVersion and kind. */
export function hasModel(object: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return models.has(`${object.apiVersion}/${object.kind}`);
}

export interface ValidationProblem {
  /** Field path inside the object, e.g. ['spec', 'template', 'spec', 'containers', 0, 'image']. */
  path: Array<string | number>;
  /** What the schema wants, e.g. 'must be integer'. */
  reason: string;
}

interface AjvDetail {
  instancePath?: string;
  message?: string;
}

function pathFromPointer(pointer: string): Array<string | number> {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** The first schema violation of an object, or undefined when it is valid (or has no model). */
export function validationProblem(object: KubeObject): ValidationProblem | undefined {
  const model = models.get(`${object.apiVersion}/${object.kind}`);
  if (!model) return undefined;
  try {
    new model(object).validate();
  } catch (error) {
    const detail = ((error as { errors?: AjvDetail[] }).errors ?? [])[0];
    if (detail?.message !== undefined)
      return { path: pathFromPointer(detail.instancePath ?? ''), reason: detail.message };
    return { path: [], reason: (error as Error).message.split('\n')[0]! };
  }
  return model === ScaledObject ? kedaProblem(object) : undefined;
}

function kedaProblem(object: KubeObject): ValidationProblem | undefined {
  try {
    readScaledObject(object);
    return undefined;
  } catch (error) {
    if (!(error instanceof ScaledObjectProblem)) throw error;
    return { path: [...error.path], reason: error.message };
  }
}
