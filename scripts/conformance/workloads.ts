/** The StatefulSet and DaemonSet manifests the conformance runs and the differential test apply, per namespace. */

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
