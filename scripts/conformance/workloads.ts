/**
 * The manifests that the conformance runs, the differential test and the real-kubectl tests share: a StatefulSet and
 * a DaemonSet per namespace, and a namespaced CRD (example.com Widget).
 */

export const statefulSetYaml = (namespace: string, replicas: number) => `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: ${namespace}}
spec:
  serviceName: db
  replicas: ${replicas}
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: "postgres:16", resources: {requests: {cpu: 50m, memory: 64Mi}}}]
`;

export const daemonSetYaml = (namespace: string) => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: "busybox:1.36", resources: {requests: {cpu: 10m, memory: 16Mi}}}]
`;

export const widgetCrdYaml = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
`;
