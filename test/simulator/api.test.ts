import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  Watch,
} from '@kubernetes/client-node';
import { eventually } from '../support/eventually.js';
import { apiServerForTest, call, deploymentManifest } from './api-fixtures.js';

type Fixture = Awaited<ReturnType<typeof apiServerForTest>>;

function statusOf(error: unknown): { code: number; body: Record<string, unknown> } {
  assert.ok(error instanceof ApiException, `expected an ApiException, got ${error}`);
  return { code: error.code, body: JSON.parse(error.body as string) };
}

async function rejects(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return statusOf(error);
  }
  assert.fail('expected the request to fail');
}

describe('local API server: discovery and CRUD through @kubernetes/client-node', () => {
  let f: Fixture;
  before(async () => {
    f = await apiServerForTest();
  });
  after(() => f.api.close());

  it('serves legacy and aggregated discovery and a 1.32 version', async () => {
    const version = await call(f.api.url, 'GET', '/version');
    assert.equal(version.body.minor, '32');
    const groups = await call(f.api.url, 'GET', '/apis');
    const names = groups.body.groups.map((g: { name: string }) => g.name);
    for (const g of ['apps', 'autoscaling', 'metrics.k8s.io', 'keda.sh', 'gateway.networking.k8s.io'])
      assert.ok(names.includes(g), g);
    const apps = await call(f.api.url, 'GET', '/apis/apps/v1');
    const scale = apps.body.resources.find((r: { name: string }) => r.name === 'deployments/scale');
    assert.deepEqual([scale.group, scale.version, scale.kind], ['autoscaling', 'v1', 'Scale']);
    const aggregated = await fetch(`${f.api.url}/apis`, {
      headers: {
        accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
      },
    });
    assert.match(aggregated.headers.get('content-type') ?? '', /as=APIGroupDiscoveryList/);
    const list = (await aggregated.json()) as { kind: string; items: Array<{ metadata: { name: string } }> };
    assert.equal(list.kind, 'APIGroupDiscoveryList');
    assert.ok(list.items.some((i) => i.metadata.name === 'autoscaling'));
  });

  it('creates with defaults, reads, lists by selectors and refuses stale updates with 409', async () => {
    const apps = f.kc.makeApiClient(AppsV1Api);
    const created = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: deploymentManifest('crud'),
    });
    assert.equal(created.spec?.strategy?.rollingUpdate?.maxSurge, '25%');
    assert.equal(created.spec?.revisionHistoryLimit, 10);
    assert.equal(created.spec?.progressDeadlineSeconds, 600);
    assert.equal(created.spec?.template.spec?.restartPolicy, 'Always');
    assert.equal(created.spec?.template.spec?.terminationGracePeriodSeconds, 30);
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: deploymentManifest('other', { labels: { app: 'other', tier: 'x' } }),
    });
    const byLabel = await apps.listNamespacedDeployment({
      namespace: 'default',
      labelSelector: 'app in (crud)',
    });
    assert.deepEqual(
      byLabel.items.map((d) => d.metadata?.name),
      ['crud'],
    );
    const byField = await apps.listNamespacedDeployment({
      namespace: 'default',
      fieldSelector: 'metadata.name!=crud',
    });
    assert.deepEqual(
      byField.items.map((d) => d.metadata?.name),
      ['other'],
    );
    assert.match(byField.metadata?.resourceVersion ?? '', /^\d+$/);
    const updated = await apps.replaceNamespacedDeployment({
      name: 'crud',
      namespace: 'default',
      body: { ...created, spec: { ...created.spec!, replicas: 5 } },
    });
    assert.equal(updated.metadata?.generation, 2);
    const stale = await rejects(
      apps.replaceNamespacedDeployment({ name: 'crud', namespace: 'default', body: created }),
    );
    assert.equal(stale.code, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.equal(
      stale.body.message,
      'Operation cannot be fulfilled on deployments.apps "crud": the object has been modified; please apply your changes to the latest version and try again',
    );
    const dup = await rejects(
      apps.createNamespacedDeployment({ namespace: 'default', body: deploymentManifest('crud') }),
    );
    assert.deepEqual(
      [dup.code, dup.body.reason, dup.body.message],
      [409, 'AlreadyExists', 'deployments.apps "crud" already exists'],
    );
    const missing = await rejects(
      apps.createNamespacedDeployment({
        namespace: 'nope',
        body: { ...deploymentManifest('x'), metadata: { name: 'x', namespace: 'nope' } },
      }),
    );
    assert.deepEqual(
      [missing.code, missing.body.kind, missing.body.message],
      [404, 'Status', 'namespaces "nope" not found'],
    );
    const gone = await rejects(apps.readNamespacedDeployment({ name: 'absent', namespace: 'default' }));
    assert.deepEqual([gone.code, gone.body.message], [404, 'deployments.apps "absent" not found']);
  });

  it('allocates Service cluster IPs and names from generateName, and does not persist dryRun=All', async () => {
    const core = f.kc.makeApiClient(CoreV1Api);
    const svc = await core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { generateName: 'web-' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    });
    assert.match(svc.metadata?.name ?? '', /^web-[a-z0-9]{5}$/);
    assert.match(svc.spec?.clusterIP ?? '', /^10\.96\.\d+\.\d+$/);
    assert.equal(svc.spec?.ports?.[0]?.targetPort, 80);
    const dry = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'dry' }, data: { a: 'b' } },
      dryRun: 'All',
    });
    assert.equal(dry.metadata?.name, 'dry');
    await rejects(core.readNamespacedConfigMap({ name: 'dry', namespace: 'default' }));
  });

  it("sets a pod's priority from its PriorityClass and refuses an unknown class, as Priority admission does", async () => {
    await call(f.api.url, 'POST', '/apis/scheduling.k8s.io/v1/priorityclasses', {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'buffer' },
      value: -10,
      preemptionPolicy: 'Never',
    });
    const pod = (name: string, priorityClassName?: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: {
        containers: [{ name: 'app', image: 'shop/web:1.0.0' }],
        priority: 1000,
        ...(priorityClassName && { priorityClassName }),
      },
    });
    const buffered = await call(
      f.api.url,
      'POST',
      '/api/v1/namespaces/default/pods',
      pod('buffered', 'buffer'),
    );
    assert.equal(buffered.body.spec.priority, -10);
    assert.equal(buffered.body.spec.preemptionPolicy, 'Never');
    const plain = await call(f.api.url, 'POST', '/api/v1/namespaces/default/pods', pod('plain'));
    assert.equal(plain.body.spec.priority, 0);
    const unknown = await call(f.api.url, 'POST', '/api/v1/namespaces/default/pods', pod('lost', 'nope'));
    assert.equal(unknown.status, 403);
    assert.equal(unknown.body.message, 'pods "lost" is forbidden: no PriorityClass with name nope was found');
  });

  it('rejects invalid objects with 422 and the causes kube-apiserver gives', async () => {
    const apps = f.kc.makeApiClient(AppsV1Api);
    const mismatch = deploymentManifest('bad');
    mismatch.spec.template.metadata.labels = { app: 'other' };
    const one = await rejects(apps.createNamespacedDeployment({ namespace: 'default', body: mismatch }));
    assert.equal(one.code, 422);
    assert.equal(one.body.reason, 'Invalid');
    assert.equal(
      one.body.message,
      'Deployment.apps "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    );
    assert.deepEqual(one.body.details, {
      name: 'bad',
      group: 'apps',
      kind: 'Deployment',
      causes: [
        {
          reason: 'FieldValueInvalid',
          message:
            'Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
          field: 'spec.template.metadata.labels',
        },
      ],
    });
    const several = deploymentManifest('Bad_Name', { replicas: -1 });
    (several.spec.template.spec as { containers: unknown[] }).containers = [];
    const many = await rejects(apps.createNamespacedDeployment({ namespace: 'default', body: several }));
    assert.equal(many.code, 422);
    assert.match(
      many.body.message as string,
      /^Deployment\.apps "Bad_Name" is invalid: \[metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/,
    );
    const fields = (many.body.details as { causes: Array<{ field: string }> }).causes.map((c) => c.field);
    assert.deepEqual(fields, ['metadata.name', 'spec.replicas', 'spec.template.spec.containers']);
    const core = f.kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'fixed' }, spec: { containers: [{ name: 'c', image: 'a:1' }] } },
    });
    const imageChange = await call(
      f.api.url,
      'PATCH',
      '/api/v1/namespaces/default/pods/fixed',
      { spec: { containers: [{ name: 'c', image: 'a:2' }] } },
      'application/strategic-merge-patch+json',
    );
    assert.equal(imageChange.status, 200);
    const portChange = await call(
      f.api.url,
      'PATCH',
      '/api/v1/namespaces/default/pods/fixed',
      { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } },
      'application/strategic-merge-patch+json',
    );
    assert.equal(portChange.status, 422);
    assert.match(
      portChange.body.message,
      /^Pod "fixed" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/,
    );
    const badLabel = await call(f.api.url, 'POST', '/api/v1/namespaces/default/configmaps', {
      metadata: { name: 'l', labels: { 'bad key!': 'v' } },
    });
    assert.equal(badLabel.status, 422);
    assert.match(
      badLabel.body.message,
      /^ConfigMap "l" is invalid: metadata\.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters/,
    );
    const hpa = f.kc.makeApiClient(AutoscalingV2Api);
    const inverted = await rejects(
      hpa.createNamespacedHorizontalPodAutoscaler({
        namespace: 'default',
        body: {
          metadata: { name: 'h' },
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' },
            minReplicas: 5,
            maxReplicas: 2,
          },
        },
      }),
    );
    assert.equal(
      inverted.body.message,
      'HorizontalPodAutoscaler.autoscaling "h" is invalid: spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`',
    );
    const quantity = deploymentManifest('q');
    quantity.spec.template.spec.containers[0]!.resources.requests.cpu = 'lots';
    const badQuantity = await call(
      f.api.url,
      'POST',
      '/apis/apps/v1/namespaces/default/deployments',
      quantity,
    );
    assert.equal(badQuantity.status, 400);
    assert.match(badQuantity.body.message, /quantities must match the regular expression/);
  });
});

