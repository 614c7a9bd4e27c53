import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type ControlPlaneKind, startCluster } from '../../simulator/cluster.js';
import { kubectl, kubectlUntil } from './cluster-kubectl-fixtures.js';

/**
 * What real kubectl 1.32 hears when a manifest has fields the schema lacks (its `--validate=strict` default sends
 * `?fieldValidation=Strict`), when a JSON body names a field twice, when server-side apply carries an undeclared
 * field, when custom resources carry fields their CRD's structural schema does not declare, and when a namespace's
 * LimitRange defaults and bounds container resources (also for the pods a ReplicaSet creates). Every command runs against the built-in
 * control plane and the real one (kube-apiserver 1.34), and must answer the same.
 */

const deployment = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1${extra}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        bogus: 1
`;

/** A namespaced example.com/v1 CRD whose `spec` has the given properties (YAML lines indented 14 spaces). */
const crdYaml = (kind: string, plural: string, specProperties: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${plural}.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: ${plural}, singular: ${kind.toLowerCase()}, kind: ${kind}}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
${specProperties}`;

const crd = crdYaml(
  'Widget',
  'widgets',
  `              size: {type: integer}
              free: {type: object, x-kubernetes-preserve-unknown-fields: true}
`,
);

const widget = (name: string) => `apiVersion: example.com/v1
kind: Widget
metadata: {name: ${name}}
spec:
  size: 3
  extra: gone
  free: {anything: kept}
top: level
`;

/** Nested structural schemas: an embedded resource keeps its object fields, an object without properties keeps none. */
const boxCrd = crdYaml(
  'Box',
  'boxes',
  `              inner:
                type: object
                x-kubernetes-embedded-resource: true
                properties: {data: {type: object, additionalProperties: {type: string}}}
              empty: {type: object}
              list: {type: array, items: {type: object, properties: {a: {type: string}}}}
`,
);

const box = `apiVersion: example.com/v1
kind: Box
metadata: {name: b1}
spec:
  inner: {apiVersion: v1, kind: ConfigMap, metadata: {name: x, labels: {a: b}, bogusMeta: 1}, data: {k: v}, other: 1}
  empty: {x: 1}
  list: [{a: s, b: 2}]
`;

const limitRange = `apiVersion: v1
kind: LimitRange
metadata: {name: defaults}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 250m}
    max: {cpu: "1"}
`;

const bigPod = JSON.stringify({
  spec: { containers: [{ name: 'big', image: 'nginx:1.27', resources: { limits: { cpu: '2' } } }] },
});
const cappedPod = JSON.stringify({
  spec: { containers: [{ name: 'capped', image: 'nginx:1.27', resources: { limits: { cpu: '1' } } }] },
});

const bigDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: big}
spec:
  replicas: 1
  selector: {matchLabels: {app: big}}
  template:
    metadata: {labels: {app: big}}
    spec:
      containers: [{name: app, image: nginx:1.27, resources: {limits: {cpu: "2"}}}]
