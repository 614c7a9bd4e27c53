import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Kubelet } from '../../simulator/controllers/kubelet.js';
import { Scheduler } from '../../simulator/controllers/scheduler.js';
import type { KubeObject } from '../../simulator/store/types.js';
import { eventually } from '../support/eventually.js';
import {
  condition,
  eventReasons,
  eventsFor,
  type Harness,
  node,
  pod,
  podTemplate,
  startControllers,
  stopHarnesses,
  types,
} from './controllers-fixtures.js';

afterEach(stopHarnesses);

const getPod = (h: Harness, name: string) => h.store.tryGet(types.pods, 'default', name);
const containerStatus = (p: KubeObject | undefined) => p?.status?.containerStatuses?.[0];

function start(): Harness {
  return startControllers([new Scheduler(), new Kubelet()], { nodes: [node('node-1')] });
}

/** Every status a pod went through, from the store's change stream. */
function history(h: Harness, name: string): KubeObject[] {
  return h.changes
    .filter((e) => e.resource.plural === 'pods' && e.object.metadata.name === name)
    .map((e) => e.object);
}

describe('kubelet', () => {
  it('pulls an image once per node, starts the container and reports Ready after the readiness probe delay', async () => {
    const h = start();
    h.store.create(types.pods, pod('first', podTemplate('web', { readinessDelay: 1 })));
    const first = await eventually('first Ready', () => {
      const p = getPod(h, 'first');
      return condition(p, 'Ready')?.status === 'True' && p;
    });
    h.store.create(types.pods, pod('second', podTemplate('web')));
    await eventually('second Ready', () => condition(getPod(h, 'second'), 'Ready')?.status === 'True');

    assert.deepEqual(eventReasons(h, 'first'), ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']);
    assert.match(
      eventsFor(h.store, 'first', 'Pulled')[0]?.message as string,
      /^Successfully pulled image "registry.local\/app:1.0" in /,
    );
    assert.equal(
      eventsFor(h.store, 'second', 'Pulled')[0]?.message,
      'Container image "registry.local/app:1.0" already present on machine',
    );
    assert.ok(
      history(h, 'first').some(
        (p) => p.status?.phase === 'Running' && containerStatus(p)?.started && !containerStatus(p)?.ready,
      ),
      'running but not yet ready during the probe delay',
    );
    assert.equal(first.status.phase, 'Running');
    for (const type of [
      'PodReadyToStartContainers',
      'Initialized',
      'Ready',
      'ContainersReady',
      'PodScheduled',
    ]) {
      assert.equal(condition(first, type)?.status, 'True', type);
      assert.ok(condition(first, type)?.lastTransitionTime, `${type} has a lastTransitionTime`);
    }
    const status = containerStatus(first);
    assert.equal(status.restartCount, 0);
    assert.ok(status.state.running.startedAt);
    assert.match(status.containerID, /^containerd:\/\/[0-9a-f]{64}$/);
    assert.match(first.status.podIP, /^10\.244\.\d+\.\d+$/);
    assert.equal(first.status.hostIP, node('node-1').status.addresses[0].address);
  });

  it('restarts a crashing container with CrashLoopBackOff', async () => {
    const h = start();
    h.store.create(types.pods, pod('crashy', podTemplate('crashy', { image: 'registry.local/app:crash' })));
    const crashed = await eventually('CrashLoopBackOff', () => {
      const p = getPod(h, 'crashy');
      return containerStatus(p)?.state?.waiting?.reason === 'CrashLoopBackOff' && p;
    });
    const status = containerStatus(crashed);
    assert.ok(status.restartCount >= 1);
    assert.equal(status.ready, false);
    assert.equal(status.lastState.terminated.exitCode, 1);
    assert.equal(status.lastState.terminated.reason, 'Error');
    assert.match(
      status.state.waiting.message,
      new RegExp(
        `^back-off \\d+m?s restarting failed container=app pod=crashy_default\\(${crashed.metadata.uid}\\)$`,
      ),
    );
    assert.equal(crashed.status.phase, 'Running');
    assert.equal(condition(crashed, 'Ready')?.reason, 'ContainersNotReady');
    assert.equal(condition(crashed, 'Ready')?.message, 'containers with unready status: [app]');
    const backOff = eventsFor(h.store, 'crashy', 'BackOff')[0];
    assert.equal(backOff?.type, 'Warning');
    assert.equal(
      backOff?.message,
      `Back-off restarting failed container app in pod crashy_default(${crashed.metadata.uid})`,
    );
    await eventually(
      'a restart after the back-off',
      () => (containerStatus(getPod(h, 'crashy'))?.restartCount ?? 0) >= 2,
    );
  });

  it('fails to pull documented failing images: ErrImagePull, then ImagePullBackOff', async () => {
    const h = start();
    h.store.create(
      types.pods,
      pod('nopull', podTemplate('nopull', { image: 'registry.local/does-not-exist/app:1.0' })),
    );
    h.store.create(
      types.pods,
      pod('badtag', podTemplate('badtag', { image: 'registry.local/app:pull-error' })),
    );
    for (const name of ['nopull', 'badtag']) {
      await eventually(
        `${name} ImagePullBackOff`,
        () => containerStatus(getPod(h, name))?.state?.waiting?.reason === 'ImagePullBackOff',
      );
      assert.ok(
        history(h, name).some((p) => containerStatus(p)?.state?.waiting?.reason === 'ErrImagePull'),
        'ErrImagePull first',
      );
      assert.equal(getPod(h, name)?.status.phase, 'Pending');
      assert.ok(eventsFor(h.store, name, 'Failed').some((e) => e.message === 'Error: ErrImagePull'));
      assert.ok(
        eventsFor(h.store, name, 'BackOff').some((e) =>
          /^Back-off pulling image "/.test(e.message as string),
        ),
      );
    }
    await eventually(
      'the pull is retried after the back-off',
      () => ((eventsFor(h.store, 'badtag', 'Pulling')[0]?.count as number | undefined) ?? 0) >= 2,
    );
  });

  it('lets the data plane OOM-kill a container, which then restarts', async () => {
    const h = start();
    h.store.create(types.pods, pod('hungry', podTemplate('hungry')));
    await eventually('hungry Ready', () => condition(getPod(h, 'hungry'), 'Ready')?.status === 'True');
    const kubelet = h.context.services.kubelet;
    assert.ok(kubelet, 'the kubelet registers itself');
    kubelet.killContainer('default', 'hungry', 'app', 'OOMKilled', 137);
    const restarted = await eventually('restarted after the OOM kill', () => {
      const p = getPod(h, 'hungry');
      return containerStatus(p)?.restartCount === 1 && containerStatus(p)?.state?.running && p;
    });
    assert.deepEqual(
      {
        reason: containerStatus(restarted).lastState.terminated.reason,
        exitCode: containerStatus(restarted).lastState.terminated.exitCode,
      },
      { reason: 'OOMKilled', exitCode: 137 },
    );
  });

  it('ends a pod that must not restart as Failed', async () => {
    const h = start();
    h.store.create(
      types.pods,
      pod(
        'once',
        podTemplate('once', { image: 'registry.local/app:crashloop', spec: { restartPolicy: 'Never' } }),
      ),
    );
    const failed = await eventually('phase Failed', () => {
      const p = getPod(h, 'once');
      return p?.status.phase === 'Failed' && p;
    });
    assert.equal(containerStatus(failed).state.terminated.exitCode, 1);
    assert.equal(containerStatus(failed).restartCount, 0);
  });

  it('stops a deleted pod gracefully and then removes it', async () => {
    const h = start();
    h.store.create(types.pods, pod('bye', podTemplate('bye')));
    await eventually('bye Ready', () => condition(getPod(h, 'bye'), 'Ready')?.status === 'True');
    h.store.delete(types.pods, 'default', 'bye');
    assert.ok(
      getPod(h, 'bye')?.metadata.deletionTimestamp,
      'marked first, as a bound pod with a grace period',
    );
    await eventually('bye removed', () => !getPod(h, 'bye'));
    assert.equal(eventsFor(h.store, 'bye', 'Killing')[0]?.message, 'Stopping container app');
  });
});