describe('local API server: patches and server-side apply', () => {
  let f: Fixture;
  before(async () => {
    f = await apiServerForTest();
  });
  after(() => f.api.close());

  it('applies merge, strategic merge and JSON patches', async () => {
    const apps = f.kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace: 'default', body: deploymentManifest('p') });
    const path = '/apis/apps/v1/namespaces/default/deployments/p';
    const strategic = await call(
      f.api.url,
      'PATCH',
      path,
      { spec: { template: { spec: { containers: [{ name: 'side', image: 'busybox' }] } } } },
      'application/strategic-merge-patch+json',
    );
    assert.deepEqual(
      strategic.body.spec.template.spec.containers.map((c: { name: string }) => c.name),
      ['web', 'side'],
    );
    const removed = await call(
      f.api.url,
      'PATCH',
      path,
      { spec: { template: { spec: { containers: [{ name: 'side', $patch: 'delete' }] } } } },
      'application/strategic-merge-patch+json',
    );
    assert.deepEqual(
      removed.body.spec.template.spec.containers.map((c: { name: string }) => c.name),
      ['web'],
    );
    const merge = await call(
      f.api.url,
      'PATCH',
      path,
      {
        metadata: { labels: { extra: 'yes' } },
        spec: { template: { spec: { containers: [{ name: 'only', image: 'x:1' }] } } },
      },
      'application/merge-patch+json',
    );
    assert.deepEqual(
      merge.body.spec.template.spec.containers.map((c: { name: string }) => c.name),
      ['only'],
    );
    assert.equal(merge.body.metadata.labels.extra, 'yes');
    const json = await call(
      f.api.url,
      'PATCH',
      path,
      [
        { op: 'replace', path: '/spec/replicas', value: 7 },
        { op: 'remove', path: '/metadata/labels/extra' },
      ],
      'application/json-patch+json',
    );
    assert.equal(json.body.spec.replicas, 7);
    assert.equal(json.body.metadata.labels.extra, undefined);
    const failedTest = await call(
      f.api.url,
      'PATCH',
      path,
      [{ op: 'test', path: '/spec/replicas', value: 1 }],
      'application/json-patch+json',
    );
    assert.equal(failedTest.status, 422);
    const stale = await call(
      f.api.url,
      'PATCH',
      path,
      { metadata: { resourceVersion: '1' }, spec: { replicas: 1 } },
      'application/merge-patch+json',
    );
    assert.equal(stale.status, 409);
    const invalid = await call(
      f.api.url,
      'PATCH',
      path,
      { spec: { replicas: -3 } },
      'application/merge-patch+json',
    );
    assert.equal(invalid.status, 422);
  });

  it('tracks field managers, reports apply conflicts as kube-apiserver does, and lets force take over', async () => {
    const objects = KubernetesObjectApi.makeApiClient(f.kc);
    const raw = deploymentManifest('ssa', { replicas: 2 });
    const manifest: V1Deployment = raw;
    const first = await objects.patch(
      manifest,
      undefined,
      undefined,
      'ci',
      false,
      PatchStrategy.ServerSideApply,
    );
    const entry = first.metadata?.managedFields?.find((m) => m.manager === 'ci');
    assert.equal(entry?.operation, 'Apply');
    const owned = (entry?.fieldsV1 ?? {}) as Record<string, Record<string, unknown>>;
    assert.ok(owned['f:spec']?.['f:replicas']);
    const apps = f.kc.makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeploymentScale(
      { name: 'ssa', namespace: 'default', body: { spec: { replicas: 6 } }, fieldManager: 'hpa-controller' },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const changed: V1Deployment = {
      ...raw,
      spec: {
        ...raw.spec,
        replicas: 3,
        template: { ...raw.spec.template, spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } },
      },
    };
    const conflict = await rejects(
      objects.patch(changed, undefined, undefined, 'other', false, PatchStrategy.ServerSideApply),
    );
    assert.equal(conflict.code, 409);
    assert.equal(conflict.body.reason, 'Conflict');
    assert.equal(
      conflict.body.message,
      'Apply failed with 2 conflicts: conflicts with "ci":\n- .spec.template.spec.containers[name="web"].image\nconflicts with "hpa-controller" with subresource "scale" using apps/v1:\n- .spec.replicas',
    );
    const causes = (conflict.body.details as { causes: Array<Record<string, string>> }).causes;
    assert.deepEqual(
      causes.map((c) => c.reason),
      ['FieldManagerConflict', 'FieldManagerConflict'],
    );
    const forced = await objects.patch(
      changed,
      undefined,
      undefined,
      'other',
      true,
      PatchStrategy.ServerSideApply,
    );
    assert.equal(forced.spec?.replicas, 3);
    assert.equal(forced.spec?.template.spec?.containers[0]?.image, 'nginx:1.28');
    const managers = (forced.metadata?.managedFields ?? []).map((m) => m.manager).sort();
    assert.deepEqual(managers, ['ci', 'other']);
    const withoutLabel: V1Deployment = { ...changed, metadata: { name: 'ssa', namespace: 'default' } };
    const shared = await objects.patch(
      withoutLabel,
      undefined,
      undefined,
      'ci',
      true,
      PatchStrategy.ServerSideApply,
    );
    assert.equal(shared.metadata?.labels?.app, 'ssa', '"other" still applies the label, so it stays');
    const dropped = await objects.patch(
      withoutLabel,
      undefined,
      undefined,
      'other',
      true,
      PatchStrategy.ServerSideApply,
    );
    assert.equal(
      dropped.metadata?.labels?.app,
      undefined,
      'once no manager applies the label, it is removed',
    );
    const noManager = await call(
      f.api.url,
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/ssa',
      manifest,
      'application/apply-patch+yaml',
    );
    assert.equal(noManager.status, 422);
    assert.match(noManager.body.message, /fieldManager: Required value: is required for apply patch/);
  });

  it('serves /scale as autoscaling/v1 Scale and /status without touching the spec', async () => {
    const apps = f.kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace: 'default', body: deploymentManifest('sc') });
    const scale = await apps.readNamespacedDeploymentScale({ name: 'sc', namespace: 'default' });
    assert.equal(scale.spec?.replicas, 2);
    assert.equal(scale.status?.selector, 'app=sc');
    await apps.replaceNamespacedDeploymentScale({
      name: 'sc',
      namespace: 'default',
      body: { metadata: { name: 'sc', namespace: 'default' }, spec: { replicas: 4 } },
    });
    const current = await apps.readNamespacedDeployment({ name: 'sc', namespace: 'default' });
    assert.equal(current.spec?.replicas, 4);
    const status = await apps.replaceNamespacedDeploymentStatus({
      name: 'sc',
      namespace: 'default',
      body: {
        ...current,
        spec: { ...current.spec!, replicas: 9 },
        status: { replicas: 4, readyReplicas: 3 },
      },
    });
    assert.deepEqual([status.spec?.replicas, status.status?.readyReplicas], [4, 3]);
    const negative = await call(f.api.url, 'PUT', '/apis/apps/v1/namespaces/default/deployments/sc/scale', {
      spec: { replicas: -1 },
    });
    assert.equal(negative.status, 422);
  });
});

