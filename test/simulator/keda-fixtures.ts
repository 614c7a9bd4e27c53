/** ScaledObjects with prometheus triggers as YAML for kubectl, and the kubectl arguments that read a condition. */

export interface Trigger {
  name?: string;
  query: string;
  threshold?: string;
  activationThreshold?: string;
  ignoreNullValues?: string;
}

export function scaledObject(name: string, prometheus: string, triggers: Trigger[], extra = ''): string {
  const list = triggers
    .map((t) => {
      const metadata = {
        serverAddress: prometheus,
        query: t.query,
        threshold: t.threshold ?? '10',
        ...(t.activationThreshold && { activationThreshold: t.activationThreshold }),
        ...(t.ignoreNullValues && { ignoreNullValues: t.ignoreNullValues }),
      };
      return `  - type: prometheus\n${t.name ? `    name: ${t.name}\n` : ''}    metadata: ${JSON.stringify(metadata)}`;
    })
    .join('\n');
  return `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: ${name}, namespace: default}
spec:
  scaleTargetRef: {name: ${name}}
  pollingInterval: 1
${extra}
  triggers:
${list}
`;
}

export const condition = (name: string, type: string, field: 'status' | 'reason') => [
  'get',
  'scaledobject',
  name,
  '-o',
  `jsonpath={.status.conditions[?(@.type=="${type}")].${field}}`,
];
