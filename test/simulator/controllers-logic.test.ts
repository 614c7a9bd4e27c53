import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  estimate,
  leastWaste,
  notTriggerMessage,
  podsToMove,
} from '../../simulator/controllers/autoscaler-plan.js';
import {
  advance,
  exitContainer,
  goDuration,
  imageBehaviour,
  newContainer,
  parseImage,
  pullBackoffSeconds,
  type RuntimeEnvironment,
  readinessDelaySeconds,
  restartDelaySeconds,
} from '../../simulator/controllers/container-runtime.js';
import { resolvePorts } from '../../simulator/controllers/endpoints.js';
import { selectVictims } from '../../simulator/controllers/preemption.js';
import { podsToDelete } from '../../simulator/controllers/replicaset.js';
import {
  newReplicaSetReplicas,
  podTemplateHash,
  proportionalScale,
  resolveFenceposts,
  rolloutConditions,
  scaleDownOldReplicaSets,
  timedOut,
} from '../../simulator/controllers/rollout.js';
import {
  buildNodeInfos,
  filterNode,
  fitErrorMessage,
  noPreemptionMessage,
  podNonZeroRequest,
  podRequest,
  resolvePriority,
  spreadStates,
  tolerates,
} from '../../simulator/controllers/scheduling.js';
import { defaultSpreadSelector, rankNodes } from '../../simulator/controllers/scoring.js';
import type { KubeObject } from '../../simulator/store/types.js';
import { node } from './controllers-fixtures.js';

function testPod(
  name: string,
  spec: Record<string, unknown> = {},
  extra: Partial<KubeObject> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: name },
    spec,
    ...extra,
  } as KubeObject;
}

const withCpu = (name: string, cpu: string, extra: Partial<KubeObject['spec']> = {}) =>
  testPod(name, { containers: [{ name: 'c', resources: { requests: { cpu } } }], ...extra });

