import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyImageModifiers, imageModifiers } from '../../simulator/dataplane/image-catalog.js';
import { defaultWorkload, workloadFromAnnotations } from '../../simulator/dataplane/workload.js';

describe('image catalog: workload modifiers in the image tag', () => {
  it('finds the modifier parts of a tag and ignores the version and unknown parts', () => {
    assert.deepEqual(imageModifiers('shop/web:1.5.0'), []);
    assert.deepEqual(imageModifiers('shop/web:1.5.0-cpu2x-errors5pct-rc1'), ['cpu2x', 'errors5pct']);
    assert.deepEqual(imageModifiers('shop/web:2.0.0-latency50ms@sha256:abc'), ['latency50ms']);
    // The repository is not the tag: a name that looks like a modifier changes nothing.
    assert.deepEqual(imageModifiers('shop/cpu2x:1.0.0'), []);
  });

  it('multiplies CPU and memory per request, adds latency and errors', () => {
    const base = { ...defaultWorkload, errorRatio: 0.01 };
    const model = applyImageModifiers(base, 'shop/web:2.0.0-cpu2.5x-latency50ms-errors5pct-mem3x');
    assert.equal(model.cpuSecondsPerRequest, base.cpuSecondsPerRequest * 2.5);
    assert.ok(Math.abs(model.baseLatencySeconds - (base.baseLatencySeconds + 0.05)) < 1e-12);
    assert.ok(Math.abs(model.errorRatio - 0.06) < 1e-12);
    assert.equal(model.memoryBytesPerRequest, base.memoryBytesPerRequest * 3);
    assert.deepEqual(base, { ...defaultWorkload, errorRatio: 0.01 }, 'the input model is not changed');
  });

  it('caps the error ratio at 100 % and reads seconds for latency', () => {
    const model = applyImageModifiers({ ...defaultWorkload, errorRatio: 0.5 }, 'web:1-errors80pct-latency1s');
    assert.equal(model.errorRatio, 1);
    assert.equal(model.baseLatencySeconds, defaultWorkload.baseLatencySeconds + 1);
  });

  it('applies on top of the pod annotations', () => {
    const annotations = { 'sim.scalegate.dev/cpu-per-request': '8ms' };
    const plain = workloadFromAnnotations(annotations, 'shop/web:1.5.0');
    const regressed = workloadFromAnnotations(annotations, 'shop/web:1.5.1-cpu2x');
    assert.equal(plain.model.cpuSecondsPerRequest, 0.008);
    assert.equal(regressed.model.cpuSecondsPerRequest, 0.016);
    assert.deepEqual(regressed.problems, []);
  });
});
