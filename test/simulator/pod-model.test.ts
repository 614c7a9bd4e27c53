/**
 * The pod model's processor sharing on a clock the test drives, with Node's timers mocked: a host whose event loop
 * runs late must not change what the modelled app measures or the CPU it is charged.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { PodModel, type RequestStatus } from '../../simulator/dataplane/pod-model.js';
import { defaultWorkload } from '../../simulator/dataplane/workload.js';

/** One container limited to 200m: a 7 ms request takes 35 ms of CPU phase alone, then 40 ms of base latency. */
function model(clock: { now: number }) {
  return new PodModel(
    [{ name: 'app', cpuCores: 0.2, memoryLimitBytes: undefined }],
    { ...defaultWorkload, cpuSecondsPerRequest: 0.007, baseLatencySeconds: 0.04 },
    0,
    () => assert.fail('no OOMKill expected'),
    () => clock.now,
  );
}

/** A pod on a clock at 1,000 s, with one request sent; `request` sends another, and `answers` collects them. */
function started() {
  const clock = { now: 1_000_000 };
  const pod = model(clock);
  const answers: Array<{ status: RequestStatus; seconds: number }> = [];
  const request = () => pod.serve((status, seconds) => answers.push({ status, seconds }));
  request();
  return { clock, pod, answers, request };
}

describe('pod model: processor sharing in model time', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('answers a request alone after its CPU phase and base latency, on time or 300 ms late', () => {
    for (const lateMs of [0, 300]) {
      const { clock, pod, answers } = started();
      // The host's event loop wakes only `lateMs` after the answer was due.
      clock.now += 75 + lateMs;
      mock.timers.tick(75 + lateMs);
      assert.equal(answers.length, 1);
      assert.equal(answers[0]!.status, 200);
      assert.ok(Math.abs(answers[0]!.seconds - 0.075) < 1e-9, `${lateMs} ms late: ${answers[0]!.seconds} s`);
      assert.ok(Math.abs(pod.cumulativeCpuSeconds()[0]! - 0.007) < 1e-9, `${lateMs} ms late: CPU charged`);
    }
  });

  it('shares the CPU between overlapping requests and ends each phase at its own instant, however late', () => {
    const { clock, pod, answers, request } = started();
    clock.now += 20;
    mock.timers.tick(20);
    request();
    // Alone for 20 ms (4 ms of CPU), then 0.1 core each: the first ends its CPU phase at 50 ms, the second runs alone
    // from there and ends at 70 ms; both answer 40 ms after. The event loop wakes only at 500 ms.
    clock.now += 480;
    mock.timers.tick(480);
    assert.deepEqual(
      answers.map((a) => Math.round(a.seconds * 1e6) / 1e3),
      [90, 90],
    );
    assert.ok(Math.abs(pod.cumulativeCpuSeconds()[0]! - 0.014) < 1e-9, String(pod.cumulativeCpuSeconds()[0]));
  });

  it('charges CPU only while a request is in its CPU phase', () => {
    const { clock, pod, answers } = started();
    clock.now += 10;
    // 10 ms into the phase: 2 ms of CPU used, none after the phase ended even when nothing woke the model.
    assert.ok(Math.abs(pod.cumulativeCpuSeconds()[0]! - 0.002) < 1e-9);
    clock.now += 990;
    assert.ok(Math.abs(pod.cumulativeCpuSeconds()[0]! - 0.007) < 1e-9);
    mock.timers.tick(1000);
    assert.equal(answers.length, 1);
  });
});
