/**
 * Clean-room stand-ins for the jslib.k6.io modules scripts import most (k6-summary, k6-utils), so scripts run
 * offline. Written from the documented behaviour; no jslib (AGPL) code.
 */
import { randomUUID } from 'node:crypto';
import { jUnit, textSummary } from '../../text-summary.js';

export const k6Summary = { textSummary, jUnit };

export const k6Utils = {
  randomIntBetween(min: number, max: number): number {
    return Math.floor(Math.random() * (max - min + 1) + min);
  },
  randomItem<T>(items: T[]): T {
    return items[Math.floor(Math.random() * items.length)]!;
  },
  randomString(length: number, charset = 'abcdefghijklmnopqrstuvwxyz'): string {
    let out = '';
    for (let i = 0; i < length; i++) out += charset[Math.floor(Math.random() * charset.length)];
    return out;
  },
  uuidv4(): string {
    return randomUUID();
  },
  findBetween(content: string, left: string, right: string, repeat = false): string | string[] | null {
    const found: string[] = [];
    let from = 0;
    for (;;) {
      const start = content.indexOf(left, from);
      if (start < 0) break;
      const end = content.indexOf(right, start + left.length);
      if (end < 0) break;
      found.push(content.slice(start + left.length, end));
      if (!repeat) return found[0]!;
      from = end + right.length;
    }
    return repeat ? found : null;
  },
};

/** Remote module URL → the name of the shim the bundler maps it to. */
export function jslibShim(url: string): 'k6-summary' | 'k6-utils' | undefined {
  if (/^https:\/\/jslib\.k6\.io\/k6-summary\/[\d.]+\/index\.js$/.test(url)) return 'k6-summary';
  if (/^https:\/\/jslib\.k6\.io\/k6-utils\/[\d.]+\/index\.js$/.test(url)) return 'k6-utils';
  return undefined;
}
