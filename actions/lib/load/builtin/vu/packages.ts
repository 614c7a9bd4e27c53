/**
 * npm packages a VU loads the first time a script needs them (tough-cookie for cookies, cheerio for html()), from
 * the project's node_modules as the engine's esbuild is: bundled into the VU they would be parsed by every VU
 * thread at start, used or not.
 */
import { createRequire } from 'node:module';

let requireFrom: NodeJS.Require | undefined;

/** `url`: a file of the engine, next to the project's node_modules. */
export function loadPackagesFrom(url: string): void {
  requireFrom = createRequire(url);
}

export function loadPackage<T>(name: string): T {
  if (!requireFrom) throw new Error(`${name}: the VU was started without a package location`);
  return requireFrom(name) as T;
}
