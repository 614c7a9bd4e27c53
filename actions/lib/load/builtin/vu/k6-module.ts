/** The `k6` module for a VU: check, group, sleep, fail, randomSeed. */
import { isThenable } from './realm.js';
import type { VuBase } from './state.js';

export function createK6Module(vu: VuBase) {
  function check(
    value: unknown,
    checks: Record<string, unknown>,
    extraTags?: Record<string, unknown>,
  ): boolean {
    vu.requireVuContext('check');
    let all = true;
    const extra = Object.fromEntries(Object.entries(extraTags ?? {}).map(([k, v]) => [k, String(v)]));
    for (const [name, predicate] of Object.entries(checks)) {
      if (name.includes('::')) throw new Error(`check name '${name}' may not contain '::'`);
      const tags = { ...vu.tags(), ...extra, check: name };
      let passed: boolean;
      try {
        const outcome = typeof predicate === 'function' ? predicate(value) : predicate;
        if (isThenable(outcome)) throw new Error('check does not support async functions');
        passed = Boolean(outcome);
      } catch (error) {
        vu.emit('checks', 0, tags);
        throw error;
      }
      vu.emit('checks', passed ? 1 : 0, tags);
      if (!passed) all = false;
    }
    return all;
  }

  /**
   * A pooled VU's group function may return a Promise (its blocking calls became awaits): the group ends, and its
   * path is left, when that settles. Threads run group functions synchronously, as k6 does.
   */
  function group<T>(name: string, fn: () => T): T | Promise<Awaited<T>> {
    vu.requireVuContext('group');
    if (name.includes('::')) throw new Error(`group name '${name}' may not contain '::'`);
    if (typeof fn !== 'function') throw new Error('group requires a function');
    const parent = vu.groupPath;
    vu.groupPath = `${parent}::${name}`;
    const start = performance.now();
    const end = () => {
      vu.emit('group_duration', performance.now() - start, vu.tags());
      vu.groupPath = parent;
    };
    let result: T;
    try {
      result = fn();
    } catch (error) {
      end();
      throw error;
    }
    if (!isThenable(result)) {
      end();
      return result;
    }
    if (!vu.pooled) {
      end();
      throw new Error('group does not support async functions');
    }
    return Promise.resolve(result).finally(end) as Promise<Awaited<T>>;
  }

  function sleep(seconds: number): void | Promise<void> {
    return vu.sleep(Number(seconds) * 1000);
  }

  function fail(message?: string): never {
    throw new Error(message ?? '');
  }

  function randomSeed(seed: number): void {
    let state = Math.trunc(seed) >>> 0;
    vu.realm.Math.random = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  return { check, group, sleep, fail, randomSeed };
}
