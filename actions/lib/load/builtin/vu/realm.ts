/**
 * Type tests that hold across JavaScript realms: a pooled VU's code runs in its own node:vm context, whose
 * Promise, ArrayBuffer, Date and Error are not this realm's, so `instanceof` would misjudge its values.
 */
import { types } from 'node:util';

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

export const isArrayBuffer = (value: unknown): value is ArrayBuffer => types.isArrayBuffer(value);

export const isDate = (value: unknown): value is Date => types.isDate(value);

export const isError = (value: unknown): value is Error => types.isNativeError(value);
