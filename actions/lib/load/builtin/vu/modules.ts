/**
 * The modules a k6 script can import on the builtin engine, by import specifier: one table for the VU (which builds
 * them) and the bundler (which declares their export names, so that importing a name a module lacks fails when the
 * script is loaded, naming the API, instead of yielding `undefined`).
 */
import { createCryptoModule } from './crypto-module.js';
import { createDataModule } from './data-module.js';
import { createEncodingModule } from './encoding-module.js';
import { createExecutionModule } from './execution-module.js';
import { parseHTML } from './html.js';
import { createHttpModule } from './http-module.js';
import { createK6Utils, jslibPackages, k6Summary, k6Url, k6UtilsExports, packageModule } from './jslib.js';
import { FormData, FormDataV001 } from './jslib-formdata.js';
import { createK6Module } from './k6-module.js';
import { createMetricsModule } from './metrics-module.js';
import { loadPackage } from './packages.js';
import type { VuBase } from './state.js';

export type ScriptOptions = () => Record<string, unknown>;

const factories = {
  k6: (vu: VuBase) => createK6Module(vu),
  'k6/http': (vu: VuBase, options: ScriptOptions) => createHttpModule(vu, options),
  'k6/metrics': (vu: VuBase) => createMetricsModule(vu),
  'k6/execution': (vu: VuBase, options: ScriptOptions) => createExecutionModule(vu, options),
  'k6/data': (vu: VuBase) => createDataModule(vu),
  'k6/crypto': () => createCryptoModule(),
  'k6/html': () => ({ parseHTML }),
  'k6/encoding': () => createEncodingModule(),
  'k6/timers': (vu: VuBase) => ({
    setTimeout: vu.loop.setTimeout,
    clearTimeout: vu.loop.clearTimeout,
    setInterval: vu.loop.setInterval,
    clearInterval: vu.loop.clearInterval,
  }),
  'k6-summary': () => k6Summary,
  'k6-utils': (vu: VuBase, options: ScriptOptions) => createK6Utils(vu, options),
  'k6-url': () => k6Url,
  'k6-formdata': () => ({ FormData }),
  'k6-formdata-0.0.1': () => ({ FormData: FormDataV001 }),
} satisfies Record<string, (vu: VuBase, options: ScriptOptions) => object>;

export type ModuleName = keyof typeof factories;

export function isModuleName(name: string): name is ModuleName {
  return Object.hasOwn(factories, name);
}

/**
 * The built-in modules, and the npm packages of jslibs (loaded only when a script imports one; not enumerable: the
 * bundler reads their export names from the package itself).
 */
export function createModules(vu: VuBase, options: ScriptOptions): Record<ModuleName, object> {
  const modules = Object.fromEntries(
    Object.entries(factories).map(([name, create]) => [name, create(vu, options)]),
  ) as Record<ModuleName, object>;
  for (const name of new Set(Object.values(jslibPackages)))
    Object.defineProperty(modules, packageModule(name), { get: () => loadPackage(name) });
  return modules;
}

/**
 * Named exports of each module. `k6/execution` has only its default export: its members are read at call time
 * (scenario, vu…), which named bindings evaluated at import would break.
 */
export const namedExports: Record<ModuleName, readonly string[]> = {
  k6: ['check', 'group', 'sleep', 'fail', 'randomSeed'],
  'k6/http': [
    'request',
    'asyncRequest',
    'get',
    'head',
    'post',
    'put',
    'patch',
    'del',
    'options',
    'batch',
    'expectedStatuses',
    'setResponseCallback',
    'url',
    'cookieJar',
    'CookieJar',
    'file',
  ],
  'k6/metrics': ['Counter', 'Gauge', 'Rate', 'Trend'],
  'k6/execution': [],
  'k6/data': ['SharedArray'],
  'k6/crypto': Object.keys(createCryptoModule()),
  'k6/html': ['parseHTML'],
  'k6/encoding': Object.keys(createEncodingModule()),
  'k6/timers': ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
  'k6-summary': Object.keys(k6Summary),
  'k6-utils': k6UtilsExports,
  'k6-url': Object.keys(k6Url),
  'k6-formdata': ['FormData'],
  'k6-formdata-0.0.1': ['FormData'],
};