describe('rollout arithmetic', () => {
  it('resolves fenceposts: surge rounds up, unavailable down, never both zero', () => {
    assert.deepEqual(resolveFenceposts('25%', '25%', 4), { surge: 1, unavailable: 1 });
    assert.deepEqual(resolveFenceposts('25%', '25%', 1), { surge: 1, unavailable: 0 });
    assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
    assert.deepEqual(resolveFenceposts(0, '10%', 5), { surge: 0, unavailable: 1 });
    assert.deepEqual(resolveFenceposts(2, 0, 5), { surge: 2, unavailable: 0 });
    assert.throws(() => resolveFenceposts('abc', 0, 3), /invalid value for IntOrString/);
  });

  it('grows the new ReplicaSet within replicas + maxSurge', () => {
    const params = { replicas: 4, surge: 1, unavailable: 1 };
    assert.equal(newReplicaSetReplicas(params, 4, 0), 1);
    assert.equal(newReplicaSetReplicas(params, 5, 1), 1);
    assert.equal(newReplicaSetReplicas(params, 3, 2), 4);
    assert.equal(
      newReplicaSetReplicas({ replicas: 2, surge: 1, unavailable: 0 }, 2, 3),
      2,
      'an oversized new RS comes down to replicas',
    );
  });

  it('scales old ReplicaSets down oldest first while availability stays at replicas - maxUnavailable', () => {
    const params = { replicas: 4, surge: 1, unavailable: 1 };
    const newRs = { name: 'new', spec: 1, available: 0 };
    assert.deepEqual(
      Object.fromEntries(scaleDownOldReplicaSets(params, newRs, [{ name: 'old', spec: 4, available: 4 }])),
      { old: 3 },
    );
    assert.deepEqual(
      Object.fromEntries(
        scaleDownOldReplicaSets(params, { name: 'new', spec: 2, available: 0 }, [
          { name: 'old', spec: 3, available: 3 },
        ]),
      ),
      { old: 3 },
      'no room: the new pods are not available yet',
    );
    assert.deepEqual(
      Object.fromEntries(
        scaleDownOldReplicaSets(params, { name: 'new', spec: 2, available: 2 }, [
          { name: 'older', spec: 1, available: 1 },
          { name: 'old', spec: 2, available: 2 },
        ]),
      ),
      { older: 0, old: 1 },
    );
    assert.deepEqual(
      Object.fromEntries(
        scaleDownOldReplicaSets(params, { name: 'new', spec: 1, available: 1 }, [
          { name: 'old', spec: 4, available: 2 },
        ]),
      ),
      { old: 2 },
      'unavailable old pods are cleaned up first',
    );
  });

  it('scales active ReplicaSets proportionally, leftovers to the largest', () => {
    assert.deepEqual(proportionalScale([6, 4], 15), [9, 6]);
    assert.deepEqual(proportionalScale([5, 5], 11), [6, 5]);
    assert.deepEqual(proportionalScale([6, 4], 5), [3, 2]);
    assert.deepEqual(proportionalScale([3, 3], 6), [3, 3]);
  });

  it('hashes the pod template to a stable safe-encoded label value that changes with collisionCount', () => {
    const a = podTemplateHash('{"spec":{}}', 0);
    assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.equal(podTemplateHash('{"spec":{}}', 0), a);
    assert.notEqual(podTemplateHash('{"spec":{}}', 1), a);
    assert.notEqual(podTemplateHash('{"spec":{"x":1}}', 0), a);
  });

  it('turns Progressing into ProgressDeadlineExceeded only after the deadline without progress', () => {
    const base = {
      replicas: 2,
      generation: 1,
      unavailable: 0,
      progressDeadlineSeconds: 10,
      newReplicaSetName: 'web-abc',
      next: { updatedReplicas: 2, replicas: 2, availableReplicas: 0, observedGeneration: 1 },
      nowIso: '2026-01-01T00:01:00Z',
    };
    const progressing = {
      type: 'Progressing',
      status: 'True' as const,
      reason: 'ReplicaSetUpdated',
      lastUpdateTime: '2026-01-01T00:00:55Z',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    };
    const previous = { updatedReplicas: 2, replicas: 2, availableReplicas: 0, conditions: [progressing] };
    const early = rolloutConditions({ ...base, previous, nowMs: Date.parse('2026-01-01T00:01:00Z') });
    assert.equal(early.find((c) => c.type === 'Progressing')?.reason, 'ReplicaSetUpdated');
    const late = rolloutConditions({ ...base, previous, nowMs: Date.parse('2026-01-01T00:01:06Z') });
    const condition = late.find((c) => c.type === 'Progressing');
    assert.deepEqual(
      [condition?.status, condition?.reason, condition?.message],
      ['False', 'ProgressDeadlineExceeded', 'ReplicaSet "web-abc" has timed out progressing.'],
    );
    assert.equal(late.find((c) => c.type === 'Available')?.reason, 'MinimumReplicasUnavailable');
    const complete = rolloutConditions({
      ...base,
      previous,
      next: { ...base.next, availableReplicas: 2 },
      nowMs: Date.parse('2026-01-01T00:05:00Z'),
    });
    assert.equal(complete.find((c) => c.type === 'Progressing')?.reason, 'NewReplicaSetAvailable');
    assert.equal(
      timedOut({ ...progressing, reason: 'NewReplicaSetAvailable' }, 1, Date.parse('2030-01-01T00:00:00Z')),
      false,
    );
  });
});

