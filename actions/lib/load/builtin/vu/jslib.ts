/**
 * Clean-room stand-ins for the jslib.k6.io modules scripts import most (k6-summary, k6-utils, url; formdata in
 * jslib-formdata.ts), so scripts run offline. Written from the documented behaviour of each export; no jslib code.
 * k6-utils declares the names of the imported version; a script importing any other name fails when it is loaded
 * (bundle.ts).
 */

import { parseK6Duration } from '../../duration.js';
import { deriveScenarios } from '../../options.js';
import { jUnit, textSummary } from '../../text-summary.js';
import type { ScriptOptions } from './modules.js';
import { nodeCrypto } from './node-crypto.js';
import { isThenable } from './realm.js';
import type { VuBase } from './state.js';

export const k6Summary = { textSummary, jUnit };

/** The url jslib is core-js's WHATWG URL and URLSearchParams, which a VU (Node) has built in. */
export const k6Url = { URL, URLSearchParams };

export const k6UtilsExports = [
  'check',
  'parseDuration',
  'getCurrentStageIndex',
  'tagWithCurrentStageIndex',
  'tagWithCurrentStageProfile',
  'findBetween',
  'normalDistributionStages',
  'randomIntBetween',
  'randomItem',
  'randomString',
  'uuidv4',
] as const;

/**
 * The k6-utils version that first exported each name. Versions up to 1.4.0 are ES modules, so k6 refuses to import
 * a name the version lacks: the shim of a version declares only that version's names, to fail as k6 fails.
 */
const k6UtilsSince: Record<(typeof k6UtilsExports)[number], string> = {
  randomIntBetween: '1.0.0',
  randomItem: '1.0.0',
  randomString: '1.0.0',
  uuidv4: '1.0.0',
  findBetween: '1.1.0',
  normalDistributionStages: '1.2.0',
  getCurrentStageIndex: '1.3.0',
  parseDuration: '1.3.0',
  tagWithCurrentStageIndex: '1.3.0',
  tagWithCurrentStageProfile: '1.3.0',
  check: '1.5.0',
};

const versionParts = (version: string) => version.split('.').map(Number);
function atLeast(version: string, since: string): boolean {
  const [a, b] = [versionParts(version), versionParts(since)];
  const differs = a.findIndex((part, i) => part !== b[i]);
  return differs < 0 || a[differs]! > (b[differs] ?? 0);
}

/** The names the k6-utils jslib exports at `version`. */
export function k6UtilsVersionExports(version: string): string[] {
  return k6UtilsExports.filter((name) => atLeast(version, k6UtilsSince[name]));
}

/** Standard normal density. */
const density = (x: number) => Math.exp(-(x * x) / 2) / Math.sqrt(2 * Math.PI);