`;

const duplicated =
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","name":"dup"},"data":{"a":"1","a":"2"}}';

const serverSideApplied = `apiVersion: v1
kind: ConfigMap
metadata: {name: ssa}
data: {a: "1"}
bogus: 1
`;

const unknownFields =
  'strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers[0].bogus"';

/** The kubectl commands, in order, and what each must answer on both control planes. */
const expectations: Array<{
  args: string[];
  stdin?: string;
  code: number;
  output: string | RegExp;
  /** The cluster gets there on its own time: re-run until the output matches. */
  eventually?: boolean;
}> = [
  {
    args: ['create', '-f', '-'],
    stdin: deployment('web', '\n  foo: bar'),
    code: 1,
    output: `Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: ${unknownFields}\n`,
  },
  {
    args: ['replace', '-f', '-'],
    stdin: deployment('web', '\n  foo: bar'),
    code: 1,
    output: `Error from server (BadRequest): error when replacing "STDIN": Deployment in version "v1" cannot be handled as a Deployment: ${unknownFields}\n`,
  },
  {
    args: ['create', '--validate=warn', '-f', '-'],
    stdin: deployment('web', '\n  foo: bar'),
    code: 0,
    output:
      'deployment.apps/web created\nWarning: unknown field "spec.foo"\nWarning: unknown field "spec.template.spec.containers[0].bogus"\n',
  },
  {
    args: [
      'get',
      'deploy',
      'web',
      '-o',
      'jsonpath={.spec.foo}|{.spec.template.spec.containers[0].bogus}|{.spec.replicas}',
    ],
    code: 0,
    output: '||1',
  },
  {
    args: ['replace', '--validate=false', '-f', '-'],
    stdin: deployment('web', '\n  foo: baz'),
    code: 0,
    output: 'deployment.apps/web replaced\n',
  },
  {
    args: ['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"foo":1}}'],
    code: 0,
    output: 'deployment.apps/web patched (no change)\nWarning: unknown field "spec.foo"\n',
  },
  {
    // Client-side apply of an existing object is a strategic merge patch; the value shown is the patch as the
    // server holds it, which only kube-apiserver's own merge code shapes exactly.
    args: ['apply', '-f', '-'],
    stdin: deployment('web', '\n  foo: baz'),
    code: 1,
    output: new RegExp(
      `The request is invalid: patch: Invalid value: "map\\[metadata:map\\[annotations:map\\[kubectl.kubernetes.io/last-applied-configuration:.*\\]\\]": ${unknownFields.replace(/[[\]]/g, '\\$&')}\\n$`,
      's',
    ),
  },
  { args: ['apply', '-f', '-'], stdin: crd, code: 0, output: /created\n$/ },
  { args: ['wait', '--for=condition=Established', 'crd/widgets.example.com'], code: 0, output: /met\n$/ },
  {
    args: ['create', '-f', '-'],
    stdin: widget('w1'),
    code: 1,
    output:
      'Error from server (BadRequest): error when creating "STDIN": Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.extra", unknown field "top"\n',
  },
  {
    args: ['create', '--validate=false', '-f', '-'],
    stdin: widget('w2'),
    code: 0,
    output: 'widget.example.com/w2 created\n',
  },
  {
    args: ['get', 'widget', 'w2', '-o', 'jsonpath={.spec}|{.top}'],
    code: 0,
    output: '{"free":{"anything":"kept"},"size":3}|',
  },
  { args: ['apply', '-f', '-'], stdin: boxCrd, code: 0, output: /created\n$/ },
  { args: ['wait', '--for=condition=Established', 'crd/boxes.example.com'], code: 0, output: /met\n$/ },
  {
    args: ['create', '--validate=warn', '-f', '-'],
    stdin: box,
    code: 0,
    output:
      'box.example.com/b1 created\nWarning: unknown field "spec.empty.x"\nWarning: unknown field "spec.inner.other"\nWarning: unknown field "spec.list[0].b"\nWarning: unknown field "spec.inner.metadata.bogusMeta"\n',
  },
  {
    args: ['get', 'box', 'b1', '-o', 'jsonpath={.spec}'],
    code: 0,
    output:
      '{"empty":{},"inner":{"apiVersion":"v1","data":{"k":"v"},"kind":"ConfigMap","metadata":{"labels":{"a":"b"},"name":"x"}},"list":[{"a":"s"}]}',
  },
  { args: ['apply', '-f', '-'], stdin: limitRange, code: 0, output: 'limitrange/defaults created\n' },
  {
    args: ['get', 'limitrange', 'defaults', '-o', 'jsonpath={.spec.limits[0].defaultRequest}'],
    code: 0,
    output: '{"cpu":"250m","memory":"256Mi"}',
  },
  { args: ['run', 'plain', '--image=nginx:1.27'], code: 0, output: 'pod/plain created\n' },
  {
    args: ['get', 'pod', 'plain', '-o', 'jsonpath={.metadata.annotations}|{.spec.containers[0].resources}'],
    code: 0,
    output:
      '{"kubernetes.io/limit-ranger":"LimitRanger plugin set: cpu, memory request for container plain; cpu, memory limit for container plain"}|{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"250m","memory":"256Mi"}}',
  },
  {
    args: ['run', 'capped', '--image=nginx:1.27', `--overrides=${cappedPod}`],
    code: 0,
    output: 'pod/capped created\n',
  },
  {
    args: ['get', 'pod', 'capped', '-o', 'jsonpath={.metadata.annotations}|{.spec.containers[0].resources}'],
    code: 0,
    output:
      '{"kubernetes.io/limit-ranger":"LimitRanger plugin set: memory request for container capped; memory limit for container capped"}|{"limits":{"cpu":"1","memory":"256Mi"},"requests":{"cpu":"1","memory":"256Mi"}}',
  },
  {
    args: ['run', 'big', '--image=nginx:1.27', `--overrides=${bigPod}`],
    code: 1,
    output:
      'Error from server (Forbidden): pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2\n',
  },
  { args: ['apply', '-f', '-'], stdin: bigDeployment, code: 0, output: 'deployment.apps/big created\n' },
  {
    args: ['get', 'events', '--field-selector', 'reason=FailedCreate', '-o', 'jsonpath={.items[0].message}'],
    code: 0,
    output:
      /^Error creating: pods "big-[a-z0-9]+-[a-z0-9]{5}" is forbidden: maximum cpu usage per Container is 1, but limit is 2$/,
    eventually: true,
  },
  {
    args: ['create', '--raw', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', '-f', '-'],
    stdin: duplicated,
    code: 1,
    output:
      'Error from server (BadRequest): ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata.name", duplicate field "data.a"\n',
  },
  {
    args: ['create', '--raw', '/api/v1/namespaces/default/configmaps?fieldValidation=strict', '-f', '-'],
    stdin: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"lower"}}',
    code: 1,
    output:
      'The CreateOptions "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"\n',
  },
  {
    args: ['apply', '--server-side', '--validate=false', '-f', '-'],
    stdin: serverSideApplied,
    code: 1,
    output:
      'Error from server: failed to create typed patch object (default/ssa; /v1, Kind=ConfigMap): .bogus: field not declared in schema\n',
  },
];

async function observe(controlPlane: ControlPlaneKind): Promise<void> {
  const cluster = await startCluster({ controlPlane, nodes: 1 });
  const home = await mkdtemp(join(tmpdir(), 'scalegate-field-validation-'));
  try {
    const env = { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: home };
    await kubectlUntil(env, ['get', 'serviceaccount', 'default'], /^default\s/m);
    for (const { args, stdin, code, output, eventually } of expectations) {
      if (eventually) {
        await kubectlUntil(env, args, output as RegExp);
        continue;
      }
      const result = await kubectl(env, args, stdin);
      const said = `${result.stdout}${result.stderr}`;
      const what = `${controlPlane}: kubectl ${args.join(' ')}`;
      assert.equal(result.code, code, `${what}: ${said}`);
      if (typeof output === 'string') assert.equal(said, output, what);
      else assert.match(said, output, what);
    }
  } finally {
    await cluster.stop();
    await rm(home, { recursive: true, force: true });
  }
}

describe('field validation, CRD pruning and LimitRange admission as kubectl meets them', () => {
  it('answers on the built-in control plane as the real one does', async () => {
    await observe('builtin');
  });

  it('is what the real control plane answers', async () => {
    await observe('kubernetes');
  });
});