describe('scheduling functions', () => {
  it('computes the effective request with init containers, sidecars and overhead', () => {
    const pod = testPod('p', {
      initContainers: [
        { name: 'setup', resources: { requests: { cpu: '2', memory: '64Mi' } } },
        { name: 'proxy', restartPolicy: 'Always', resources: { requests: { cpu: '100m', memory: '32Mi' } } },
      ],
      containers: [
        { name: 'a', resources: { requests: { cpu: '250m', memory: '128Mi' } } },
        { name: 'b', resources: { requests: { cpu: '250m' } } },
      ],
      overhead: { cpu: '10m', memory: '1Mi' },
    });
    assert.deepEqual(podRequest(pod), { milliCpu: 2010, memory: (160 + 1) * 2 ** 20 });
  });

  it('formats the FitError with reasons counted, sorted and joined', () => {
    const failures = [
      { code: 'Unschedulable' as const, reasons: ['Insufficient cpu', 'Insufficient memory'] },
      { code: 'Unschedulable' as const, reasons: ['Insufficient cpu'] },
      { code: 'UnschedulableAndUnresolvable' as const, reasons: ['node(s) had untolerated taint {a: b}'] },
    ];
    assert.equal(
      fitErrorMessage(3, failures, noPreemptionMessage(failures)),
      '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {a: b}, 2 Insufficient cpu. ' +
        'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
    assert.equal(fitErrorMessage(0, []), 'no nodes available to schedule pods');
  });

  it('matches tolerations to taints as the API defines', () => {
    const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
    assert.equal(tolerates([{ key: 'dedicated', operator: 'Equal', value: 'gpu' }], taint), true);
    assert.equal(tolerates([{ key: 'dedicated', value: 'cpu' }], taint), false);
    assert.equal(tolerates([{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }], taint), false);
    assert.equal(tolerates([{ operator: 'Exists' }], taint), true);
    assert.equal(tolerates(undefined, taint), false);
  });

  it('resolves priority from the PriorityClass, then spec.priority, then the global default', () => {
    const classes = [
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'low' }, value: -1 },
      {
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        metadata: { name: 'std' },
        value: 100,
        globalDefault: true,
      },
    ] as KubeObject[];
    assert.equal(resolvePriority(testPod('a', { priorityClassName: 'low', priority: 0 }), classes), -1);
    assert.equal(resolvePriority(testPod('b', { priority: 5 }), classes), 5);
    assert.equal(resolvePriority(testPod('c', {}), classes), 100);
    assert.equal(resolvePriority(testPod('d', {}), []), 0);
  });

  it('prefers less crowded zones for ScheduleAnyway and rejects nodes without the key for DoNotSchedule', () => {
    const zoned = (name: string, zone?: string) => node(name, '4', '8Gi', zone ? { labels: { zone } } : {});
    const running = (name: string, nodeName: string) =>
      testPod(name, { nodeName, containers: [{ name: 'c' }] }, { status: { phase: 'Running' } });
    const placed = [running('x1', 'a'), running('x2', 'a')];
    for (const p of placed) p.metadata.labels = { app: 'x' };
    const infos = buildNodeInfos([zoned('a', 'z1'), zoned('b', 'z2'), zoned('c')], placed);
    const constraint = (whenUnsatisfiable: string) => ({
      maxSkew: 1,
      topologyKey: 'zone',
      whenUnsatisfiable,
      labelSelector: { matchLabels: { app: 'x' } },
    });
    const soft = testPod('new', { topologySpreadConstraints: [constraint('ScheduleAnyway')] });
    soft.metadata.labels = { app: 'x' };
    const ranked = rankNodes(soft, infos, infos, []).map((i) => i.node.metadata.name);
    assert.deepEqual(
      ranked,
      ['b', 'c', 'a'],
      'the emptier zone first; a node without the key scores 0 for spreading, as the crowded zone does, and wins on free resources',
    );
    const hard = testPod('new', { topologySpreadConstraints: [constraint('DoNotSchedule')] });
    hard.metadata.labels = { app: 'x' };
    const hardSpread = spreadStates(hard, infos);
    const reasonsOf = (i: number) => filterNode(hard, infos[i]!, hardSpread, 0, () => 0)?.reasons;
    assert.deepEqual(reasonsOf(0), ["node(s) didn't match pod topology spread constraints"]);
    assert.equal(reasonsOf(1), undefined);
    assert.deepEqual(reasonsOf(2), [
      "node(s) didn't match pod topology spread constraints (missing required label)",
    ]);
  });

  it('scores request-less pods by the system-default spreading over their owner, and by non-zero requests', () => {
    const zoned = (name: string, zone: string) =>
      node(name, '4', '8Gi', { labels: { 'topology.kubernetes.io/zone': zone } });
    const owned = (name: string, nodeName?: string) =>
      testPod(
        name,
        { containers: [{ name: 'c' }], ...(nodeName ? { nodeName } : {}) },
        {
          metadata: {
            name,
            namespace: 'default',
            uid: name,
            labels: { app: 'w' },
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'w-1', uid: 'rs', controller: true },
            ],
          },
          status: { phase: 'Running' },
        },
      );
    const replicaSet = { metadata: { name: 'w-1' }, spec: { selector: { matchLabels: { app: 'w' } } } };
    const selectors = {
      services: () => [],
      controller: () => replicaSet as unknown as KubeObject,
    };
    const infos = buildNodeInfos(
      [zoned('n1', 'a'), zoned('n2', 'a'), zoned('n3', 'b')],
      [owned('w-a', 'n1')],
    );
    const incoming = owned('w-new');
    const selector = defaultSpreadSelector(incoming, selectors);
    assert.deepEqual(selector, [{ key: 'app', operator: 'In', values: ['w'] }]);
    const names = (pod: KubeObject, sel: ReturnType<typeof defaultSpreadSelector>) =>
      rankNodes(pod, infos, infos, sel).map((i) => i.node.metadata.name);
    assert.deepEqual(names(incoming, selector), ['n3', 'n2', 'n1'], 'the empty zone, then the empty node');
    const bare = testPod('bare', { containers: [{ name: 'c' }] });
    assert.deepEqual(
      names(bare, defaultSpreadSelector(bare, { services: () => [], controller: () => undefined })),
      ['n2', 'n3', 'n1'],
      'no owner, no spreading: the node without pods wins on its 100m/200Mi non-zero share',
    );
    assert.deepEqual(podNonZeroRequest(bare), { milliCpu: 100, memory: 200 * 1024 * 1024 });
    assert.deepEqual(podRequest(bare), { milliCpu: 0, memory: 0 });
  });

  it('picks the fewest, least important preemption victims on a node', () => {
    const n = node('n', '1');
    const priorities: Record<string, number> = { low1: -1, low2: -1, mid: 0 };
    const pods = [
      withCpu('low1', '300m', { nodeName: 'n' }),
      withCpu('low2', '300m', { nodeName: 'n' }),
      withCpu('mid', '300m', { nodeName: 'n' }),
    ];
    const [info] = buildNodeInfos([n], pods);
    const incoming = withCpu('incoming', '350m');
    const priorityOf = (p: KubeObject) => priorities[p.metadata.name as string] ?? 0;
    const victims = selectVictims(
      1000,
      info!,
      priorityOf,
      (trial) => !filterNode(incoming, trial, [], 1000, priorityOf),
    );
    assert.equal(victims?.length, 1);
    assert.ok(
      ['low1', 'low2'].includes(victims?.[0]?.metadata.name as string),
      'the lowest priority goes first',
    );
    assert.equal(
      selectVictims(-5, info!, priorityOf, () => true),
      undefined,
      'nothing lower to preempt',
    );
  });
});

