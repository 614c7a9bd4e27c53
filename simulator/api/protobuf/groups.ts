/**
 * Which protobuf package holds each API group/version the local API server decodes from
 * `application/vnd.kubernetes.protobuf` bodies (the generated.proto packages of k8s.io/api).
 */
export const protoGroups: Record<string, Record<string, string>> = {
  '': { v1: 'k8s.io.api.core.v1' },
  apps: { v1: 'k8s.io.api.apps.v1' },
  batch: { v1: 'k8s.io.api.batch.v1' },
  autoscaling: { v1: 'k8s.io.api.autoscaling.v1', v2: 'k8s.io.api.autoscaling.v2' },
  policy: { v1: 'k8s.io.api.policy.v1' },
  'rbac.authorization.k8s.io': { v1: 'k8s.io.api.rbac.v1' },
  'networking.k8s.io': { v1: 'k8s.io.api.networking.v1' },
  'scheduling.k8s.io': { v1: 'k8s.io.api.scheduling.v1' },
  'coordination.k8s.io': { v1: 'k8s.io.api.coordination.v1' },
  'discovery.k8s.io': { v1: 'k8s.io.api.discovery.v1' },
  'storage.k8s.io': { v1: 'k8s.io.api.storage.v1' },
  'authorization.k8s.io': { v1: 'k8s.io.api.authorization.v1' },
  'authentication.k8s.io': { v1: 'k8s.io.api.authentication.v1' },
};

/** The Kubernetes release whose generated.proto files the descriptor was built from. */
export const kubernetesProtoVersion = 'v0.34.4';

export const protoDescriptorPath = 'simulator/api/protobuf/kubernetes.json';