describe('local API server: watch, delete and events', () => {
  let f: Fixture;
  before(async () => {
    f = await apiServerForTest({ historySize: 8, bookmarkIntervalMs: 150 });
  });
  after(() => f.api.close());

  it('streams events with bookmarks that keep an idle client-node watch open, and resumes from a resourceVersion', async () => {
    const core = f.kc.makeApiClient(CoreV1Api);
    const watch = new Watch(f.kc);
    // client-node's hidden inactivity timeout (30 s), shortened so the test sees bookmarks keep the watch open.
    (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = 1000;
    const seen: string[] = [];
    let bookmarks = 0;
    let lastVersion = '';
    let ended: unknown = 'open';
    const start = await core.listNamespacedConfigMap({ namespace: 'default' });
    const controller = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { allowWatchBookmarks: true, resourceVersion: start.metadata?.resourceVersion },
      (type, object) => {
        lastVersion = object.metadata.resourceVersion;
        if (type === 'BOOKMARK') bookmarks++;
        else seen.push(`${type} ${object.metadata.name}`);
      },
      (error) => {
        ended = error;
      },
    );
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'a' } } });
    await eventually('events and bookmarks', () => seen.length === 1 && bookmarks >= 12, {
      timeoutMs: 15_000,
    });
    assert.equal(ended, 'open', 'bookmarks kept the watch alive past the client inactivity timeout');
    controller.abort();
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'b' } } });
    await core.deleteNamespacedConfigMap({ name: 'a', namespace: 'default' });
    const resumed: string[] = [];
    const again = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: lastVersion },
      (type, object) => resumed.push(`${type} ${object.metadata.name}`),
      () => {},
    );
    await eventually('resumed events', () => resumed.length === 2, { timeoutMs: 15_000 });
    assert.deepEqual(resumed, ['ADDED b', 'DELETED a']);
    again.abort();
  });

  it('reports objects entering and leaving a label selector as ADDED and DELETED', async () => {
    const core = f.kc.makeApiClient(CoreV1Api);
    const seen: string[] = [];
    const watch = await new Watch(f.kc).watch(
      '/api/v1/namespaces/default/configmaps',
      { labelSelector: 'tier=front' },
      (type, object) => seen.push(`${type} ${object.metadata.name} ${object.metadata.labels?.tier}`),
      () => {},
    );
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'sel', labels: { tier: 'front' } } },
    });
    await core.patchNamespacedConfigMap(
      { name: 'sel', namespace: 'default', body: { metadata: { labels: { tier: 'back' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.patchNamespacedConfigMap(
      { name: 'sel', namespace: 'default', body: { data: { x: '1' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.patchNamespacedConfigMap(
      { name: 'sel', namespace: 'default', body: { metadata: { labels: { tier: 'front' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ name: 'sel', namespace: 'default' });
    await eventually('four events', () => seen.length === 4, { timeoutMs: 15_000 });
    watch.abort();
    assert.equal(created.metadata?.labels?.tier, 'front');
    assert.deepEqual(seen, ['ADDED sel front', 'DELETED sel back', 'ADDED sel front', 'DELETED sel front']);
  });

  it('answers an expired resourceVersion with a 410 Expired ERROR event', async () => {
    const core = f.kc.makeApiClient(CoreV1Api);
    const first = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'old' } },
    });
    for (let i = 0; i < 10; i++)
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: `n${i}` } } });
    const events: Array<{ type: string; object: { code: number; reason: string; message: string } }> = [];
    let done = false;
    await new Watch(f.kc).watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: first.metadata?.resourceVersion },
      (type, object) => events.push({ type, object }),
      () => {
        done = true;
      },
    );
    await eventually('the server to end the watch', () => done, { timeoutMs: 15_000 });
    assert.equal(events.length, 1);
    assert.equal(events[0]?.type, 'ERROR');
    assert.equal(events[0]?.object.code, 410);
    assert.equal(events[0]?.object.reason, 'Expired');
    assert.match(events[0]?.object.message ?? '', /^too old resource version: \d+ \(\d+\)$/);
  });

  it('deletes collections by label, orphans dependents and marks foreground deletions', async () => {
    const core = f.kc.makeApiClient(CoreV1Api);
    for (const [name, tier] of [
      ['x1', 'a'],
      ['x2', 'a'],
      ['x3', 'b'],
    ]) {
      await core.createNamespacedSecret({
        namespace: 'default',
        body: { metadata: { name, labels: { tier: tier as string } } },
      });
    }
    await core.deleteCollectionNamespacedSecret({ namespace: 'default', labelSelector: 'tier=a' });
    const left = await core.listNamespacedSecret({ namespace: 'default' });
    assert.deepEqual(
      left.items.map((s) => s.metadata?.name),
      ['x3'],
    );
    const owner = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'owner' } },
    });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! };
    await core.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'dep', ownerReferences: [ref] } },
    });
    await core.deleteNamespacedConfigMap({
      name: 'owner',
      namespace: 'default',
      propagationPolicy: 'Orphan',
    });
    const orphan = await core.readNamespacedSecret({ name: 'dep', namespace: 'default' });
    assert.equal(orphan.metadata?.ownerReferences, undefined);
    const owner2 = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'owner2' } },
    });
    await core.createNamespacedSecret({
      namespace: 'default',
      body: {
        metadata: { name: 'dep2', ownerReferences: [{ ...ref, name: 'owner2', uid: owner2.metadata!.uid! }] },
      },
    });
    await core.deleteNamespacedConfigMap({
      name: 'owner2',
      namespace: 'default',
      propagationPolicy: 'Foreground',
    });
    const marked = await core.readNamespacedConfigMap({ name: 'owner2', namespace: 'default' });
    assert.ok(marked.metadata?.deletionTimestamp);
    assert.deepEqual(marked.metadata?.finalizers, ['foregroundDeletion']);
  });

  it('records events like the client-go recorder, counting repeats', async () => {
    const core = f.kc.makeApiClient(CoreV1Api);
    const pod = f.store.create(f.registry.byKind('v1', 'Pod')!, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
      spec: { containers: [] },
    });
    const failed = '0/3 nodes are available: 3 Insufficient cpu.';
    for (const [type, reason, message] of [
      ['Warning', 'FailedScheduling', failed],
      ['Warning', 'FailedScheduling', failed],
      ['Normal', 'Scheduled', 'Successfully assigned default/p to node-1'],
    ] as const) {
      f.recordEvent(pod, type, reason, message, 'default-scheduler');
    }
    const events = await core.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: 'involvedObject.kind=Pod,involvedObject.name=p,reason=FailedScheduling',
    });
    assert.equal(events.items.length, 1);
    const [event] = events.items;
    assert.equal(event?.count, 2);
    assert.equal(event?.type, 'Warning');
    assert.equal(event?.source?.component, 'default-scheduler');
    assert.equal(event?.involvedObject.uid, pod.metadata.uid);
    assert.match(event?.metadata?.name ?? '', /^p\.[0-9a-f]{16}$/);
  });

  it('answers metrics.k8s.io from the registered provider, 503 without one', async () => {
    const absent = await call(f.api.url, 'GET', '/apis/metrics.k8s.io/v1beta1/nodes');
    assert.equal(absent.status, 503);
    assert.equal(absent.body.kind, 'Status');
    f.services.metricsApi = {
      listPodMetrics: (ns?: string) => [
        {
          kind: 'PodMetrics',
          apiVersion: 'metrics.k8s.io/v1beta1',
          metadata: { name: 'p', namespace: ns ?? 'default', labels: { app: 'w' } },
          timestamp: '2026-01-01T00:00:00Z',
          window: '15s',
          containers: [],
        },
      ],
      listNodeMetrics: () => [],
    };
    const pods = await call(
      f.api.url,
      'GET',
      '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dw',
    );
    assert.equal(pods.body.kind, 'PodMetricsList');
    assert.deepEqual(
      pods.body.items.map((i: { metadata: { name: string } }) => i.metadata.name),
      ['p'],
    );
    const none = await call(
      f.api.url,
      'GET',
      '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dz',
    );
    assert.equal(none.body.items.length, 0);
  });
});