describe('kubelet functions', () => {
  it('follows the documented failing-image convention', () => {
    assert.equal(imageBehaviour('nginx:1.27'), 'runs');
    assert.equal(imageBehaviour('registry.local:5000/app:pull-error'), 'fails-to-pull');
    assert.equal(imageBehaviour('acme/does-not-exist:v1'), 'fails-to-pull');
    assert.equal(imageBehaviour('app:crash'), 'crashes');
    assert.equal(imageBehaviour('app:crashloop'), 'crashes');
    assert.deepEqual(parseImage('registry.local:5000/app'), {
      repository: 'registry.local:5000/app',
      tag: 'latest',
    });
  });

  it('backs off restarts: immediately, then base doubling up to 30x base', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => restartDelaySeconds(n, 10)),
      [0, 10, 20, 40, 80, 160, 300, 300],
    );
    assert.deepEqual(
      [1, 2, 3, 7].map((n) => pullBackoffSeconds(n, 10)),
      [10, 20, 40, 300],
    );
    assert.deepEqual([10, 20, 80, 300, 0.5].map(goDuration), ['10s', '20s', '1m20s', '5m0s', '500ms']);
  });

  it('restarts at once after a first exit, backs off after the next, and forgets the back-off after a long run', () => {
    let now = 0;
    const env = (): RuntimeEnvironment => ({
      now,
      imagePresent: () => true,
      imagePulled: () => {},
      pullSeconds: 1,
      startSeconds: 1,
      backoffSeconds: 10,
      restartPolicy: 'Always',
      readinessSeconds: 0,
      podRef: 'p_ns(uid)',
    });
    const c = newContainer('app', 'app:1', now);
    const run = (until: number) => {
      now = until;
      return advance(c, env()).map((e) => e.reason);
    };
    assert.deepEqual(run(0), ['Pulled']);
    assert.deepEqual(run(1000), ['Created', 'Started']);
    assert.deepEqual(exitContainer(c, 137, 'OOMKilled', env()), []);
    assert.equal(c.phase, 'terminated');
    assert.deepEqual(run(2000), ['Created', 'Started']);
    assert.equal(c.restartCount, 1);
    now = 3000;
    assert.deepEqual(
      exitContainer(c, 137, 'OOMKilled', env()).map((e) => e.reason),
      ['BackOff'],
    );
    assert.deepEqual(
      [c.phase, c.reason, c.message],
      ['waiting', 'CrashLoopBackOff', 'back-off 10s restarting failed container=app pod=p_ns(uid)'],
    );
    assert.deepEqual(c.lastTerminated?.reason, 'OOMKilled');
    assert.deepEqual(run(12_999), []);
    assert.deepEqual(run(13_000), ['Created', 'Started']);
    now = 13_000 + 601_000;
    assert.deepEqual(
      exitContainer(c, 137, 'OOMKilled', env()),
      [],
      'after 10 minutes of running the restart is immediate again',
    );
  });

  it('reports readiness at the first probe period tick after initialDelaySeconds', () => {
    assert.equal(readinessDelaySeconds(undefined), 0);
    assert.equal(readinessDelaySeconds({ initialDelaySeconds: 5, periodSeconds: 10 }), 10);
    assert.equal(readinessDelaySeconds({ initialDelaySeconds: 20, periodSeconds: 10 }), 20);
    assert.equal(readinessDelaySeconds({ periodSeconds: 3 }), 0);
  });
});

