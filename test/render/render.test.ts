import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type KubeObject, renderEnvironment } from '../../actions/lib/render/index.js';
import { hasModel, validationProblem } from '../../actions/lib/render/validate.js';
import { loadEnvironment } from '../../actions/lib/settings/index.js';

const root = new URL('../..', import.meta.url).pathname;
const shipped = ['dev', 'staging', 'prod'];

async function render(ref: string, options: Parameters<typeof renderEnvironment>[1] = {}) {
  return renderEnvironment(await loadEnvironment(ref, { cwd: root }), { cwd: root, ...options });
}

// biome-ignore lint/suspicious/noExplicitAny: the tests walk rendered objects of every kind.
type Rendered = KubeObject & { spec: any };

function find(objects: KubeObject[], kind: string, name: string): Rendered {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind}/${name} rendered`);
  return found as Rendered;
}

const names = (objects: KubeObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe('shipped environments', () => {
  for (const env of shipped) {
    it(`${env}: every object has a Kubernetes model and validates`, async () => {
      const { objects } = await render(env);
      assert.ok(objects.length >= 9);
      for (const object of objects) {
        // HTTPRoute has no bundleable model (see validate.ts); everything else is checked against its schema.
        assert.equal(hasModel(object), object.kind !== 'HTTPRoute', `${object.kind} has a model`);
        assert.equal(validationProblem(object), undefined);
      }
    });

    it(`${env}: byte-identical across runs, digest of the documents`, async () => {
      const [first, second] = [await render(env), await render(env)];
      assert.equal(first.documents, second.documents);
      assert.equal(first.digest, second.digest);
      assert.match(first.digest, /^sha256:[0-9a-f]{64}$/);
      assert.equal(first.documents.split(/^---$/m).length - 1, first.objects.length);
    });

    it(`${env}: every object carries the labels rollout and prune select on`, async () => {
      const { objects } = await render(env);
      for (const object of objects) {
        const labels = object.metadata.labels ?? {};
        assert.equal(labels['app.kubernetes.io/managed-by'], 'scalegate');
        assert.equal(labels['scalegate.dev/environment'], env);
        assert.ok(
          ['stable', 'canary', 'shared'].includes(labels['scalegate.dev/track']!),
          names([object])[0],
        );
        if (object.kind !== 'PriorityClass') assert.equal(object.metadata.namespace, 'shop');
      }
    });
  }
});

describe('workloads and services', () => {
  it('renders a Deployment per track whose selector includes the track and matches its pods', async () => {
    const { objects } = await render('staging');
    for (const [name, track] of [
      ['web', 'stable'],
      ['web-canary', 'canary'],
    ] as const) {
      const deployment = find(objects, 'Deployment', name);
      assert.deepEqual(deployment.spec.selector, { matchLabels: { app: 'web', track } });
      assert.deepEqual(deployment.spec.template.metadata.labels, { app: 'web', track, version: '1.4.2' });
      assert.equal(deployment.metadata.labels?.track, track);
      assert.equal(deployment.metadata.labels?.['scalegate.dev/track'], track);
      assert.equal(deployment.spec.replicas, undefined, 'the HPA owns the replica count');
      const [container] = deployment.spec.template.spec.containers;
      assert.equal(container.image, 'scalegate/web:1.4.2');
      assert.deepEqual(container.resources, {
        requests: { cpu: '250m', memory: '256Mi' },
        limits: { cpu: '1', memory: '256Mi' },
      });
      assert.deepEqual(container.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
      assert.equal(container.readinessProbe.httpGet.path, '/healthz');
      assert.equal(deployment.spec.template.metadata.annotations['sim.scalegate.dev/cpu-per-request'], '8ms');
    }
  });

  it('renders web (both tracks), web-stable and web-canary Services', async () => {
    const { objects } = await render('dev');
    assert.deepEqual(find(objects, 'Service', 'web').spec.selector, { app: 'web' });
    assert.deepEqual(find(objects, 'Service', 'web-stable').spec.selector, { app: 'web', track: 'stable' });
    assert.deepEqual(find(objects, 'Service', 'web-canary').spec.selector, { app: 'web', track: 'canary' });
    assert.deepEqual(find(objects, 'Service', 'web').spec.ports, [
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
    ]);
  });

  it('renders an HPA per track targeting its own Deployment', async () => {
    const { objects } = await render('staging');
    for (const name of ['web', 'web-canary']) {
      const hpa = find(objects, 'HorizontalPodAutoscaler', name);
      assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name });
      assert.equal(hpa.spec.minReplicas, 2);
      assert.equal(hpa.spec.maxReplicas, 10);
      assert.deepEqual(hpa.spec.metrics, [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
        {
          type: 'Pods',
          pods: {
            metric: { name: 'http_requests_per_second' },
            target: { type: 'AverageValue', averageValue: '50' },
          },
        },
      ]);
      assert.equal(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds, 300);
    }
  });

  it('renders a ServiceMonitor on the web Service only, with track and version on every series', async () => {
    const { objects } = await render('dev');
    const monitor = find(objects, 'ServiceMonitor', 'web');
    assert.deepEqual(monitor.spec.selector, {
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'track', operator: 'DoesNotExist' }],
    });
    assert.deepEqual(monitor.spec.podTargetLabels, ['track', 'version']);
    assert.deepEqual(monitor.spec.endpoints, [{ port: 'http', path: '/metrics', interval: '15s' }]);
  });

  it('copies other base objects into the namespace, as shared', async () => {
    const { objects } = await render('dev');
    const pdb = find(objects, 'PodDisruptionBudget', 'web');
    assert.equal(pdb.metadata.labels?.['scalegate.dev/track'], 'shared');
    assert.equal(pdb.spec.minAvailable, 1);
  });
});

describe('traffic split', () => {
  it('gateway-api: an HTTPRoute weighing web-stable against web-canary', async () => {
    const { objects } = await render('staging', { canaryWeight: 10 });
    const route = find(objects, 'HTTPRoute', 'web');
    assert.deepEqual(route.spec.rules[0].backendRefs, [
      { name: 'web-stable', port: 80, weight: 90 },
      { name: 'web-canary', port: 80, weight: 10 },
    ]);
    assert.deepEqual(route.spec.parentRefs, [{ name: 'shop-gateway', namespace: 'gateway-system' }]);
    const stableOnly = find(
      (await render('staging', { track: 'stable', canaryWeight: 10 })).objects,
      'HTTPRoute',
      'web',
    );
    assert.deepEqual(stableOnly.spec.rules[0].backendRefs, [{ name: 'web-stable', port: 80, weight: 100 }]);
  });

  it('nginx-ingress: a stable Ingress and a canary Ingress with the canary-weight annotation', async () => {
    const { objects } = await render('prod', { canaryWeight: 25 });
    const stable = find(objects, 'Ingress', 'web');
    const canary = find(objects, 'Ingress', 'web-canary');
    assert.equal(stable.metadata.annotations, undefined);
    assert.deepEqual(canary.metadata.annotations, {
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '25',
    });
    assert.equal(stable.spec.rules[0].http.paths[0].backend.service.name, 'web-stable');
    assert.equal(canary.spec.rules[0].http.paths[0].backend.service.name, 'web-canary');
    assert.equal(canary.metadata.labels?.['scalegate.dev/track'], 'canary');
  });

  it('replica-ratio: no traffic-split object', async () => {
    const { objects } = await render('dev');
    assert.equal(objects.filter((o) => o.kind === 'HTTPRoute' || o.kind === 'Ingress').length, 0);
  });
});

describe('tracks', () => {
  it('--track canary renders only the canary objects and the traffic split', async () => {
    assert.deepEqual(names((await render('staging', { track: 'canary' })).objects), [
      'Service/web-canary',
      'Deployment/web-canary',
      'HorizontalPodAutoscaler/web-canary',
      'HTTPRoute/web',
    ]);
    assert.deepEqual(names((await render('prod', { track: 'canary' })).objects), [
      'Service/web-canary',
      'Deployment/web-canary',
      'HorizontalPodAutoscaler/web-canary',
      'Ingress/web-canary',
    ]);
  });

  it('--track stable renders no canary object', async () => {
    const { objects } = await render('prod', { track: 'stable' });
    assert.deepEqual(
      objects.filter((o) => o.metadata.name.endsWith('-canary')),
      [],
    );
  });

  it('all = stable ∪ canary, in apply order', async () => {
    const all = names((await render('prod')).objects);
    const parts = [
      ...names((await render('prod', { track: 'stable' })).objects),
      ...names((await render('prod', { track: 'canary' })).objects),
    ];
    assert.deepEqual([...all].sort(), [...new Set(parts)].sort());
    assert.equal(all[0], 'PriorityClass/shop-web-buffer');
    assert.ok(all.indexOf('Deployment/web') > all.indexOf('Service/web'));
  });

  it('an environment without canary settings has no canary track', async () => {
    const env = await loadEnvironment('test/fixtures/settings/good/fixed-replicas.yaml', { cwd: root });
    const { objects } = await renderEnvironment(env, { cwd: root });
    assert.equal(find(objects, 'Deployment', 'web').spec.replicas, 3);
    assert.ok(!names(objects).some((n) => n.endsWith('-canary')));
    await assert.rejects(renderEnvironment(env, { track: 'canary', cwd: root }), {
      message: "environment 'fixed-replicas' has no canary settings: there is no canary track to render",
    });
  });
});

describe('capacity', () => {
  it('renders a negative PriorityClass and buffer pause pods holding the service requests', async () => {
    const { objects } = await render('prod');
    const priority = find(objects, 'PriorityClass', 'shop-web-buffer');
    assert.equal(priority.value, -10);
    assert.equal(priority.metadata.namespace, undefined);
    const buffer = find(objects, 'Deployment', 'web-buffer');
    assert.equal(buffer.spec.replicas, 3);
    assert.equal(buffer.spec.template.spec.priorityClassName, 'shop-web-buffer');
    assert.deepEqual(buffer.spec.template.spec.containers[0].resources.requests, {
      cpu: '500m',
      memory: '512Mi',
    });
    assert.notEqual(
      buffer.spec.template.metadata.labels.app,
      'web',
      'the Services must not select buffer pods',
    );
  });

  it('renders ResourceQuota, LimitRange and topology spread with the track selector', async () => {
    const { objects } = await render('prod');
    assert.equal(find(objects, 'ResourceQuota', 'web').spec.hard['requests.memory'], '48Gi');
    assert.equal(find(objects, 'LimitRange', 'web').spec.limits[0].type, 'Container');
    const [spread] = find(objects, 'Deployment', 'web-canary').spec.template.spec.topologySpreadConstraints;
    assert.deepEqual(spread.labelSelector, { matchLabels: { app: 'web', track: 'canary' } });
  });
});

describe('KEDA and image overrides', () => {
  it('renders a ScaledObject per track with the Prometheus trigger and no HPA', async () => {
    const { objects } = await render('test/fixtures/settings/good/keda.yaml');
    assert.equal(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').length, 0);
    for (const [name, track] of [
      ['api', 'stable'],
      ['api-canary', 'canary'],
    ] as const) {
      const scaled = find(objects, 'ScaledObject', name);
      assert.equal(scaled.apiVersion, 'keda.sh/v1alpha1');
      assert.deepEqual(scaled.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name });
      assert.equal(scaled.spec.minReplicaCount, 1);
      assert.equal(scaled.spec.maxReplicaCount, 8);
      assert.equal(scaled.spec.pollingInterval, 15);
      assert.equal(scaled.spec.cooldownPeriod, 120);
      assert.deepEqual(scaled.spec.triggers, [
        {
          type: 'prometheus',
          metadata: {
            serverAddress: 'http://prometheus.monitoring:9090',
            query: `sum(rate(http_requests_total{service="api",track="${track}"}[1m]))`,
            threshold: '50',
          },
        },
      ]);
    }
  });

  it('--image overrides the image and the version label follows the digest', async () => {
    const digest = `sha256:${'c0ffee'.repeat(10)}abcd`;
    const { objects } = await render('dev', { image: `scalegate/web@${digest}`, track: 'canary' });
    const deployment = find(objects, 'Deployment', 'web-canary');
    assert.equal(deployment.spec.template.spec.containers[0].image, `scalegate/web@${digest}`);
    assert.equal(deployment.spec.template.metadata.labels.version, 'c0ffeec0ffee');
  });
});

describe('base manifest errors', () => {
  it('two Deployments in the base manifests', async () => {
    await assert.rejects(render('test/fixtures/settings/base-errors/two-base-deployments.yaml'), {
      message:
        'test/fixtures/settings/manifests-two-deployments/deployments.yaml:12:1: more than one Deployment in the base manifests (first at line 1 of test/fixtures/settings/manifests-two-deployments/deployments.yaml)',
    });
  });

  it('an invalid base object is reported at its field in the base file', async () => {
    await assert.rejects(render('test/fixtures/settings/base-errors/invalid-base-object.yaml'), {
      message:
        'test/fixtures/settings/manifests-invalid-extra/pdb.yaml:6:17: spec.minAvailable: must be string (got [1]) in the rendered PodDisruptionBudget web',
    });
  });
});
