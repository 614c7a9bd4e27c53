/**
 * The pooled form of a bundle whose blocking k6 calls are already awaited in the script (`(await http.get(u))`):
 * the module body wrapped in an async arrow function that returns the exports record, as the engine's rewrite for
 * the pool emits it (opened on the bundle's first line, the export statement turned into the return). For the
 * tests of the pool runtime, which must not depend on the rewrite.
 */
import type { PoolPlan } from '../../actions/lib/load/builtin/pool/rewrite.js';

export function awaitedPlan(bundle: string): PoolPlan {
  const exported = /export\s*\{([^}]*)\};?/.exec(bundle);
  if (!exported) return { pooled: false, reason: 'no export statement' };
  const record = exported[1]!
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [local, name = local] = entry.split(/\s+as\s+/);
      return `${JSON.stringify(name)}: ${local}`;
    })
    .join(', ');
  const body = `${bundle.slice(0, exported.index)}return { ${record} };${bundle.slice(exported.index + exported[0].length)}`;
  return { pooled: true, source: `(async () => {${body}\n})()` };
}