describe('ReplicaSet scale-down ranking', () => {
  it('deletes unscheduled, then pending, then not-ready, then doubled-up, then newer pods first', () => {
    const ready = {
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }],
    };
    const pods = [
      testPod('old-ready', { nodeName: 'n1' }, { status: { phase: 'Running', ...ready } }),
      testPod('unscheduled', {}, { status: { phase: 'Pending' } }),
      testPod('pending', { nodeName: 'n2' }, { status: { phase: 'Pending' } }),
      testPod('not-ready', { nodeName: 'n2' }, { status: { phase: 'Running' } }),
      testPod('doubled', { nodeName: 'n3' }, { status: { phase: 'Running', ...ready } }),
      testPod('doubled-too', { nodeName: 'n3' }, { status: { phase: 'Running', ...ready } }),
    ];
    pods[4]!.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    pods[5]!.metadata.creationTimestamp = '2026-01-02T00:00:00Z';
    assert.deepEqual(
      podsToDelete(pods, 5).map((p) => p.metadata.name),
      ['unscheduled', 'pending', 'not-ready', 'doubled-too', 'doubled'],
    );
  });
});

describe('cluster-autoscaler functions', () => {
  const template = node('template', '2', '4Gi');
  const priorityOf = () => 0;

  it('binpacks pending pods onto template nodes and skips pods no template can host', () => {
    const pods = [withCpu('a', '1500m'), withCpu('b', '500m'), withCpu('c', '1'), withCpu('huge', '3')];
    const option = estimate('pool', template, pods, 5, priorityOf);
    assert.equal(option.nodes, 2);
    assert.deepEqual(option.pods.map((p) => p.metadata.name).sort(), ['a', 'b', 'c']);
    assert.equal(estimate('pool', template, pods, 1, priorityOf).pods.length, 2, 'capped by the group max');
  });

  it('expands the group that wastes least', () => {
    const pods = [withCpu('a', '1500m')];
    const small = estimate('small', node('s', '2', '4Gi'), pods, 3, priorityOf);
    const big = estimate('big', node('b', '8', '32Gi'), pods, 3, priorityOf);
    assert.equal(leastWaste([big, small])?.group, 'small');
    assert.equal(leastWaste([]), undefined);
  });

  it('refuses to drain nodes with pods that cannot move', () => {
    const owned = {
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u', controller: true },
      ],
    };
    const info = (pod: KubeObject) => buildNodeInfos([template], [pod])[0]!;
    const movable = testPod('m', { nodeName: 'template' });
    movable.metadata = { ...movable.metadata, ...owned };
    assert.equal(podsToMove(info(movable), priorityOf)?.length, 1);
    assert.equal(podsToMove(info(testPod('bare', { nodeName: 'template' })), priorityOf), undefined);
    const pinned = testPod('pinned', { nodeName: 'template' });
    pinned.metadata = {
      ...pinned.metadata,
      ...owned,
      annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' },
    };
    assert.equal(podsToMove(info(pinned), priorityOf), undefined);
    assert.equal(
      notTriggerMessage(['Insufficient cpu', 'max node group size reached', 'Insufficient cpu']),
      "pod didn't trigger scale-up: 1 max node group size reached, 2 Insufficient cpu",
    );
  });
});

describe('endpoints functions', () => {
  it('resolves named and numeric target ports through the pod', () => {
    const pod = testPod('p', { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] });
    assert.deepEqual(resolvePorts([{ name: 'web', port: 80, targetPort: 'http' }, { port: 9090 }], pod), [
      { name: 'web', port: 8080, protocol: 'TCP' },
      { port: 9090, protocol: 'TCP' },
    ]);
    assert.equal(resolvePorts([{ port: 80, targetPort: 'grpc' }], pod), undefined);
  });
});
