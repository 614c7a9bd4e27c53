/**
 * `k6/data` SharedArray. Each VU thread builds its own frozen copy (the callback runs once per VU, in the init
 * context): the read-only contract holds, memory is not shared between VUs.
 */
import type { VuBase } from './state.js';

export function createDataModule(vu: VuBase) {
  const built = new Map<string, readonly unknown[]>();
  class SharedArray {
    constructor(name: string, build: () => unknown[]) {
      if (vu.phase !== 'init') throw new Error('SharedArray can only be constructed in the init context');
      if (!name) throw new Error('SharedArray needs a name');
      if (typeof build !== 'function') throw new Error('SharedArray needs a function returning an array');
      let data = built.get(name);
      if (!data) {
        const value = build();
        if (!Array.isArray(value)) throw new Error('SharedArray: the function must return an array');
        const frozen: readonly unknown[] = Object.freeze(JSON.parse(JSON.stringify(value)).map(deepFreeze));
        built.set(name, frozen);
        data = frozen;
      }
      // A frozen array is the shared array: indexing, length and iteration behave as k6's.
      // biome-ignore lint/correctness/noConstructorReturn: SharedArray is an array-like proxy in k6 too.
      return data as unknown as SharedArray;
    }
  }
  return { SharedArray };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