export function createK6Utils(
  vu: VuBase,
  options: ScriptOptions,
): Record<(typeof k6UtilsExports)[number], unknown> {
  // k6-utils runs in the VU's runtime in k6: its Math.random is the VU's, which randomSeed replaces.
  const random = () => vu.realm.Math.random();
  /** The stages of the running scenario, from the consolidated options (shortcut `stages` included). */
  const currentStages = () => {
    const name = vu.scenario?.name;
    if (!name) throw new Error('getCurrentStageIndex is not available in the init context');
    const scenario = deriveScenarios(options()).find((s) => s.name === name);
    if (!scenario) throw new Error(`the test options do not contain the current scenario ${name}`);
    if (!('stages' in scenario))
      throw new Error(
        'only ramping-vus and ramping-arrival-rate have stages: no stage index on other executors',
      );
    return scenario.stages;
  };
  const getCurrentStageIndex = (): number => {
    const stages = currentStages();
    const elapsed = Date.now() - vu.scenario!.startTime;
    let end = 0;
    for (let i = 0; i < stages.length; i++) {
      end += stages[i]!.durationMs;
      if (elapsed < end) return i;
    }
    return stages.length - 1;
  };

  /** Like k6's check, and also awaits checks (or a value) given as promises; returns a promise then. */
  function check(
    value: unknown,
    checkers: Record<string, unknown>,
    tags?: Record<string, unknown>,
  ): boolean | Promise<boolean> {
    if (isThenable(value)) return Promise.resolve(value).then((v) => check(v, checkers, tags));
    const extra = Object.fromEntries(Object.entries(tags ?? {}).map(([k, v]) => [k, String(v)]));
    const report = (name: string, outcome: unknown) => {
      vu.emit('checks', outcome ? 1 : 0, { ...vu.tags(), ...extra, check: name });
      return Boolean(outcome);
    };
    const results = Object.entries(checkers).map(([name, checker]) => {
      const outcome = typeof checker === 'function' ? checker(value) : checker;
      return isThenable(outcome)
        ? Promise.resolve(outcome).then((o) => report(name, o))
        : report(name, outcome);
    });
    if (results.some(isThenable)) return Promise.all(results).then((all) => all.every(Boolean));
    return (results as boolean[]).every(Boolean);
  }

  return {
    check,
    parseDuration(text: string): number {
      if (text === null || text === undefined || String(text).length === 0) throw new Error('str is empty');
      return parseK6Duration(String(text), 'parseDuration');
    },
    getCurrentStageIndex,
    tagWithCurrentStageIndex(): void {
      vu.userTags.stage = String(getCurrentStageIndex());
    },
    tagWithCurrentStageProfile(): void {
      const index = getCurrentStageIndex();
      const stages = currentStages();
      const previous = stages[index - 1];
      const current = stages[index]!;
      vu.userTags.stage_profile =
        !previous || current.target > previous.target
          ? 'ramp-up'
          : current.target === previous.target
            ? 'steady'
            : 'ramp-down';
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
      return found.length > 0 ? found : null;
    },
    /**
     * A bell curve of VUs: the standard normal density sampled at `stages + 1` evenly spaced points over [-2, 2],
     * scaled so that its peak is `maxVus`, held for 4/6 of the duration, with a sixth to ramp up before and to
     * ramp down to 0 after.
     */
    normalDistributionStages(maxVus: number, durationSeconds: number, stages = 10) {
      const points = Array.from({ length: stages + 1 }, (_, i) => density(-2 + (4 * i) / stages));
      const peak = Math.max(...points);
      const edge = Math.ceil(durationSeconds / 6);
      const inner = Math.ceil((4 * durationSeconds) / (6 * stages));
      return [...points, 0].map((p, i) => ({
        duration: `${i === 0 || i === stages + 1 ? edge : inner}s`,
        target: Math.round((p * maxVus) / peak),
      }));
    },
    randomIntBetween(min: number, max: number): number {
      return Math.floor(random() * (max - min + 1) + min);
    },
    randomItem<T>(items: T[]): T {
      return items[Math.floor(random() * items.length)]!;
    },
    randomString(length: number, charset = 'abcdefghijklmnopqrstuvwxyz'): string {
      let out = '';
      for (let i = 0; i < length; i++) out += charset[Math.floor(random() * charset.length)];
      return out;
    },
    /** As k6-utils: from Math.random unless `secure` (so a randomSeed makes it repeat), else from k6/crypto. */
    uuidv4(secure = false): string {
      if (secure) return nodeCrypto().randomUUID();
      let out = '';
      for (let i = 0; i < 32; i++) {
        const digit = Math.floor(random() * 16);
        // The version nibble is 4; the variant nibble is 10xx.
        out += (i === 12 ? 4 : i === 16 ? (digit & 0x3) | 0x8 : digit).toString(16);
        if (i === 7 || i === 11 || i === 15 || i === 19) out += '-';
      }
      return out;
    },
  };
}

/**
 * jslib.k6.io modules that are builds of an npm package (MIT or BSD licensed, dependencies included), by exact URL:
 * the package, of the same major version, that a VU loads instead from the project's node_modules (packages.ts).
 * Other jslibs (httpx, expect, k6chaijs, aws…) are Grafana's own AGPL code, on no registry: they come from the
 * module cache (bundle.ts).
 */
export const jslibPackages: Readonly<Record<string, string>> = {
  'https://jslib.k6.io/papaparse/5.1.1/index.js': 'papaparse',
  'https://jslib.k6.io/jsonpath/1.0.2/index.js': 'jsonpath',
  'https://jslib.k6.io/form-urlencoded/3.0.0/index.js': 'form-urlencoded',
  // Installed under an alias: the project's own dependencies use ajv 8.
  'https://jslib.k6.io/ajv/6.12.5/index.js': 'ajv-6',
};

/** The built-in module name under which a VU offers an npm package. */
export const packageModule = (name: string) => `npm:${name}`;

type ShimName = 'k6-summary' | 'k6-utils' | 'k6-url' | 'k6-formdata' | 'k6-formdata-0.0.1';

/**
 * Remote module URL → the shim the bundler maps it to, and the names that version exports when they are fewer than
 * the shim's.
 */
export function jslibShim(url: string): { module: ShimName; exports?: string[] } | undefined {
  if (/^https:\/\/jslib\.k6\.io\/k6-summary\/[\d.]+\/index\.js$/.test(url)) return { module: 'k6-summary' };
  const utils = /^https:\/\/jslib\.k6\.io\/k6-utils\/(\d+\.\d+\.\d+)\/index\.js$/.exec(url);
  if (utils) return { module: 'k6-utils', exports: k6UtilsVersionExports(utils[1]!) };
  if (url === 'https://jslib.k6.io/url/1.0.0/index.js') return { module: 'k6-url' };
  if (url === 'https://jslib.k6.io/formdata/0.0.2/index.js') return { module: 'k6-formdata' };
  if (url === 'https://jslib.k6.io/formdata/0.0.1/index.js') return { module: 'k6-formdata-0.0.1' };
  return undefined;
}
