/**
 * Packs a k6 script and its relative imports into one ES module a VU thread imports once per VU (so top-level await
 * works). Module code is kept as written; TypeScript files are type-stripped (esbuild, no type checking). `k6/*`
 * imports and the shimmed jslib URLs resolve to the VU's built-in modules, with their export names declared so
 * that a name a module lacks fails the load. Other remote modules come from a local cache, never the network:
 * `https://host/path` is read from `$SCALEGATE_K6_MODULES/host/path` (fill it with `curl --create-dirs -o` where
 * there is network); failing that, a jslib that is a build of an npm package is that package, installed with the
 * project (jslib.ts lists them). A module found in neither fails the load (exit 107) naming the URL and what was
 * looked for.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { BuildOptions, BuildResult, Plugin } from 'esbuild';
import { jslibPackages, jslibShim, packageModule } from './builtin/vu/jslib.js';
import { isModuleName, namedExports } from './builtin/vu/modules.js';

export class ScriptError extends Error {}

type Build = (
  options: BuildOptions & { write: false },
) => Promise<BuildResult & { outputFiles: { text: string }[] }>;

/**
 * esbuild is loaded from node_modules at run time, not bundled into the action: its JavaScript API drives a native
 * binary that a bundle cannot carry.
 */
async function loadEsbuild(): Promise<Build> {
  const name = 'esbuild';
  try {
    return ((await import(name)) as { build: Build }).build;
  } catch {
    throw new ScriptError(
      'the builtin runner needs esbuild to load scripts: run from a checkout with dependencies installed (npm ci), or install k6',
    );
  }
}

/** The cached file of a remote module: `<cache>/<host>/<path>`. */
function cachedModule(url: string, cache: string | undefined): string | undefined {
  if (!cache) return undefined;
  const { host, pathname } = new URL(url);
  const file = resolve(cache, host, `.${pathname}`);
  return existsSync(file) ? file : undefined;
}

const requirePackage = createRequire(import.meta.url);

/**
 * The names an installed package exports (its properties and its prototype's methods, as a CommonJS module's
 * named imports see them), or undefined when it is not installed.
 */
function packageExports(name: string): string[] | undefined {
  let exports: unknown;
  try {
    exports = requirePackage(name);
  } catch {
    return undefined;
  }
  const names = new Set<string>();
  for (let o = exports; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o))
    for (const key of Object.getOwnPropertyNames(o)) names.add(key);
  return [...names].filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && !reserved.has(n));
}

/** Names a module exports that cannot be bound as `export const { … }`. */
const reserved = new Set([
  'default',
  '__esModule',
  'constructor',
  'prototype',
  'length',
  'name',
  'arguments',
  'caller',
]);

const k6Modules = (cache: string | undefined): Plugin => ({
  name: 'k6-modules',
  setup(b) {
    // What a resolved path other than a k6 module name loads: a jslib shim (its version's names) or an npm package.
    const declared = new Map<string, { module: string; names: readonly string[] }>();
    b.onResolve({ filter: /^k6(\/|$)/ }, (args) => {
      if (!isModuleName(args.path))
        return { errors: [{ text: `module '${args.path}' is not supported by the builtin engine` }] };
      return { path: args.path, namespace: 'k6-builtin' };
    });
    b.onResolve({ filter: /^https?:\/\// }, (args) => {
      const shim = jslibShim(args.path);
      if (shim) {
        declared.set(args.path, { module: shim.module, names: shim.exports ?? namedExports[shim.module] });
        return { path: args.path, namespace: 'k6-builtin' };
      }
      const cached = cachedModule(args.path, cache);
      if (cached) return { path: cached };
      const pkg = jslibPackages[args.path];
      const names = pkg === undefined ? undefined : packageExports(pkg);
      if (pkg !== undefined && names) {
        declared.set(packageModule(pkg), { module: packageModule(pkg), names });
        return { path: packageModule(pkg), namespace: 'k6-builtin' };
      }
      const where = cache
        ? `not in the module cache (${resolve(cache, new URL(args.path).host, `.${new URL(args.path).pathname}`)})`
        : 'not available offline: set SCALEGATE_K6_MODULES to a folder holding <host>/<path> copies';
      const npm = pkg === undefined ? '' : `, and its npm package ${pkg} is not installed (npm ci)`;
      return { errors: [{ text: `remote module '${args.path}' is ${where}${npm}` }] };
    });
    b.onLoad({ filter: /.*/, namespace: 'k6-builtin' }, (args) => {
      const { module, names } = isModuleName(args.path)
        ? { module: args.path, names: namedExports[args.path] }
        : (declared.get(args.path) ?? { module: args.path, names: [] });
      const named = names.length > 0 ? `export const { ${names.join(', ')} } = m;\n` : '';
      // A package compiled from ES modules keeps its default export under \`default\`.
      return {
        contents: `const m = globalThis.__k6_modules[${JSON.stringify(module)}];\nexport default m.__esModule ? m.default : m;\n${named}`,
        loader: 'js',
      };
    });
  },
});

/** One ES module from a script and its relative imports, as both the builtin engine and k6 take it. */
async function bundleWith(scriptPath: string, options: Record<string, unknown>): Promise<string> {
  const build = await loadEsbuild();
  const result = await build({
    entryPoints: [scriptPath],
    absWorkingDir: dirname(resolve(scriptPath)),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'silent',
    treeShaking: false,
    ...options,
  });
  return result.outputFiles[0]!.text;
}

export async function bundleScript(
  scriptPath: string,
  moduleCache: string | undefined = process.env.SCALEGATE_K6_MODULES,
): Promise<string> {
  try {
    return await bundleWith(scriptPath, { sourcemap: 'inline', plugins: [k6Modules(moduleCache)] });
  } catch (error) {
    const errors = (
      error as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }
    ).errors;
    if (!errors?.length) throw new ScriptError((error as Error).message);
    // Every problem at once (a missing module and a missing export…), on one line.
    const described = errors.map(({ text, location }) =>
      location ? `${location.file}:${location.line}:${location.column + 1}: ${text}` : text,
    );
    throw new ScriptError(described.join('; '));
  }
}

/**
 * One self-contained ES module for the real k6 (k6-operator runners get a single ConfigMap file): relative imports
 * inlined, TypeScript stripped, `k6/*` and remote imports left for k6 to resolve.
 */
export async function bundleForK6(scriptPath: string): Promise<string> {
  try {
    return await bundleWith(scriptPath, { external: ['k6', 'k6/*', 'https://*', 'http://*'] });
  } catch (error) {
    throw new ScriptError((error as Error).message.split('\n').slice(0, 2).join(' '));
  }
}
